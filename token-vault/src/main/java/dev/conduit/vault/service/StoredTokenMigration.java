package dev.conduit.vault.service;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.api.vault.ConduitVault;
import dev.conduit.api.vault.ConnectionKey;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Moves the tokens Keycloak's Store Tokens kept in clear ({@code FEDERATED_IDENTITY.TOKEN}) of one Conduit broker into
 * the vault, as the user's connection a broker login would store ({@link ConduitVault#accept}), and clears the column.
 *
 * <p>Batches of {@value #BATCH} identities, each in its own transaction: the sealed row and the cleared column commit
 * together, so a run stopped anywhere (a crash) leaves each identity either migrated or untouched, and a new run simply
 * continues with the identities that still have a token. An identity whose user already has a vault connection of that
 * provider keeps the vault's (it came from a login through Conduit, later than anything Keycloak stored): skipped, and
 * its stale plaintext cleared. A token that is no token response is left as it is and counted ({@code unparseable}).
 */
public final class StoredTokenMigration {

    private static final Logger LOG = Logger.getLogger(StoredTokenMigration.class);

    static final int BATCH = 500;

    /** A run's figures; {@code remaining} counts the identities that still hold a token in clear. */
    public record Progress(String state, long migrated, long skipped, long unparseable, long remaining) {
        Progress plus(BatchCounts batch, long remaining, String state) {
            return new Progress(state, migrated + batch.migrated, skipped + batch.skipped,
                    unparseable + batch.unparseable, remaining);
        }
    }

    /** Thrown when a migration of that provider is already running on this node. */
    public static final class AlreadyRunning extends RuntimeException {
        AlreadyRunning() {
            super("A migration of this identity provider is already running");
        }
    }

    /** Thrown when a batch failed (rolled back whole); carries the figures of the batches committed before it. */
    public static final class Stopped extends RuntimeException {
        private final transient Progress progress;

        Stopped(Progress progress, RuntimeException cause) {
            super("The migration stopped at a batch that failed; that batch was rolled back", cause);
            this.progress = progress;
        }

        public Progress progress() {
            return progress;
        }
    }

    private record BatchCounts(int seen, int migrated, int skipped, int unparseable, String lastUserId) {
    }

    private final KeycloakSessionFactory factory;
    private final ConnectionVault vault;
    private final Map<String, Progress> latest = new ConcurrentHashMap<>();

    StoredTokenMigration(KeycloakSessionFactory factory, ConnectionVault vault) {
        this.factory = factory;
        this.vault = vault;
    }

    /** Runs the migration of {@code alias} (a Conduit broker of the realm, checked by the caller) to the end. */
    public Progress run(String realmId, String alias, String providerId) {
        String key = realmId + "/" + alias;
        Progress progress = new Progress("RUNNING", 0, 0, 0, remaining(realmId, alias));
        Progress begun = progress;
        if (latest.compute(key, (k, last) -> last != null && "RUNNING".equals(last.state()) ? last : begun) != begun) {
            throw new AlreadyRunning();
        }
        long started = System.nanoTime();
        String after = "";
        try {
            while (true) {
                String from = after;
                BatchCounts batch = KeycloakModelUtils.runJobInTransactionWithResult(factory,
                        session -> batch(session, realmId, alias, providerId, from));
                after = batch.lastUserId();
                boolean done = batch.seen() < BATCH;
                progress = progress.plus(batch, remaining(realmId, alias), done ? "FINISHED" : "RUNNING");
                latest.put(key, progress);
                if (done) {
                    break;
                }
            }
        } catch (RuntimeException failed) {
            Progress stopped = new Progress("FAILED", progress.migrated(), progress.skipped(), progress.unparseable(),
                    progress.remaining());
            latest.put(key, stopped);
            LOG.warnf("Stored-token migration of %s in realm %s stopped after %d migrated: a batch failed (%s); run it"
                    + " again to continue", alias, realmId, stopped.migrated(), failed.getClass().getName());
            throw new Stopped(stopped, failed);
        }
        LOG.infof("Stored-token migration of %s in realm %s: %d migrated, %d skipped, %d unparseable, %d remaining, %d ms",
                alias, realmId, progress.migrated(), progress.skipped(), progress.unparseable(), progress.remaining(),
                (System.nanoTime() - started) / 1_000_000);
        return progress;
    }

    /** The latest run's figures on this node with {@code remaining} counted now, else a not-started answer. */
    public Progress progress(String realmId, String alias) {
        Progress last = latest.get(realmId + "/" + alias);
        long remaining = remaining(realmId, alias);
        return last == null ? new Progress("NOT_STARTED", 0, 0, 0, remaining)
                : new Progress(last.state(), last.migrated(), last.skipped(), last.unparseable(), remaining);
    }

    private long remaining(String realmId, String alias) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, session -> em(session)
                .createQuery("select count(f) from FederatedIdentityEntity f where f.realmId = :realm"
                        + " and f.identityProvider = :alias and f.token is not null", Long.class)
                .setParameter("realm", realmId).setParameter("alias", alias).getSingleResult());
    }

    private BatchCounts batch(KeycloakSession session, String realmId, String alias, String providerId, String after) {
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
        return new BatchCounts(userIds.size(), migrated, skipped, unparseable,
                userIds.isEmpty() ? after : userIds.get(userIds.size() - 1));
    }

    private static EntityManager em(KeycloakSession session) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }
}
