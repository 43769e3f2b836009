package dev.conduit.vault.service;

import java.util.List;
import java.util.Optional;

import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.api.vault.ConduitVault;
import dev.conduit.api.vault.ConnectionKey;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * One batch of {@link StoredTokenMigration}, in the caller's transaction: the next {@value #BATCH} identities of the
 * alias with a token in clear after a user id (in user id order), each moved into the vault through
 * {@link ConduitVault#accept} (the login path) or skipped (the vault holds a connection already), its column cleared;
 * or left as it is when its token is no token response.
 */
final class StoredTokenBatches {

    private static final Logger LOG = Logger.getLogger(StoredTokenBatches.class);

    static final int BATCH = 500;

    /** A batch's figures; {@code lastUserId} is the cursor the next batch starts after. */
    record Counts(int seen, int migrated, int skipped, int unparseable, String lastUserId) {
        /** Fewer than a full batch: none is left after it. */
        boolean last() {
            return seen < BATCH;
        }
    }

    private final ConnectionVault vault;

    StoredTokenBatches(ConnectionVault vault) {
        this.vault = vault;
    }

    /** How many identities of the alias still hold a token in clear, in the caller's transaction. */
    static long remaining(KeycloakSession session, String realmId, String alias) {
        return em(session).createQuery("select count(f) from FederatedIdentityEntity f where f.realmId = :realm"
                        + " and f.identityProvider = :alias and f.token is not null", Long.class)
                .setParameter("realm", realmId).setParameter("alias", alias).getSingleResult();
    }

    /** The batch after the user id {@code after} (the cursor; empty for the first). */
    Counts next(KeycloakSession session, String realmId, String alias, String providerId, String after) {
        RealmModel realm = session.realms().getRealm(realmId);
        session.getContext().setRealm(realm);
        List<String> userIds = em(session).createQuery("select f.user.id from FederatedIdentityEntity f"
                        + " where f.realmId = :realm and f.identityProvider = :alias and f.token is not null"
                        + " and f.user.id > :after order by f.user.id", String.class)
                .setParameter("realm", realmId).setParameter("alias", alias).setParameter("after", after)
                .setMaxResults(BATCH).getResultList();
        ConduitVault conduitVault = session.getProvider(ConduitVault.class);
        long now = Time.currentTime();
        int migrated = 0;
        int skipped = 0;
        int unparseable = 0;
        for (String userId : userIds) {
            UserModel user = session.users().getUserById(realm, userId);
            FederatedIdentityModel identity = user == null ? null : session.users().getFederatedIdentity(realm, user, alias);
            if (identity == null || identity.getToken() == null) {
                continue;
            }
            if (vault.find(session, ConnectionKey.user(realmId, userId, alias)).isPresent()) {
                skipped++;
            } else {
                Optional<UpstreamGrant> grant = StoredTokens.grant(identity.getToken(), providerId, alias,
                        identity.getUserId(), now);
                if (grant.isEmpty()) {
                    unparseable++;
                    LOG.debugf("Stored token of user %s for %s is no token response; left as it is", userId, alias);
                    continue;
                }
                conduitVault.accept(realm, user, grant.get());
                migrated++;
            }
            session.users().updateFederatedIdentity(realm, user, new FederatedIdentityModel(alias, identity.getUserId(),
                    identity.getUserName(), null));
        }
        return new Counts(userIds.size(), migrated, skipped, unparseable,
                userIds.isEmpty() ? after : userIds.get(userIds.size() - 1));
    }

    private static EntityManager em(KeycloakSession session) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }
}
