package dev.conduit.vault.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;

/** The data keys' queries ({@link DataKeyEntity}), in the caller's transaction. */
public final class DataKeyStore {

    private final EntityManager em;

    public DataKeyStore(EntityManager em) {
        this.em = em;
    }

    public static DataKeyStore of(VaultStore store) {
        return new DataKeyStore(store.entityManager());
    }

    /** The scope's ACTIVE key, or null. */
    public DataKeyEntity active(String realmId, String organizationId) {
        // no auto-flush: this runs on every seal, inside batches holding many changed rows of other tables
        return em.createQuery("select d from DataKeyEntity d where d.activeScope = :scope", DataKeyEntity.class)
                .setFlushMode(jakarta.persistence.FlushModeType.COMMIT)
                .setParameter("scope", DataKeyEntity.scope(realmId, organizationId))
                .getResultStream().findFirst().orElse(null);
    }

    public DataKeyEntity byId(String id) {
        return em.find(DataKeyEntity.class, id);
    }

    /** Inserts and flushes, so a second ACTIVE key of the scope fails here. */
    public void insert(DataKeyEntity key) {
        em.persist(key);
        em.flush();
    }

    /** Every data key of the realm (its organizations' included), oldest first. */
    public List<DataKeyEntity> ofRealm(String realmId) {
        return em.createQuery("select d from DataKeyEntity d where d.realmId = :realmId order by d.createdAt, d.id",
                DataKeyEntity.class).setParameter("realmId", realmId).getResultList();
    }

    /** The data keys of the realm's own scope (no organization's), the ACTIVE one first, then newest first. */
    public List<DataKeyEntity> ofRealmOwnScope(String realmId) {
        return em.createQuery("select d from DataKeyEntity d where d.realmId = :realmId and d.organizationId is null"
                        + " order by case when d.state = :active then 0 else 1 end, d.createdAt desc, d.id", DataKeyEntity.class)
                .setFlushMode(jakarta.persistence.FlushModeType.COMMIT)
                .setParameter("realmId", realmId).setParameter("active", DataKeyEntity.ACTIVE).getResultList();
    }

    /** The ids of the data keys not wrapped under {@code kekId}. */
    public List<String> idsNotWrappedUnder(String kekId) {
        return em.createQuery("select d.id from DataKeyEntity d where d.kekId <> :kekId order by d.id", String.class)
                .setParameter("kekId", kekId).getResultList();
    }

    /** The ids of the ACTIVE keys of the realm and its organizations. */
    public List<String> activeIdsOfRealm(String realmId) {
        return em.createQuery("select d.id from DataKeyEntity d where d.realmId = :realmId and d.state = :active", String.class)
                .setParameter("realmId", realmId).setParameter("active", DataKeyEntity.ACTIVE).getResultList();
    }

    /**
     * Retires the realm's ACTIVE keys (its organizations' too), at once in the database, so a new ACTIVE key of the same
     * scope can be inserted in this transaction. Answers the scopes retired, organization id by key id (null: the realm).
     */
    public Map<String, String> retireActive(String realmId) {
        Map<String, String> retired = new LinkedHashMap<>();
        for (DataKeyEntity key : em.createQuery("select d from DataKeyEntity d where d.realmId = :realmId and d.state = :active",
                DataKeyEntity.class).setParameter("realmId", realmId).setParameter("active", DataKeyEntity.ACTIVE).getResultList()) {
            retired.put(key.getId(), key.getOrganizationId());
        }
        em.createQuery("update DataKeyEntity d set d.state = :retired, d.activeScope = null where d.realmId = :realmId"
                        + " and d.state = :active")
                .setParameter("retired", DataKeyEntity.RETIRED).setParameter("active", DataKeyEntity.ACTIVE)
                .setParameter("realmId", realmId).executeUpdate();
        RowChanges.realm(realmId);
        return retired;
    }

    /**
     * Deletes the RETIRED keys of the realm that no connection, per-subject token or pending revocation uses, and that
     * keys no connection's refresh-token fingerprint ({@code f2.<id>.}: a realm key keys the fingerprints of its
     * organizations' rows too, whose {@code KEY_ID} is their organization's key).
     */
    public int deleteUnusedRetired(String realmId) {
        RowChanges.realm(realmId);
        return em.createQuery("delete from DataKeyEntity d where d.realmId = :realmId and d.state = :retired"
                        + " and not exists (select c.id from ConnectionEntity c where c.keyId = d.id)"
                        + " and not exists (select f.id from ConnectionEntity f where f.realmId = d.realmId"
                        + " and f.refreshFingerprint like concat('f2.', d.id, '.%'))"
                        + " and not exists (select t.keyId from SubjectTokenEntity t where t.keyId = d.id)"
                        + " and not exists (select p.id from PendingRevocationEntity p where p.keyId = d.id)"
                        + " and not exists (select r.id from RevocationClientEntity r where r.keyId = d.id)")
                .setParameter("realmId", realmId).setParameter("retired", DataKeyEntity.RETIRED).executeUpdate();
    }

    /** Crypto-shredding: deletes the organization's data keys. */
    public int deleteOrganization(String organizationId) {
        RowChanges.all();
        return em.createQuery("delete from DataKeyEntity d where d.organizationId = :org")
                .setParameter("org", organizationId).executeUpdate();
    }

    /** Crypto-shredding: deletes every data key of the realm, its organizations' included. */
    public int deleteRealm(String realmId) {
        RowChanges.realm(realmId);
        return em.createQuery("delete from DataKeyEntity d where d.realmId = :realmId")
                .setParameter("realmId", realmId).executeUpdate();
    }

    /**
     * The realms that hold connections (or pending revocations) sealed under no data key, or refresh-token fingerprints
     * made under the ring ({@code f1.}): v1 rows and fingerprints to migrate.
     */
    public List<String> realmsWithLegacyRows() {
        List<String> realms = new java.util.ArrayList<>(em.createQuery("select distinct c.realmId from ConnectionEntity c"
                + " where c.keyId is not null and not exists (select d.id from DataKeyEntity d where d.id = c.keyId)",
                String.class).getResultList());
        for (String realm : em.createQuery("select distinct c.realmId from ConnectionEntity c"
                + " where c.refreshFingerprint like 'f1.%'", String.class).getResultList()) {
            if (!realms.contains(realm)) {
                realms.add(realm);
            }
        }
        for (String realm : em.createQuery("select distinct p.realmId from PendingRevocationEntity p where p.keyId is not null"
                + " and not exists (select d.id from DataKeyEntity d where d.id = p.keyId)", String.class).getResultList()) {
            if (!realms.contains(realm)) {
                realms.add(realm);
            }
        }
        return realms;
    }
}
