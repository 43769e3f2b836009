package dev.conduit.vault.service;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.support.AfterCommit;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import dev.conduit.vault.upstream.RevokeAnswer;
import dev.conduit.vault.upstream.UpstreamTokenCalls;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;

/**
 * Disconnecting: the row is parked as {@link ConnectionStatus#REVOKED} under a fresh owner (so a reconnect does not
 * overwrite it), never served, in the request's transaction; after the commit the revocation is sent on the vault's
 * workers, and when the provider cannot be reached the proactive task retries it with backoff. No request waits on
 * the provider.
 * A token another connection still uses (HubSpot portals share refresh tokens; Google revokes the whole grant
 * of an account) is not revoked upstream, only forgotten here.
 *
 * <p>Removal of the owner (a user or an organization) never calls the provider: {@link #parkForRemoval} does database work
 * only, in the removal's transaction, and the scheduled task sends the revocation ({@link #claimRetry}), deciding then
 * whether the token is shared with a connection that still serves (an index lookup by the token's keyed fingerprint,
 * see {@link #sharedWithAnotherConnection}). Parked rows that share one token each send their revocation; the
 * provider's "no such token" answer to the second counts as done. The retry holds no transaction while the provider
 * answers: claimed ({@link #claimRetry}), sent ({@link #send}), recorded ({@link #recordRetry}).
 */
public final class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class);

    private final RowSeal seal;
    private final VaultSettings settings;
    /** Submits the retry of a parked row (its id) to the vault's workers; set once by the vault. */
    private volatile Consumer<String> afterCommit;

    Revocations(RowSeal seal, VaultSettings settings) {
        this.seal = seal;
        this.settings = settings;
    }

    /** How the vault sends a disconnect's revocation after the request commits (its workers, the retry path). */
    void sendAfterCommitWith(Consumer<String> sender) {
        this.afterCommit = sender;
    }

    /**
     * Runs in the caller's transaction and never calls the provider: nothing to revoke or a shared token deletes the
     * row; otherwise the row is parked REVOKED and its revocation sent after the commit (see {@link #parkToSend}).
     *
     * @param provider the identity provider's settings, passed when it is being removed; null to look it up
     * @param why what caused it (unlink, disconnect, user_removed, organization_removed, provider_removed, realm_removed)
     */
    public void disconnect(KeycloakSession session, RealmModel realm, ConnectionEntity row, IdentityProviderModel provider,
            String why) {
        RealmModel previousRealm = session.getContext().getRealm();
        session.getContext().setRealm(realm);
        try {
            disconnectInRealm(session, realm, row, provider, why);
        } finally {
            session.getContext().setRealm(previousRealm);
        }
    }

    private void disconnectInRealm(KeycloakSession session, RealmModel realm, ConnectionEntity row,
            IdentityProviderModel provider, String why) {
        EntityManager em = ConnectionVault.em(session);
        Optional<Opened> opened = openOrDrop(session, realm, row, why);
        if (opened.isEmpty()) {
            return;
        }
        String refreshToken = opened.get().refreshToken();
        String accessToken = opened.get().accessToken();
        IdentityProviderModel model = provider != null ? provider : session.identityProviders().getByAlias(row.getProviderAlias());
        Optional<UpstreamClient> client = ConduitBrokers.client(session, model);
        String token = revocableToken(client, refreshToken, accessToken);
        if (client.isEmpty() || token == null) {
            em.remove(row);
            VaultEvents.revoked(session, realm, row, why, client.isEmpty() ? "provider_not_configured" : "nothing_to_revoke");
            VaultMetrics.revocation(row.getProviderAlias(), "nothing_to_revoke");
            return;
        }
        if (sharedWithAnotherConnection(em, row, client.get(), refreshToken)) {
            em.remove(row);
            VaultEvents.revoked(session, realm, row, why, "kept_upstream_shared_grant");
            VaultMetrics.revocation(row.getProviderAlias(), "shared");
            return;
        }
        parkToSend(session, row, refreshToken, accessToken, why);
    }

    /**
     * A disconnect never waits on the provider: the row is parked REVOKED, due now, in the request's transaction, and
     * once that transaction commits the revocation is sent on the vault's workers through the retry path (claim, send
     * with no transaction open, record). A send that fails, or never runs (the node stopped), stays parked with the
     * failure backoff for the scheduled task.
     */
    private void parkToSend(KeycloakSession session, ConnectionEntity row, String refreshToken, String accessToken,
            String why) {
        String ownerKind = row.getOwnerKind();
        String ownerId = row.getOwnerId();
        dropSubjectTokens(ConnectionVault.em(session), row);
        reown(row, refreshToken, accessToken);
        row.setFailureCount(0);
        row.setLastError(ParkedFor.reason(why, ownerKind, ownerId));
        row.setNextRefreshAt((long) Time.currentTime());
        ConnectionVault.em(session).flush();
        VaultMetrics.revocation(row.getProviderAlias(), "parked");
        String id = row.getId();
        Consumer<String> sender = afterCommit;
        if (sender != null) {
            session.getTransactionManager().enlistAfterCompletion(new AfterCommit(() -> sender.accept(id)));
        }
    }

    /**
     * The owner was removed (user_removed, organization_removed): parks the row for the scheduled task, due now,
     * without calling the provider. Runs in the removal's transaction; the caller flushes. A row that cannot be
     * opened is deleted (nothing can revoke it).
     */
    public void parkForRemoval(KeycloakSession session, RealmModel realm, ConnectionEntity row, String why) {
        Optional<Opened> opened = openOrDrop(session, realm, row, why);
        if (opened.isEmpty()) {
            return;
        }
        String refreshToken = opened.get().refreshToken();
        String accessToken = opened.get().accessToken();
        dropSubjectTokens(ConnectionVault.em(session), row);
        reown(row, refreshToken, accessToken);
        row.setFailureCount(0);
        row.setLastError(ParkedFor.reason(why));
        row.setNextRefreshAt((long) Time.currentTime());
        VaultMetrics.revocation(row.getProviderAlias(), "parked");
    }

    /**
     * A parked revocation claimed for sending (the row's lease is the refresher's while it is sent): the provider, the
     * client secret already resolved (null where the request needs none), and the token.
     */
    record Send(UpstreamClient client, String clientSecret, String token, boolean refreshToken) {
    }

    /** What the claim of a retry decided: {@link #done} here without calling the provider, or {@link #send} it. */
    record RetryStep(boolean decided, boolean sent, Send send) {
        static RetryStep done(boolean sent) {
            return new RetryStep(true, sent, null);
        }
    }

    /**
     * The proactive task sends a parked revocation: once more after a failed disconnect, or the first time after
     * the owner's removal. Three steps, like a refresh, so no database connection is held while the provider answers:
     * this one runs in the claim transaction under the row lock and decides what needs no call (sharing is decided now,
     * against the connections that serve; nothing to revoke; the row cannot be opened; the secret is missing); then
     * {@link #send} with no transaction open; then {@link #recordRetry} in a short transaction.
     *
     * @return decided with {@code sent} true when done here (shared, nothing to revoke), false when it failed (the
     *         row dropped because it cannot be opened, or the failure recorded); else the request to send
     */
    RetryStep claimRetry(KeycloakSession session, RealmModel realm, ConnectionEntity row) {
        EntityManager em = ConnectionVault.em(session);
        Optional<Opened> opened = openOrDrop(session, realm, row, "retry");
        if (opened.isEmpty()) {
            return RetryStep.done(false);
        }
        String refreshToken = opened.get().refreshToken();
        String accessToken = opened.get().accessToken();
        Optional<UpstreamClient> client = ConduitBrokers.client(session, session.identityProviders().getByAlias(row.getProviderAlias()));
        String token = revocableToken(client, refreshToken, accessToken);
        if (client.isEmpty() || token == null) {
            return RetryStep.done(recordRetry(session, realm, row, new RevokeAnswer(true, 0, "nothing_to_revoke")));
        }
        if (sharedWithAnotherConnection(em, row, client.get(), refreshToken)) {
            em.remove(row);
            VaultEvents.revoked(session, realm, row, ParkedFor.of(row.getLastError()), "kept_upstream_shared_grant");
            VaultMetrics.revocation(row.getProviderAlias(), "shared");
            return RetryStep.done(true);
        }
        String secret;
        try {
            secret = new UpstreamTokenCalls(session, 0, 0).revocationSecret(client.get());
        } catch (UpstreamTokenCalls.MissingSecretException e) {
            retryFailed(session, realm, row, RevokeAnswer.unreachable(e.getMessage()).reason());
            return RetryStep.done(false);
        }
        return new RetryStep(false, false, new Send(client.get(), secret, token, token.equals(refreshToken)));
    }

    /** Sends a claimed revocation, once, in a session of its own that opens no transaction. */
    RevokeAnswer send(KeycloakSessionFactory factory, Send send) {
        try (KeycloakSession session = factory.create()) {
            return new UpstreamTokenCalls(session, settings.connectTimeoutMillis(), settings.readTimeoutMillis())
                    .revoke(send.client(), send.clientSecret(), send.token(), send.refreshToken());
        }
    }

    /**
     * Records what the provider answered a retry, in the caller's transaction with the row locked: done deletes the
     * row, anything else keeps it parked with the failure backoff. Answers whether it was done.
     */
    boolean recordRetry(KeycloakSession session, RealmModel realm, ConnectionEntity row, RevokeAnswer answer) {
        if (answer.done()) {
            ConnectionVault.em(session).remove(row);
            VaultEvents.revoked(session, realm, row, ParkedFor.of(row.getLastError()), answer.reason());
            VaultMetrics.revocation(row.getProviderAlias(), "revoked");
            return true;
        }
        retryFailed(session, realm, row, answer.reason());
        return false;
    }

    private void retryFailed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String reason) {
        ParkedFor parked = ParkedFor.of(row.getLastError());
        row.setFailureCount(row.getFailureCount() + 1);
        row.setLastError(reason);
        row.setNextRefreshAt(settings.nextRetryAt(Time.currentTime(), row.getFailureCount()));
        VaultEvents.revokeFailed(session, realm, row, parked, reason);
        VaultMetrics.revocation(row.getProviderAlias(), "failed");
        LOG.warnf("Could not revoke connection %s at %s (%s); will retry", row.getId(), row.getProviderAlias(), reason);
    }

    private record Opened(String accessToken, String refreshToken) {
    }

    /**
     * The row's tokens; empty when they cannot be opened with this server's keys, in which case the row is deleted
     * (nothing could revoke it) and the failure recorded.
     */
    private Optional<Opened> openOrDrop(KeycloakSession session, RealmModel realm, ConnectionEntity row, String why) {
        try {
            return Optional.of(new Opened(seal.accessToken(row), seal.refreshToken(row)));
        } catch (TokenDecryptionException e) {
            ConnectionVault.em(session).remove(row);
            VaultEvents.revokeFailed(session, realm, row, why, "undecryptable: " + e.getMessage());
            VaultMetrics.revocation(row.getProviderAlias(), "undecryptable");
            return Optional.empty();
        }
    }

    /** HubSpot revokes refresh tokens only; the others take the refresh token (ending its access tokens too) or an access token. */
    static String revocableToken(Optional<UpstreamClient> client, String refreshToken, String accessToken) {
        if (client.isPresent() && client.get().revocation() == UpstreamClient.Revocation.DELETE_PATH) {
            return refreshToken;
        }
        return refreshToken != null ? refreshToken : accessToken;
    }

    /**
     * Whether another connection that still serves keeps the token alive. Parked siblings do not count: rows removed
     * together each send their revocation, and the provider's "no such token" answer to the second counts as done
     * (a parked row never waits on another parked row, which may itself wait for its backoff for long).
     *
     * <p>Google revokes the whole grant of an account: shared means another serving connection of the same upstream
     * account (ACCOUNT_ID, an index lookup). The others: another serving connection holding the same refresh token,
     * found by its keyed fingerprint under any key of the ring (an index lookup, stable across key rotation); rows
     * without a fingerprint yet (from before changelog 0008, until the backfill reaches them) are opened and compared,
     * those of this realm and provider only.
     */
    private boolean sharedWithAnotherConnection(EntityManager em, ConnectionEntity row, UpstreamClient client,
            String refreshToken) {
        VaultStore store = new VaultStore(em);
        if (client.revocation() == UpstreamClient.Revocation.POST_FORM_WHOLE_GRANT) {
            return row.getAccountId() != null
                    && store.anotherServingOfAccount(row.getRealmId(), row.getProviderAlias(), row.getAccountId(), row.getId());
        }
        if (refreshToken == null) {
            return false;
        }
        if (store.anotherServingHolds(row.getRealmId(), row.getProviderAlias(), seal.fingerprintCandidates(row, refreshToken),
                row.getId())) {
            return true;
        }
        return store.unfingerprintedServing(row.getRealmId(), row.getProviderAlias(), row.getId()).stream()
                .anyMatch(other -> refreshToken.equals(openQuietly(other)));
    }

    private String openQuietly(ConnectionEntity other) {
        try {
            return seal.refreshToken(other);
        } catch (TokenDecryptionException e) {
            return null;
        }
    }

    /** A per-user server connection's tokens (Google's, an hour long) are forgotten with it, not revoked. */
    private static void dropSubjectTokens(EntityManager em, ConnectionEntity row) {
        if (row.isServer()) {
            new VaultStore(em).deleteSubjectTokens(row.getId());
        }
    }

    /** REVOKED under a fresh owner, so a reconnect of the old owner makes a new row instead of overwriting this one. */
    private void reown(ConnectionEntity row, String refreshToken, String accessToken) {
        // a server connection's credential is the old owner's and never needed again: dropped, not re-sealed
        row.setCredential(null);
        row.setShown(null);
        row.setOwnerKind(TokenOwner.Kind.REVOKING.name());
        row.setOwnerId(UUID.randomUUID().toString());
        seal.seal(row, accessToken, refreshToken);
        row.setStatus(ConnectionStatus.REVOKED.name());
    }
}
