package dev.conduit.exchange.upstream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * This node's memory of the answer "this realm has no client with this client id", which Keycloak's realm cache does
 * not keep (it keeps the clients it found): without it, every exchange naming a provider by {@code audience} asks the
 * database. Only that negative answer is kept, per realm and client id, for at most {@code ttlMillis}; a realm's answers
 * are dropped at once on this node when a client is created or renamed there ({@link #invalidate}, called before and
 * after the change commits), and other nodes' answers age out within the TTL. An answer looked up before an
 * invalidation is never kept after it: each realm has a generation, read before the lookup and compared when the answer
 * is kept. Bounded: past {@code capacity} answers, all are dropped. Plain logic, no Keycloak types.
 * <p>
 * What a stale answer can do: for at most the TTL after a client is created on another node with the alias of one of
 * the realm's Conduit brokers as its client id, this node routes {@code audience=<alias>} to Conduit's exchange instead of
 * Keycloak's: the caller gets what Conduit's checks allow it for that provider, as before the client existed, never
 * more.
 */
final class ClientIdMisses {

    private record Miss(long generation, long expiresAt) {
    }

    private final Map<String, Miss> misses = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final int capacity;
    private final long ttlMillis;
    private final LongSupplier clock;

    ClientIdMisses(int capacity, long ttlMillis, LongSupplier clock) {
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.clock = clock;
    }

    /** The realm's generation now: read it before looking up, hand it to {@link #recordMiss}. */
    long generation(String realmId) {
        AtomicLong generation = generations.get(realmId);
        return generation == null ? 0 : generation.get();
    }

    /** Whether this node knows, freshly, that the realm has no client with this client id. */
    boolean knownMissing(String realmId, String clientId) {
        Miss miss = misses.get(key(realmId, clientId));
        return miss != null && miss.expiresAt() > clock.getAsLong() && miss.generation() == generation(realmId);
    }

    /** Keeps a lookup's "no such client", unless the realm was invalidated since {@code generationBefore} was read. */
    void recordMiss(String realmId, String clientId, long generationBefore) {
        if (generation(realmId) != generationBefore) {
            return;
        }
        if (misses.size() >= capacity) {
            misses.clear();
        }
        misses.put(key(realmId, clientId), new Miss(generationBefore, clock.getAsLong() + ttlMillis));
        if (generation(realmId) != generationBefore) {
            // invalidated while we wrote: the entry carries the old generation and is never read as fresh
            misses.remove(key(realmId, clientId));
        }
    }

    /** Forgets every answer about this realm (a client was created or renamed in it, or the realm removed). */
    void invalidate(String realmId) {
        generations.computeIfAbsent(realmId, id -> new AtomicLong()).incrementAndGet();
        misses.keySet().removeIf(key -> key.startsWith(realmId + "\n"));
    }

    int size() {
        return misses.size();
    }

    private static String key(String realmId, String clientId) {
        return realmId + "\n" + clientId;
    }
}
