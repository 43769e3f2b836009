package dev.conduit.vault.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/** The stored-token migration runs' queries ({@link MigrationRunEntity}), in the caller's transaction. */
public final class MigrationRunStore {

    private final EntityManager em;

    public MigrationRunStore(EntityManager em) {
        this.em = em;
    }

    public static MigrationRunStore of(KeycloakSession session) {
        return new MigrationRunStore(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    /** The run of the realm's alias, or null; read without a lock. */
    public MigrationRunEntity find(String realmId, String alias) {
        return em.createQuery("select r from MigrationRunEntity r where r.realmId = :realmId and r.providerAlias = :alias",
                        MigrationRunEntity.class)
                .setParameter("realmId", realmId).setParameter("alias", alias)
                .getResultStream().findFirst().orElse(null);
    }

    /**
     * The run under its database lock (SELECT ... FOR UPDATE) until the transaction ends, or null: a start or takeover
     * and a batch of the run exclude each other, whatever node they run on.
     */
    public MigrationRunEntity locked(String realmId, String alias) {
        return em.createQuery("select r from MigrationRunEntity r where r.realmId = :realmId and r.providerAlias = :alias",
                        MigrationRunEntity.class)
                .setParameter("realmId", realmId).setParameter("alias", alias)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultStream().findFirst().orElse(null);
    }

    /** Inserts a first run and flushes, so a concurrent first insert of the same alias fails here (unique key). */
    public void persist(MigrationRunEntity run) {
        em.persist(run);
        em.flush();
    }

    /** The runs of a realm that is being removed. */
    public int deleteRealm(String realmId) {
        return em.createQuery("delete from MigrationRunEntity r where r.realmId = :realmId")
                .setParameter("realmId", realmId).executeUpdate();
    }

    /** The run of an identity provider that is being removed. */
    public int deleteAlias(String realmId, String alias) {
        return em.createQuery("delete from MigrationRunEntity r where r.realmId = :realmId and r.providerAlias = :alias")
                .setParameter("realmId", realmId).setParameter("alias", alias).executeUpdate();
    }
}
