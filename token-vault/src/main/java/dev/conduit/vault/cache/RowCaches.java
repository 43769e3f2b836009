package dev.conduit.vault.cache;

import java.util.Optional;
import java.util.function.LongSupplier;

import dev.conduit.api.vault.ConnectionKey;
import dev.conduit.vault.store.ConnectionEntity;

/**
 * This node's cache of sealed rows (issue 17): CONDUIT_CONNECTION rows by connection key and CONDUIT_DATA_KEY rows by
 * id, as stored (token columns and wrapped keys sealed, never a token or key in clear), so an exchange with a fresh
 * token reads neither table. Each hit hands out a copy, so no caller can change what is cached.
 *
 * <p><b>Why a cached row is never served after a change made through Keycloak, on any node.</b>
 * <ol>
 *   <li>Every write of either table goes through the entity manager, whose lifecycle callbacks, or through one of the
 *       few bulk statements, which say so themselves ({@code store.RowChanges}); both reach
 *       {@link #apply(Invalidation)} on this node at once, before the transaction commits, and again after it ends
 *       (commit or rollback), then on every other node through Keycloak's cluster events
 *       ({@code keycloak.RowCacheCluster}).</li>
 *   <li>The after-commit message is sent before the request that wrote returns: Keycloak puts it into its replicated
 *       {@code work} cache, synchronously, and the other nodes' listeners run as they apply it. So an attacker who
 *       disconnects on node A and, once A answered, exchanges on node B finds B's entry gone.</li>
 *   <li>A reader that read the old row while the writer committed cannot put it back after that invalidation: it took a
 *       generation ticket before reading ({@link GenerationCache}), and the invalidation made that ticket stale.</li>
 *   <li>Whatever the cluster does, an entry lives at most {@code row-cache-max-age-seconds} and never past the
 *       token's expiry; a token due for refresh is never served from here: the refresh goes through the locked
 *       path, which reads the row from the database.</li>
 *   <li>Until this node's cluster listener is registered, nothing is cached or served from here.</li>
 * </ol>
 * A change written to the tables by SQL outside Keycloak is not seen before {@code row-cache-max-age-seconds}, unless
 * an administrator calls the realm's {@code row-cache/invalidate} (docs/operations.md).
 */
public final class RowCaches {

    /** A data key's row as stored: the wrapped form, never the key. */
    public record SealedKeyRow(String id, String realmId, String organizationId, String wrapped) {
    }

    private final GenerationCache<ConnectionKey, ConnectionEntity> rows;
    private final GenerationCache<String, SealedKeyRow> dataKeys;
    private volatile boolean live;

    /** @param clockMillis wall-clock milliseconds (Keycloak's time, offset included): entries end at the token's expiry on it */
    public RowCaches(int maxEntries, long maxAgeMillis, LongSupplier clockMillis) {
        this.rows = new GenerationCache<>(maxEntries, maxAgeMillis, clockMillis);
        this.dataKeys = new GenerationCache<>(maxEntries, maxAgeMillis, clockMillis);
    }

    /** Once this node hears every node's invalidations: from then on the caches fill and serve. */
    public void goLive() {
        live = true;
    }

    public boolean serving() {
        return live && rows.enabled();
    }

    public GenerationCache.Ticket rowTicket(ConnectionKey key) {
        return rows.ticket(key);
    }

    /** A copy of the cached row, when there is one. */
    public Optional<ConnectionEntity> row(ConnectionKey key) {
        return serving() ? rows.get(key).map(ConnectionEntity::copy) : Optional.empty();
    }

    /**
     * Keeps a copy of {@code row}, read from the database after {@code ticket}, while its access token lasts; refused
     * when the key was invalidated since the ticket.
     */
    public boolean keepRow(ConnectionKey key, GenerationCache.Ticket ticket, ConnectionEntity row) {
        return serving() && rows.put(key, ticket, row.copy(), row.getExpiresAt() * 1000);
    }

    public GenerationCache.Ticket dataKeyTicket(String id) {
        return dataKeys.ticket(id);
    }

    public Optional<SealedKeyRow> dataKey(String id) {
        return serving() ? dataKeys.get(id) : Optional.empty();
    }

    public boolean keepDataKey(GenerationCache.Ticket ticket, SealedKeyRow row) {
        return serving() && dataKeys.put(row.id(), ticket, row, Long.MAX_VALUE);
    }

    /** What a write changed; idempotent, so the same change may arrive twice (before and after commit, then from the cluster). */
    public void apply(Invalidation change) {
        switch (change.kind()) {
            case ROW -> rows.invalidate(change.row());
            case DATA_KEY -> dataKeys.invalidate(change.id());
            case REALM -> {
                rows.invalidateIf(key -> key.realmId().equals(change.id()));
                // data keys are cached by id alone: a realm's change takes them all (they are few and cheap to read)
                dataKeys.invalidateAll();
            }
            case ALL -> {
                rows.invalidateAll();
                dataKeys.invalidateAll();
            }
        }
    }

    public int rowCount() {
        return rows.size();
    }

    public int dataKeyCount() {
        return dataKeys.size();
    }
}
