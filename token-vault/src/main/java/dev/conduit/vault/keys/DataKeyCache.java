package dev.conduit.vault.keys;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Unwrapped data keys in this node's memory, for a bounded time from their unwrap and a bounded count (least recently
 * used out first), keyed by the exact sealed form they were opened from. A key leaving the cache is overwritten.
 * The time bound holds during a key-provider outage too: it is the longest an outage is bridged.
 */
public final class DataKeyCache {

    private record Entry(byte[] key, Instant expires) {
    }

    private final Duration timeToLive;
    private final int maxEntries;
    private final Clock clock;
    private final LinkedHashMap<SealedDataKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    public DataKeyCache(Duration timeToLive, int maxEntries, Clock clock) {
        if (timeToLive.isNegative() || timeToLive.isZero()) {
            throw new IllegalArgumentException("data key cache time to live must be positive");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("data key cache size must be at least 1");
        }
        this.timeToLive = timeToLive;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    synchronized Optional<SecretKey> get(SealedDataKey sealed) {
        Entry entry = entries.get(sealed);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expires())) {
            entries.remove(sealed);
            Arrays.fill(entry.key(), (byte) 0);
            return Optional.empty();
        }
        return Optional.of(new SecretKeySpec(entry.key(), "AES"));
    }

    /** Keeps a copy of {@code key}. */
    synchronized void put(SealedDataKey sealed, byte[] key) {
        Entry previous = entries.put(sealed, new Entry(key.clone(), clock.instant().plus(timeToLive)));
        if (previous != null) {
            Arrays.fill(previous.key(), (byte) 0);
        }
        Iterator<Map.Entry<SealedDataKey, Entry>> eldest = entries.entrySet().iterator();
        while (entries.size() > maxEntries) {
            Arrays.fill(eldest.next().getValue().key(), (byte) 0);
            eldest.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
