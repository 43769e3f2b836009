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
 * kept on the subject's row, the connection serving its other users. What is decided is {@link SubjectMintRules}'s;
 * this class reads and writes the rows around it.
 */
final class SubjectMints {

    private static final Logger LOG = Logger.getLogger(SubjectMints.class);

    private final KeycloakSessionFactory factory;
    private final RowSeal seal;
    private final RefreshLocks locks;
    private final ServerMint.Endpoint endpoint;
    private final LongSupplier clock;
    private final Refresher.Pause pause;
    private final SubjectMintRules rules;

    SubjectMints(KeycloakSessionFactory factory, RowSeal seal, RefreshPolicy policy, RefreshLocks locks,
            ServerMint.Endpoint endpoint, LongSupplier clock, Refresher.Pause pause) {
        this.factory = factory;
        this.seal = seal;
        this.locks = locks;
        this.endpoint = endpoint;
        this.clock = clock;
        this.pause = pause;
        this.rules = new SubjectMintRules(policy, RefreshAttempts.NODE + "/");
    }

    /** What a claim decided: serve, refuse, wait for another node's mint, or mint. */
    private record Claim(FreshToken served, ConnectionUnavailableException refused, boolean waits, ServerMint mint,
            String owner) {
    }

    /**
     * @param kind the connection's kind, which says how its provider spells a subject ({@code Alice@} is {@code alice@}
     *        for Google): every spelling is one row, one lease and one decision
     * @param namedBy the client whose service account named {@code subject}, or null when it is the caller's own
     */
    FreshToken serve(String connectionId, ServerGrantKind kind, String subject, String namedBy)
            throws ConnectionUnavailableException {
        String acting = SubjectMintRules.subject(kind, subject);
        Outcome outcome = locks.withLock(connectionId + "|" + acting, () -> {
            long startedAt = clock.getAsLong();
            while (true) {
                String owner = RefreshAttempts.NODE + "/" + UUID.randomUUID();
                Claim claim = inOwnTransaction(s -> claim(s, connectionId, acting, namedBy, owner));
                if (claim.served() != null) {
                    return Outcome.served(claim.served());
                }
                if (claim.refused() != null) {
                    return Outcome.from(claim.refused());
                }
                if (claim.mint() != null) {
                    TokenAnswer answer = claim.mint().attempt();
                    boolean subjectOnly = claim.mint().subjectOnlyRefusal();
                    return inOwnTransaction(s -> stored(s, connectionId, acting, owner, answer, subjectOnly));
                }
                if (rules.givesUp(startedAt, clock.getAsLong()) || !pause.pause(Refresher.POLL)) {
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
            return refused(new ConnectionUnavailableException(ConnectionUnavailableException.NOT_CONNECTED,
                    "The connection was removed"));
        }
        RealmModel realm = session.realms().getRealm(row.getRealmId());
        if (realm == null) {
            return refused(new ConnectionUnavailableException(ConnectionUnavailableException.NOT_CONNECTED,
                    "The realm was removed"));
        }
        session.getContext().setRealm(realm);
        IdentityProviderModel model = session.identityProviders().getByAlias(row.getProviderAlias());
        Optional<ServerGrantKind> kind = ConduitBrokers.of(session, model).flatMap(b -> b.serverGrantKind(row.getGrantKind()));
        Optional<ConnectionUnavailableException> unserved = SubjectMintRules.connectionRefusal(
                ConnectionStatus.valueOf(row.getStatus()), row.getLastError(), kind.isPresent(), row.getProviderAlias(),
                row.getGrantKind());
        if (unserved.isPresent()) {
            return refused(unserved.get());
        }
        ServerCredential credential = ServerCredentials.read(row.getGrantKind(), row.getShown(), seal.credential(row));
        Optional<ConnectionUnavailableException> notYours = SubjectMintRules.subjectRefusal(kind.get(), credential, subject,
                namedBy);
        if (notYours.isPresent()) {
            return refused(notYours.get());
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
        SubjectMintRules.Cached cached = new SubjectMintRules.Cached(token.getAccessToken() != null, token.getExpiresAt(),
                token.getLeaseOwner(), token.getLeaseUntil());
        switch (rules.step(cached, now)) {
            case SERVE:
                return new Claim(fresh(row, token, seal.subjectToken(row, token)), null, false, null, null);
            case WAIT:
                return new Claim(null, null, true, null, null);
            default:
                token.setLeaseOwner(owner);
                token.setLeaseUntil(rules.leaseUntil(now));
                store.flush();
                return new Claim(null, null, false, new ServerMint(kind.get(), model, credential, endpoint,
                        () -> Instant.ofEpochSecond(clock.getAsLong()), subject), owner);
        }
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
        if (SubjectMintRules.releases(owner, token.getLeaseOwner())) {
            token.setLeaseOwner(null);
            token.setLeaseUntil(0);
        }
        long now = clock.getAsLong();
        SubjectMintRules.After after = SubjectMintRules.after(answer, subjectOnly);
        if (after == SubjectMintRules.After.STORE) {
            TokenAnswer.Granted granted = (TokenAnswer.Granted) answer;
            seal.sealSubjectToken(row, token, granted.accessToken());
            token.setExpiresAt(SubjectMintRules.expiresAt(granted, now));
            token.setScopes(granted.scopes() == null ? null : Scopes.join(granted.scopes()));
            token.setLastError(null);
            store.flush();
            VaultEvents.refreshed(session, realm, row, "on_demand", false);
            return Outcome.refreshed(fresh(row, token, granted.accessToken()));
        }
        TokenAnswer.Refused refused = (TokenAnswer.Refused) answer;
        String reason = SubjectMintRules.reason(refused);
        if (after == SubjectMintRules.After.ACTION_REQUIRED) {
            String previous = row.getStatus();
            row.setStatus(ConnectionStatus.ACTION_REQUIRED.name());
            row.setNextRefreshAt(null);
            row.setLastError(reason);
            store.flush();
            VaultEvents.refreshFailed(session, realm, row, "on_demand", "action_required");
            VaultEvents.healthChanged(session, realm, row, previous, "action_required");
            LOG.infof("Server connection %s (%s) needs an administrator: %s", row.getId(), row.getProviderAlias(),
                    UntrustedText.forLog(reason));
        }
        if (SubjectMintRules.dropsRow(after, token.getAccessToken() != null)) {
            store.remove(token);
            store.flush();
        } else if (after != SubjectMintRules.After.ACTION_REQUIRED) {
            token.setLastError(reason);
            store.flush();
        }
        return Outcome.from(SubjectMintRules.refusal(after, refused));
    }

    private static FreshToken fresh(ConnectionEntity row, SubjectTokenEntity token, String accessToken) {
        return new FreshToken(row.getId(), row.getProviderId(), row.getProviderAlias(), accessToken, token.getExpiresAt(),
                Scopes.parse(token.getScopes() != null ? token.getScopes() : row.getScopes()), row.getInstanceUrl(),
                token.getSubject(), row.getOrganizationId());
    }

    private static Claim refused(ConnectionUnavailableException refusal) {
        return new Claim(null, refusal, false, null, null);
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }
}
