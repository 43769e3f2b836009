package dev.conduit.vault.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class GenerationCacheTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final GenerationCache<String, String> cache = new GenerationCache<>(3, 60_000, now::get);

    @Test
    void aValueReadAfterItsTicketIsKeptAndServed() {
        GenerationCache.Ticket ticket = cache.ticket("a");
        assertThat(cache.put("a", ticket, "row-a", Long.MAX_VALUE)).isTrue();
        assertThat(cache.get("a")).contains("row-a");
    }

    @Test
    void aValueReadBeforeAnInvalidationIsRefusedAfterIt() {
        // the reader takes its ticket, reads the old row; the writer commits and invalidates; the reader puts the old row
        GenerationCache.Ticket reader = cache.ticket("a");
        cache.invalidate("a");
        assertThat(cache.put("a", reader, "old-row", Long.MAX_VALUE)).isFalse();
        assertThat(cache.get("a")).isEmpty();
        // a reader that starts after the invalidation reads the committed row and keeps it
        GenerationCache.Ticket next = cache.ticket("a");
        assertThat(cache.put("a", next, "new-row", Long.MAX_VALUE)).isTrue();
        assertThat(cache.get("a")).contains("new-row");
    }

    @Test
    void anInvalidationDropsWhatIsCached() {
        cache.put("a", cache.ticket("a"), "row-a", Long.MAX_VALUE);
        cache.invalidate("a");
        assertThat(cache.get("a")).isEmpty();
    }

    @Test
    void invalidatingEverythingOrAMatchRefusesEveryTicketTakenBefore() {
        GenerationCache.Ticket a = cache.ticket("a");
        GenerationCache.Ticket b = cache.ticket("b");
        cache.invalidateAll();
        assertThat(cache.put("a", a, "old", Long.MAX_VALUE)).isFalse();
        cache.put("c", cache.ticket("c"), "row-c", Long.MAX_VALUE);
        cache.invalidateIf(key -> key.equals("c"));
        assertThat(cache.get("c")).isEmpty();
        assertThat(cache.put("b", b, "old", Long.MAX_VALUE)).isFalse();
    }

    @Test
    void anotherKeysInvalidationDoesNotDropThisKey() {
        cache.put("a", cache.ticket("a"), "row-a", Long.MAX_VALUE);
        cache.invalidate("b");
        assertThat(cache.get("a")).contains("row-a");
    }

    @Test
    void entriesEndAtTheirMaxAgeOrTheirDeadlineWhicheverComesFirst() {
        cache.put("a", cache.ticket("a"), "row-a", Long.MAX_VALUE);
        cache.put("b", cache.ticket("b"), "row-b", now.get() + 5_000);
        now.addAndGet(5_000);
        assertThat(cache.get("b")).as("past the token's expiry").isEmpty();
        assertThat(cache.get("a")).contains("row-a");
        now.addAndGet(55_000);
        assertThat(cache.get("a")).as("past the max age").isEmpty();
        assertThat(cache.put("c", cache.ticket("c"), "expired", now.get())).as("already past its deadline").isFalse();
    }

    @Test
    void theLeastRecentlyUsedLeaveFirstBeyondTheBound() {
        for (String key : List.of("a", "b", "c")) {
            cache.put(key, cache.ticket(key), "row-" + key, Long.MAX_VALUE);
        }
        cache.get("a");
        cache.put("d", cache.ticket("d"), "row-d", Long.MAX_VALUE);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("b")).isEmpty();
        assertThat(cache.get("a")).contains("row-a");
        assertThat(cache.get("d")).contains("row-d");
    }

    @Test
    void aCacheOfSizeOrAgeZeroHoldsNothing() {
        GenerationCache<String, String> off = new GenerationCache<>(0, 60_000, now::get);
        assertThat(off.enabled()).isFalse();
        assertThat(off.put("a", off.ticket("a"), "row", Long.MAX_VALUE)).isFalse();
        GenerationCache<String, String> noAge = new GenerationCache<>(10, 0, now::get);
        assertThat(noAge.put("a", noAge.ticket("a"), "row", Long.MAX_VALUE)).isFalse();
    }

    /**
     * Readers racing a writer: each reader takes a ticket, reads the "database", puts; the writer changes the database,
     * then invalidates (after its commit). Whatever the interleaving, once the writer's invalidation has returned, no
     * reader can leave the old value cached.
     */
    @Test
    void noReaderLeavesTheOldRowCachedAfterTheWritersInvalidation() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 200; round++) {
                GenerationCache<String, String> rows = new GenerationCache<>(100, 60_000, now::get);
                AtomicReference<String> database = new AtomicReference<>("old");
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> readers = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    readers.add(pool.submit(() -> {
                        start.await();
                        for (int n = 0; n < 50; n++) {
                            if (rows.get("k").isEmpty()) {
                                GenerationCache.Ticket ticket = rows.ticket("k");
                                String read = database.get();
                                Thread.yield();
                                rows.put("k", ticket, read, Long.MAX_VALUE);
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                Thread.yield();
                database.set("new");
                rows.invalidate("k");
                for (Future<?> reader : readers) {
                    reader.get(10, TimeUnit.SECONDS);
                }
                assertThat(rows.get("k")).as("round %d", round).isNotEqualTo(java.util.Optional.of("old"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutTheTicketCheckTheRaceLeavesTheOldRow() {
        // the interleaving the ticket guards against, written out: read old, writer commits and invalidates, put old
        GenerationCache.Ticket ticket = cache.ticket("k");
        String read = "old";
        cache.invalidate("k");
        // a put with a fresh ticket (what a cache without generations does) keeps the stale row
        assertThat(cache.put("k", cache.ticket("k"), read, Long.MAX_VALUE)).isTrue();
        cache.invalidate("k");
        assertThat(cache.put("k", ticket, read, Long.MAX_VALUE)).isFalse();
    }
}
