package dev.conduit.vault.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/**
 * The vault's queries, in the caller's transaction: connections by key, owner and id, the proactive and health
 * indexes, the admin listing and counts, paged ids for key rotation, the scheduled task's rounds and the refresh
 * attempts, and the removals' lookups and purges. Besides, {@link PendingStore} has the pending revocations of removed
 * identity providers and realms, {@link MigrationRunStore} the stored-token migration runs; the migration's reads of
 * Keycloak's {@code FEDERATED_IDENTITY} are in {@code service.StoredTokenBatches}.
 */
public final class VaultStore {

    private final EntityManager em;

    public VaultStore(EntityManager em) {
        this.em = em;
    }

    public static VaultStore of(KeycloakSession session) {
        RowChanges.watch(session);
        return new VaultStore(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    public EntityManager entityManager() {
        return em;
    }

    public Optional<ConnectionEntity> find(String realmId, String ownerKind, String ownerId, String alias) {
        return em.createNamedQuery("conduitConnectionByOwnerAndAlias", ConnectionEntity.class)
                .setParameter("realmId", realmId)
                .setParameter("ownerKind", ownerKind)
                .setParameter("ownerId", ownerId)
                .setParameter("alias", alias)
                .getResultStream()
                .findFirst();
    }

    /** The row, or null. */
    public ConnectionEntity byId(String id) {
        return em.find(ConnectionEntity.class, id);
    }

    /** The row under its database lock (SELECT ... FOR UPDATE) until the transaction ends, or null. */
    public ConnectionEntity locked(String id) {
        return em.find(ConnectionEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
    }

    /** Takes the database lock of a row read earlier in this transaction and re-reads it. */
    public void lockAndRefresh(ConnectionEntity row) {
        em.lock(row, LockModeType.PESSIMISTIC_WRITE);
        em.refresh(row);
    }

    public void persist(ConnectionEntity row) {
        em.persist(row);
    }

    public void flush() {
        em.flush();
    }

    public List<ConnectionEntity> byOwner(String realmId, String ownerKind, String ownerId) {
        return em.createNamedQuery("conduitConnectionsByOwner", ConnectionEntity.class)
                .setParameter("realmId", realmId)
                .setParameter("ownerKind", ownerKind)
                .setParameter("ownerId", ownerId)
                .getResultList();
    }

    /** Every connection an owner holds, in any realm (organizations are looked up by id alone). */
    public List<ConnectionEntity> byOwnerId(String ownerKind, String ownerId) {
        return em.createNamedQuery("conduitConnectionsByOwnerId", ConnectionEntity.class)
                .setParameter("ownerKind", ownerKind)
                .setParameter("ownerId", ownerId)
                .getResultList();
    }

    public List<ConnectionEntity> byRealmAndAlias(String realmId, String alias) {
        return em.createNamedQuery("conduitConnectionsByRealmAndAlias", ConnectionEntity.class)
                .setParameter("realmId", realmId)
                .setParameter("alias", alias)
                .getResultList();
    }

    /** The provider aliases the realm's connections name. */
    public List<String> aliasesOfRealm(String realmId) {
        return em.createQuery("select distinct c.providerAlias from ConnectionEntity c where c.realmId = :realmId", String.class)
                .setParameter("realmId", realmId)
                .getResultList();
    }

    /** Deletes every row of the realm in one statement; the count deleted. */
    public int purgeRealm(String realmId) {
        RowChanges.realm(realmId);
        return em.createNamedQuery("conduitPurgeRealm").setParameter("realmId", realmId).executeUpdate();
    }

    /** Deletes every row of the realm's provider alias in one statement; the count deleted. */
    public int purgeRealmAlias(String realmId, String alias) {
        RowChanges.realm(realmId);
        return em.createNamedQuery("conduitPurgeRealmAlias")
                .setParameter("realmId", realmId)
                .setParameter("alias", alias)
                .executeUpdate();
    }

    /** Ids whose NEXT_REFRESH_AT has passed, soonest first; {@code realmId} null for every realm. */
    public List<String> dueIds(long due, String realmId, int max) {
        TypedQuery<String> query = em.createNamedQuery(realmId == null ? "conduitConnectionsDue" : "conduitConnectionsDueInRealm",
                String.class).setParameter("due", due);
        if (realmId != null) {
            query.setParameter("realmId", realmId);
        }
        return query.setMaxResults(max).getResultList();
    }

    /** Ids of serving connections not health-checked since {@code before}, longest unchecked first. */
    public List<String> healthDueIds(long before, int max) {
        return em.createNamedQuery("conduitConnectionsHealthDue", String.class)
                .setParameter("before", before)
                .setMaxResults(max)
                .getResultList();
    }

    /** One page of the realm's connection ids, in id order, after {@code afterId} (null for the first page). */
    public List<String> idsByRealmAfter(String realmId, String afterId, int max) {
        return em.createQuery("select c.id from ConnectionEntity c where c.realmId = :realmId and c.id > :after"
                        + " order by c.id", String.class)
                .setParameter("realmId", realmId)
                .setParameter("after", afterId == null ? "" : afterId)
                .setMaxResults(max)
                .getResultList();
    }

    /**
     * Whether another serving connection of the realm and provider holds a refresh token whose stored fingerprint is
     * one of {@code fingerprints} (the token's fingerprints under each key of the ring): one index lookup
     * (IDX_CONDUIT_CONNECTION_FINGERPRINT).
     */
    public boolean anotherServingHolds(String realmId, String alias, List<String> fingerprints, String exceptId) {
        return !em.createNamedQuery("conduitSharesRefreshToken", String.class)
                .setParameter("realmId", realmId).setParameter("alias", alias)
                .setParameter("fingerprints", fingerprints).setParameter("id", exceptId)
                .setMaxResults(1).getResultList().isEmpty();
    }

    /** Whether another serving connection of the realm and provider is of the same upstream account (IDX_CONDUIT_CONNECTION_ACCOUNT). */
    public boolean anotherServingOfAccount(String realmId, String alias, String accountId, String exceptId) {
        return !em.createNamedQuery("conduitSharesAccount", String.class)
                .setParameter("realmId", realmId).setParameter("alias", alias)
                .setParameter("accountId", accountId).setParameter("id", exceptId)
                .setMaxResults(1).getResultList().isEmpty();
    }

    /** Serving connections of the realm and provider with a refresh token but no fingerprint yet (rows from before changelog 0008). */
    public List<ConnectionEntity> unfingerprintedServing(String realmId, String alias, String exceptId) {
        return em.createNamedQuery("conduitUnfingerprintedServing", ConnectionEntity.class)
                .setParameter("realmId", realmId).setParameter("alias", alias).setParameter("id", exceptId)
                .getResultList();
    }

    /** One page of ids of rows with a refresh token and no fingerprint, in id order, after {@code afterId} (null for the first). */
    public List<String> unfingerprintedIds(String afterId, int max) {
        return em.createNamedQuery("conduitUnfingerprintedIds", String.class)
                .setParameter("after", afterId == null ? "" : afterId)
                .setMaxResults(max).getResultList();
    }

    /**
     * Writes a row's missing fingerprint, only while the row still holds the sealed refresh token it was computed
     * from (a refresh that sealed another one meanwhile wrote that one's fingerprint); true when written.
     */
    public boolean fillFingerprint(String id, String sealedRefreshToken, String fingerprint) {
        RowChanges.all();
        return em.createNamedQuery("conduitFillFingerprint")
                .setParameter("fingerprint", fingerprint).setParameter("id", id).setParameter("sealed", sealedRefreshToken)
                .executeUpdate() == 1;
    }

    /** Admin listing: equality filters by entity field (ownerKind, ownerId, providerAlias, status), paged. */
    public List<ConnectionEntity> connections(String realmId, Map<String, String> filters, int first, int max) {
        StringBuilder jpql = new StringBuilder("select c from ConnectionEntity c where c.realmId = :realmId");
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("realmId", realmId);
        filters.forEach((field, value) -> {
            if (!ADMIN_FILTERS.contains(field)) {
                throw new IllegalArgumentException("not a filter: " + field);
            }
            if (value != null && !value.isBlank()) {
                jpql.append(" and c.").append(field).append(" = :").append(field);
                parameters.put(field, value.trim());
            }
        });
        jpql.append(" order by c.providerAlias, c.ownerKind, c.ownerId, c.id");
        TypedQuery<ConnectionEntity> query = em.createQuery(jpql.toString(), ConnectionEntity.class);
        parameters.forEach(query::setParameter);
        return query.setFirstResult(first).setMaxResults(max).getResultList();
    }

    private static final List<String> ADMIN_FILTERS = List.of("ownerKind", "ownerId", "providerAlias", "status");

    /** Connections by status in the realm (statuses without any are absent). */
    public Map<String, Long> countsByStatus(String realmId) {
        return counts("select c.status, count(c) from ConnectionEntity c where c.realmId = :realmId group by c.status", realmId);
    }

    /** Connections by the key id that seals them, in the realm. */
    public Map<String, Long> countsByKey(String realmId) {
        return counts("select c.keyId, count(c) from ConnectionEntity c where c.realmId = :realmId group by c.keyId", realmId);
    }

    private Map<String, Long> counts(String jpql, String realmId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        em.createQuery(jpql, Object[].class).setParameter("realmId", realmId).getResultList()
                .forEach(row -> counts.put(String.valueOf(row[0]), (Long) row[1]));
        return counts;
    }

    /** Claims a scheduled task's round for {@code node}: true when this update won it (see ProactiveRefreshTask). */
    public boolean claimRound(String task, long round, String node, long now) {
        return em.createNamedQuery("conduitClaimRound")
                .setParameter("round", round).setParameter("node", node).setParameter("now", now).setParameter("task", task)
                .executeUpdate() == 1;
    }

    /** A per-user connection's token row for {@code subject} under its database lock, or null. */
    public SubjectTokenEntity lockedSubjectToken(String connectionId, String subject) {
        return em.createQuery("select t from SubjectTokenEntity t where t.connectionId = :id and t.subject = :subject",
                        SubjectTokenEntity.class)
                .setParameter("id", connectionId).setParameter("subject", subject)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultStream().findFirst().orElse(null);
    }

    public void persist(SubjectTokenEntity token) {
        em.persist(token);
    }

    public void remove(SubjectTokenEntity token) {
        em.remove(token);
    }

    /** Drops a connection's cached per-subject tokens (they are minted again on use); the count. */
    public int deleteSubjectTokens(String connectionId) {
        return em.createQuery("delete from SubjectTokenEntity t where t.connectionId = :id")
                .setParameter("id", connectionId).executeUpdate();
    }

    public RefreshAttemptEntity attempt(String connectionId) {
        return em.find(RefreshAttemptEntity.class, connectionId);
    }

    public void persist(RefreshAttemptEntity attempt) {
        em.persist(attempt);
    }

    public void deleteAttempt(String connectionId) {
        em.createNamedQuery("conduitFinishRefreshAttempt").setParameter("id", connectionId).executeUpdate();
    }
}
