package dev.conduit.vault.service;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.upstream.RevokeAnswer;
import dev.conduit.vault.upstream.UpstreamTokenCalls;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Disconnecting: revoke the tokens at the provider, then delete the row. When the provider cannot be reached
 * after a few quick attempts, the row is parked as {@link ConnectionStatus#REVOKED} under a fresh owner (so a
 * reconnect does not overwrite it), never served, and the proactive task retries the revocation with backoff.
 * A token another connection still uses (HubSpot portals share refresh tokens; Google revokes the whole grant
 * of an account) is not revoked upstream, only forgotten here.
 *
 * <p>Removal of the owner (a user or an organization) never calls the provider: {@link #parkForRemoval} does database work
 * only, in the removal's transaction, and the scheduled task sends the revocation ({@link #retry}), deciding then
 * whether the token is shared. Parked rows that share one token are revoked once: each defers to the parked
 * sibling with the smallest id, which revokes it.
 */
public final class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class);
    private static final int QUICK_ATTEMPTS = 3;

    private final RowSeal seal;
    private final VaultSettings settings;

    Revocations(RowSeal seal, VaultSettings settings) {
        this.seal = seal;
        this.settings = settings;
    }

    /**
     * Runs in the caller's transaction.
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
        boolean isRefreshToken = token != null && token.equals(refreshToken);
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
        RevokeAnswer answer = attempt(session, client.get(), token, isRefreshToken, QUICK_ATTEMPTS);
        if (answer.done()) {
            em.remove(row);
            VaultEvents.revoked(session, realm, row, why, answer.reason());
            VaultMetrics.revocation(row.getProviderAlias(), "revoked");
            return;
        }
        park(session, realm, row, refreshToken, accessToken, why, answer.reason());
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
        reown(row, refreshToken, accessToken);
        row.setFailureCount(0);
        row.setLastError("parked: " + why);
        row.setNextRefreshAt((long) Time.currentTime());
        VaultMetrics.revocation(row.getProviderAlias(), "parked");
    }

    /**
     * The proactive task sends a parked revocation: once more after a failed disconnect, or the first time after
     * the owner's removal. Sharing is decided now, against the connections that serve and the other parked rows.
     */
    void retry(KeycloakSession session, RealmModel realm, ConnectionEntity row) {
        EntityManager em = ConnectionVault.em(session);
        Optional<Opened> opened = openOrDrop(session, realm, row, "retry");
        if (opened.isEmpty()) {
            return;
        }
        String refreshToken = opened.get().refreshToken();
        String accessToken = opened.get().accessToken();
        Optional<UpstreamClient> client = ConduitBrokers.client(session, session.identityProviders().getByAlias(row.getProviderAlias()));
        String token = revocableToken(client, refreshToken, accessToken);
        if (client.isPresent() && token != null && sharedWithAnotherConnection(em, row, client.get(), refreshToken)) {
            em.remove(row);
            VaultEvents.revoked(session, realm, row, "retry", "kept_upstream_shared_grant");
            VaultMetrics.revocation(row.getProviderAlias(), "shared");
            return;
        }
        RevokeAnswer answer = client.isEmpty() || token == null ? new RevokeAnswer(true, 0, "nothing_to_revoke")
                : attempt(session, client.get(), token, token.equals(refreshToken), 1);
        if (answer.done()) {
            em.remove(row);
            VaultEvents.revoked(session, realm, row, "retry", answer.reason());
            VaultMetrics.revocation(row.getProviderAlias(), "revoked");
            return;
        }
        row.setFailureCount(row.getFailureCount() + 1);
        row.setLastError(answer.reason());
        row.setNextRefreshAt(Time.currentTime() + settings.failureBackoff().delay(row.getFailureCount() - 1, null).toSeconds() + 1);
        VaultEvents.revokeFailed(session, realm, row, "retry", answer.reason());
        VaultMetrics.revocation(row.getProviderAlias(), "failed");
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

    private RevokeAnswer attempt(KeycloakSession session, UpstreamClient client, String token, boolean refreshToken,
            int attempts) {
        UpstreamTokenCalls calls = new UpstreamTokenCalls(session, settings.connectTimeoutMillis(), settings.readTimeoutMillis());
        RevokeAnswer answer = null;
        for (int i = 0; i < attempts; i++) {
            if (i > 0) {
                try {
                    Thread.sleep(settings.inlineBackoff().delay(i - 1, null).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            answer = calls.revoke(client, token, refreshToken);
            if (!answer.retryNow()) {
                return answer;
            }
        }
        return answer == null ? RevokeAnswer.unreachable("interrupted") : answer;
    }

    /** HubSpot revokes refresh tokens only; the others take the refresh token (ending its access tokens too) or an access token. */
    private static String revocableToken(Optional<UpstreamClient> client, String refreshToken, String accessToken) {
        if (client.isPresent() && client.get().revocation() == UpstreamClient.Revocation.DELETE_PATH) {
            return refreshToken;
        }
        return refreshToken != null ? refreshToken : accessToken;
    }

    /**
     * Whether another connection that still serves keeps the token alive. Parked siblings do not count: rows removed
     * together each send their revocation, and the provider's "no such token" answer to the second counts as done
     * (a parked row never waits on another parked row, which may itself wait for its backoff for long).
     */
    private boolean sharedWithAnotherConnection(EntityManager em, ConnectionEntity row, UpstreamClient client,
            String refreshToken) {
        boolean wholeGrant = client.revocation() == UpstreamClient.Revocation.POST_FORM_WHOLE_GRANT;
        return em.createNamedQuery("conduitConnectionsByRealmAndAlias", ConnectionEntity.class)
                .setParameter("realmId", row.getRealmId())
                .setParameter("alias", row.getProviderAlias())
                .getResultStream()
                .filter(other -> !other.getId().equals(row.getId()))
                .filter(other -> ConnectionStatus.valueOf(other.getStatus()).serves())
                .anyMatch(other -> wholeGrant ? row.getAccountId() != null && Objects.equals(other.getAccountId(), row.getAccountId())
                        : refreshToken != null && refreshToken.equals(openQuietly(other)));
    }

    private String openQuietly(ConnectionEntity other) {
        try {
            return seal.refreshToken(other);
        } catch (TokenDecryptionException e) {
            return null;
        }
    }

    private void park(KeycloakSession session, RealmModel realm, ConnectionEntity row, String refreshToken,
            String accessToken, String why, String reason) {
        VaultEvents.revokeFailed(session, realm, row, why, reason);
        reown(row, refreshToken, accessToken);
        row.setFailureCount(1);
        row.setLastError(reason);
        Duration wait = settings.failureBackoff().delay(0, null);
        row.setNextRefreshAt(Time.currentTime() + wait.toSeconds() + 1);
        ConnectionVault.em(session).flush();
        VaultMetrics.revocation(row.getProviderAlias(), "parked");
        LOG.warnf("Could not revoke connection %s at %s (%s); will retry", row.getId(), row.getProviderAlias(), reason);
    }

    /** REVOKED under a fresh owner, so a reconnect of the old owner makes a new row instead of overwriting this one. */
    private void reown(ConnectionEntity row, String refreshToken, String accessToken) {
        row.setOwnerKind(TokenOwner.Kind.REVOKING.name());
        row.setOwnerId(UUID.randomUUID().toString());
        seal.seal(row, accessToken, refreshToken);
        row.setStatus(ConnectionStatus.REVOKED.name());
    }
}
