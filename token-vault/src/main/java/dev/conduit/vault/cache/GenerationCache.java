package dev.conduit.vault.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A bounded, node-local read-through cache whose entries a writer can always take back: every invalidation bumps a
 * generation, and a value read before an invalidation is refused when it is put after it.
 *
 * <p>A reader takes a {@link Ticket} for the key <em>before</em> it reads the database, and hands it back with what it
 * read: {@link #put} keeps the value only if no invalidation of that key (or of everything) happened since the ticket.
 * So a reader that read the old row while a writer committed cannot put the old row back after the writer's
 * invalidation, whatever the interleaving: the ticket check and the insert happen under the same lock as the
 * invalidation. Generations are kept per stripe of keys (a fixed array), not per key, so they take bounded memory;
 * two keys of one stripe only cost each other a cache miss.
 *
 * <p>Entries live at most {@code maxAgeMillis} from their put, and never past the deadline the caller gives (the
 * moment the cached value stops being servable as is); the least recently used leave first beyond {@code maxEntries}.
 * A cache of size 0 holds nothing. The clock is injected (milliseconds, monotonic) so the tests drive it.
 */
public final class GenerationCache<K, V> {

    private static final int STRIPES = 4096;

    /** What a reader holds between taking it and putting what it read. */
    public record Ticket(int stripe, long generation, long epoch) {
    }

    private record Entry<V>(V value, long expiresAtMillis) {
    }

    private final int maxEntries;
    private final long maxAgeMillis;
    private final LongSupplier clockMillis;
    private final long[] generations = new long[STRIPES];
    private long epoch;
    private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);

    public GenerationCache(int maxEntries, long maxAgeMillis, LongSupplier clockMillis) {
        if (maxEntries < 0 || maxAgeMillis < 0) {
            throw new IllegalArgumentException("cache size and age must not be negative");
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAgeMillis;
        this.clockMillis = clockMillis;
    }

    /** Whether this cache can hold anything at all (size and age above 0). */
    public boolean enabled() {
        return maxEntries > 0 && maxAgeMillis > 0;
    }

    /** Take before reading the source of truth. */
    public synchronized Ticket ticket(K key) {
        int stripe = stripe(key);
        return new Ticket(stripe, generations[stripe], epoch);
    }

    /** The cached value, when present and not past its deadline. */
    public synchronized Optional<V> get(K key) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (clockMillis.getAsLong() >= entry.expiresAtMillis()) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    /**
     * Keeps {@code value}, read after {@code ticket} was taken, until {@code notAfterMillis} at the latest (same clock);
     * refused (false) when the key or everything was invalidated since the ticket, or when the cache is off.
     */
    public synchronized boolean put(K key, Ticket ticket, V value, long notAfterMillis) {
        if (!enabled() || ticket.stripe() != stripe(key) || generations[ticket.stripe()] != ticket.generation()
                || epoch != ticket.epoch()) {
            return false;
        }
        long now = clockMillis.getAsLong();
        long expires = Math.min(now + maxAgeMillis, notAfterMillis);
        if (expires <= now) {
            return false;
        }
        entries.put(key, new Entry<>(value, expires));
        Iterator<Map.Entry<K, Entry<V>>> eldest = entries.entrySet().iterator();
        while (entries.size() > maxEntries) {
            eldest.next();
            eldest.remove();
        }
        return true;
    }

    /** Drops the key and refuses every value read for it before now. */
    public synchronized void invalidate(K key) {
        generations[stripe(key)]++;
        entries.remove(key);
    }

    /** Drops every key {@code matching} and refuses every value read before now, for any key. */
    public synchronized void invalidateIf(Predicate<K> matching) {
        epoch++;
        entries.keySet().removeIf(matching);
    }

    /** Drops everything and refuses every value read before now. */
    public synchronized void invalidateAll() {
        epoch++;
        entries.clear();
    }

    public synchronized int size() {
        return entries.size();
    }

    private static int stripe(Object key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }
}
