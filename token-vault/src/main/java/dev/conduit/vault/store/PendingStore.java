package dev.conduit.vault.store;

import java.util.List;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;

/**
 * The pending revocations' queries ({@link PendingRevocationEntity}, {@link RevocationClientEntity}), in the caller's
 * transaction: the set-based park of a realm's or an alias's connections, the due ids, the locked row, the cleanup.
 */
public final class PendingStore {

    private final EntityManager em;

    public PendingStore(EntityManager em) {
        this.em = em;
    }

    public static PendingStore of(VaultStore store) {
        return new PendingStore(store.entityManager());
    }

    public void persist(RevocationClientEntity client) {
        em.persist(client);
        em.flush();
    }

    /**
     * The connections of the realm's alias that hold a token, one per refresh token (the smallest id of the rows with the
     * same keyed fingerprint; rows without a fingerprint, from before changelog 0008, each): one aggregate query.
     */
    public List<String> revocableIds(String realmId, String alias) {
        return em.createQuery("select min(c.id) from ConnectionEntity c where c.realmId = :realmId and c.providerAlias = :alias"
                        + " and (c.refreshToken is not null or c.accessToken is not null)"
                        + " group by coalesce(c.refreshFingerprint, c.id)", String.class)
                .setParameter("realmId", realmId).setParameter("alias", alias)
                .getResultList();
    }

    /**
     * Copies the sealed tokens of these connections into pending revocations sent with {@code clientId}, in one
     * statement (by primary key); answers the count copied.
     */
    public int parkConnections(List<String> ids, String clientId, String why, long now) {
        return em.createQuery("insert into PendingRevocationEntity (id, clientId, realmId, ownerKind, ownerId, providerAlias,"
                        + " accessToken, refreshToken, keyId, why, createdAt, nextAttemptAt, attempts, leaseUntil)"
                        + " select c.id, :clientId, c.realmId, c.ownerKind, c.ownerId, c.providerAlias, c.accessToken,"
                        + " c.refreshToken, c.keyId, :why, :now, :now, 0, 0L from ConnectionEntity c where c.id in :ids")
                .setParameter("clientId", clientId).setParameter("why", why).setParameter("now", now)
                .setParameter("ids", ids)
                .executeUpdate();
    }

    /** Ids of pending revocations whose next attempt is due, soonest first; {@code realmId} null for every realm. */
    public List<String> dueIds(long now, String realmId, int max) {
        TypedQuery<String> query = em.createQuery("select p.id from PendingRevocationEntity p where p.nextAttemptAt <= :now"
                + (realmId == null ? "" : " and p.realmId = :realmId") + " order by p.nextAttemptAt", String.class)
                .setParameter("now", now);
        if (realmId != null) {
            query.setParameter("realmId", realmId);
        }
        return query.setMaxResults(max).getResultList();
    }

    /** How many are pending; {@code realmId} null for every realm. */
    public long count(String realmId) {
        TypedQuery<Long> query = em.createQuery("select count(p) from PendingRevocationEntity p"
                + (realmId == null ? "" : " where p.realmId = :realmId"), Long.class);
        if (realmId != null) {
            query.setParameter("realmId", realmId);
        }
        return query.getSingleResult();
    }

    /** The pending revocation under its database lock until the transaction ends, or null. */
    public PendingRevocationEntity locked(String id) {
        return em.find(PendingRevocationEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
    }

    public RevocationClientEntity client(String id) {
        return em.find(RevocationClientEntity.class, id);
    }

    public RevocationClientEntity lockedClient(String id) {
        return em.find(RevocationClientEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
    }

    public void remove(PendingRevocationEntity pending) {
        em.remove(pending);
    }

    /** Deletes the revocation settings no pending revocation names any more; the count deleted. */
    public int deleteUnusedClients() {
        return em.createQuery("delete from RevocationClientEntity c where not exists"
                + " (select p.id from PendingRevocationEntity p where p.clientId = c.id)").executeUpdate();
    }

    /**
     * One page of ids, in id order after {@code afterId} (null for the first), of pending revocations (or of their
     * settings, {@code clients}) of the realm, or also of realms that no longer exist ({@code orphans}).
     */
    public List<String> idsAfter(boolean clients, String realmId, boolean orphans, String afterId, int max) {
        String entity = clients ? "RevocationClientEntity" : "PendingRevocationEntity";
        return em.createQuery("select p.id from " + entity + " p where p.id > :after and (p.realmId = :realmId"
                        + (orphans ? " or not exists (select r.id from RealmEntity r where r.id = p.realmId)" : "")
                        + ") order by p.id", String.class)
                .setParameter("after", afterId == null ? "" : afterId)
                .setParameter("realmId", realmId)
                .setMaxResults(max)
                .getResultList();
    }

    /** The realm's pending revocations, or with {@code organizationId} those of that organization's connections. */
    public List<PendingRevocationEntity> ofRealm(String realmId, String organizationId) {
        var query = em.createQuery("select p from PendingRevocationEntity p where p.realmId = :realmId"
                        + (organizationId == null ? "" : " and p.ownerKind = 'ORGANIZATION' and p.ownerId = :org"),
                        PendingRevocationEntity.class)
                .setParameter("realmId", realmId);
        if (organizationId != null) {
            query.setParameter("org", organizationId);
        }
        return query.getResultList();
    }

    /** The realm's removed providers' settings. */
    public List<RevocationClientEntity> clientsOfRealm(String realmId) {
        return em.createQuery("select c from RevocationClientEntity c where c.realmId = :realmId", RevocationClientEntity.class)
                .setParameter("realmId", realmId).getResultList();
    }
}
