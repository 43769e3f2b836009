package dev.conduit.vault.service;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.grant.Scopes;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.api.support.UntrustedText;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.api.vault.FreshToken;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.server.ServerCredentials;
import dev.conduit.vault.server.ServerMint;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.RefreshAttempts;
import dev.conduit.vault.store.SubjectTokenEntity;
import dev.conduit.vault.store.VaultStore;
import dev.conduit.vault.upstream.TokenAnswer;
import org.jboss.logging.Logger;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * A per-user server connection's token for one subject (Google's domain-wide delegation: the Workspace user to act as),
 * in the refresher's three steps: claim the subject's row ({@link SubjectTokenEntity}, created under the connection's
 * row lock, so once across nodes) and its lease in a short transaction; mint with no transaction open; store in another.
 * A caller finding another refresher's live lease polls. The connection's own row holds the credential and the status:
 * a refusal an admin must fix makes it ACTION_REQUIRED; a refusal of this subject only is answered to its caller and
 * kept on the subject's row, the connection serving its other users.
 */
final class SubjectMints {

    private static final Logger LOG = Logger.getLogger(SubjectMints.class);

    private final KeycloakSessionFactory factory;
    private final RowSeal seal;
    private final RefreshPolicy policy;
    private final RefreshLocks locks;
    private final ServerMint.Endpoint endpoint;
    private final LongSupplier clock;
    private final Refresher.Pause pause;
    private final String nodePrefix = RefreshAttempts.NODE + "/";

    SubjectMints(KeycloakSessionFactory factory, RowSeal seal, RefreshPolicy policy, RefreshLocks locks,
            ServerMint.Endpoint endpoint, LongSupplier clock, Refresher.Pause pause) {
        this.factory = factory;
        this.seal = seal;
        this.policy = policy;
        this.locks = locks;
        this.endpoint = endpoint;
        this.clock = clock;
        this.pause = pause;
    }

    /** What a claim decided: serve, refuse, wait for another node's mint, or mint. */
    private record Claim(FreshToken served, ConnectionUnavailableException refused, boolean waits, ServerMint mint,
            String owner) {
    }

    /** @param namedBy the client whose service account named {@code subject}, or null when it is the caller's own */
    FreshToken serve(String connectionId, String subject, String namedBy) throws ConnectionUnavailableException {
        Outcome outcome = locks.withLock(connectionId + "|" + subject, () -> {
            long giveUpAt = clock.getAsLong() + policy.waitLimitSeconds();
            while (true) {
                String owner = nodePrefix + UUID.randomUUID();
                Claim claim = inOwnTransaction(s -> claim(s, connectionId, subject, namedBy, owner));
                if (claim.served() != null) {
                    return Outcome.served(claim.served());
                }
                if (claim.refused() != null) {
                    return Outcome.from(claim.refused());
                }
                if (claim.mint() != null) {
                    TokenAnswer answer = claim.mint().attempt();
                    boolean subjectOnly = claim.mint().subjectOnlyRefusal();
                    return inOwnTransaction(s -> stored(s, connectionId, subject, owner, answer, subjectOnly));
                }
                if (clock.getAsLong() > giveUpAt || !pause.pause(Refresher.POLL)) {
                    return Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                            "Another mint of this user's token is still running; retry shortly");
                }
            }
        });
        return outcome.tokenOrThrow();
    }

    private Claim claim(KeycloakSession session, String connectionId, String subject, String namedBy, String owner) {
        VaultStore store = VaultStore.of(session);
        ConnectionEntity row = store.locked(connectionId);
        if (row == null) {
            return refused(ConnectionUnavailableException.NOT_CONNECTED, "The connection was removed");
        }
        RealmModel realm = session.realms().getRealm(row.getRealmId());
        if (realm == null) {
            return refused(ConnectionUnavailableException.NOT_CONNECTED, "The realm was removed");
        }
        session.getContext().setRealm(realm);
        ConnectionStatus status = ConnectionStatus.valueOf(row.getStatus());
        if (!status.serves()) {
            return new Claim(null, Refresher.unavailable(status, row.getLastError()), false, null, null);
        }
        IdentityProviderModel model = session.identityProviders().getByAlias(row.getProviderAlias());
        Optional<ServerGrantKind> kind = ConduitBrokers.of(session, model).flatMap(b -> b.serverGrantKind(row.getGrantKind()));
        if (kind.isEmpty()) {
            return refused(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, "provider_not_configured: identity"
                    + " provider " + row.getProviderAlias() + " is missing or offers no " + row.getGrantKind());
        }
        ServerCredential credential = ServerCredentials.read(row.getGrantKind(), row.getShown(), seal.credential(row));
        if (namedBy != null) {
            Optional<String> notAllowed = kind.get().checkNamer(credential, namedBy);
            if (notAllowed.isPresent()) {
                return refused(ConnectionUnavailableException.SUBJECT_NOT_ALLOWED, notAllowed.get());
            }
        }
        Optional<String> wrongSubject = kind.get().checkSubject(credential, subject);
        if (wrongSubject.isPresent()) {
            return refused(ConnectionUnavailableException.NOT_CONNECTED, "This connection cannot act as you: " + wrongSubject.get());
        }
        long now = clock.getAsLong();
        SubjectTokenEntity token = store.lockedSubjectToken(connectionId, subject);
        if (token == null) {
            token = new SubjectTokenEntity();
            token.setId(UUID.randomUUID().toString());
            token.setConnectionId(connectionId);
            token.setSubject(subject);
            store.persist(token);
        }
        if (token.getAccessToken() != null && !policy.dueOnDemand(token.getExpiresAt(), now)) {
            return new Claim(fresh(row, token, seal.subjectToken(row, token)), null, false, null, null);
        }
        if (token.getLeaseOwner() != null && !token.getLeaseOwner().startsWith(nodePrefix) && token.getLeaseUntil() > now) {
            return new Claim(null, null, true, null, null);
        }
        token.setLeaseOwner(owner);
        token.setLeaseUntil(now + policy.leaseSeconds());
        store.flush();
        return new Claim(null, null, false, new ServerMint(kind.get(), model, credential, endpoint,
                () -> Instant.ofEpochSecond(clock.getAsLong()), subject), owner);
    }

    private Outcome stored(KeycloakSession session, String connectionId, String subject, String owner, TokenAnswer answer,
            boolean subjectOnly) {
        VaultStore store = VaultStore.of(session);
        ConnectionEntity row = store.locked(connectionId);
        SubjectTokenEntity token = row == null ? null : store.lockedSubjectToken(connectionId, subject);
        if (row == null || token == null) {
            return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The connection was removed");
        }
        RealmModel realm = session.realms().getRealm(row.getRealmId());
        session.getContext().setRealm(realm);
        if (owner.equals(token.getLeaseOwner())) {
            token.setLeaseOwner(null);
            token.setLeaseUntil(0);
        }
        long now = clock.getAsLong();
        if (answer instanceof TokenAnswer.Granted granted) {
            seal.sealSubjectToken(row, token, granted.accessToken());
            token.setExpiresAt(now + (granted.expiresIn() == null ? 3600 : granted.expiresIn()));
            token.setScopes(granted.scopes() == null ? null : Scopes.join(granted.scopes()));
            token.setLastError(null);
            store.flush();
            VaultEvents.refreshed(session, realm, row, "on_demand", false);
            return Outcome.refreshed(fresh(row, token, granted.accessToken()));
        }
        TokenAnswer.Refused refused = (TokenAnswer.Refused) answer;
        String reason = refused.description() == null ? refused.reason() : refused.error() + ": " + refused.description();
        if (refused.failure() == RefreshFailure.ACTION_REQUIRED && !subjectOnly) {
            String previous = row.getStatus();
            row.setStatus(ConnectionStatus.ACTION_REQUIRED.name());
            row.setNextRefreshAt(null);
            row.setLastError(reason);
            store.flush();
            VaultEvents.refreshFailed(session, realm, row, "on_demand", "action_required");
            VaultEvents.healthChanged(session, realm, row, previous, "action_required");
            LOG.infof("Server connection %s (%s) needs an administrator: %s", row.getId(), row.getProviderAlias(),
                    UntrustedText.forLog(reason));
            return Outcome.from(Refresher.unavailable(ConnectionStatus.ACTION_REQUIRED, reason));
        }
        token.setLastError(reason);
        store.flush();
        if (refused.failure() == RefreshFailure.ACTION_REQUIRED) {
            return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The provider refuses to act as you: "
                    + UntrustedText.forDisplay(refused.description(), 256));
        }
        return Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, "The provider could not mint the"
                + " token (" + refused.reason() + "); retry later");
    }

    private static FreshToken fresh(ConnectionEntity row, SubjectTokenEntity token, String accessToken) {
        return new FreshToken(row.getId(), row.getProviderId(), row.getProviderAlias(), accessToken, token.getExpiresAt(),
                Scopes.parse(token.getScopes() != null ? token.getScopes() : row.getScopes()), row.getInstanceUrl(),
                token.getSubject(), row.getOrganizationId());
    }

    private static Claim refused(String code, String message) {
        return new Claim(null, new ConnectionUnavailableException(code, message), false, null, null);
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }
}
