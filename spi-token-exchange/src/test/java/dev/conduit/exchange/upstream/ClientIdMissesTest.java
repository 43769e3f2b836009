package dev.conduit.exchange.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The node's memory of "no client with this client id": fresh for its TTL, dropped at once by an invalidation. */
class ClientIdMissesTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final ClientIdMisses misses = new ClientIdMisses(3, 5_000, now::get);

    @Test
    void aMissIsKnownForItsTtlAndNotAfter() {
        misses.recordMiss("r1", "google", misses.generation("r1"));

        assertThat(misses.knownMissing("r1", "google")).isTrue();
        assertThat(misses.knownMissing("r1", "salesforce")).isFalse();
        assertThat(misses.knownMissing("r2", "google")).isFalse();
        now.addAndGet(4_999);
        assertThat(misses.knownMissing("r1", "google")).isTrue();
        now.addAndGet(1);
        assertThat(misses.knownMissing("r1", "google")).isFalse();
    }

    @Test
    void anInvalidationDropsTheRealmsMissesAtOnceAndOnlyThose() {
        misses.recordMiss("r1", "google", misses.generation("r1"));
        misses.recordMiss("r2", "google", misses.generation("r2"));

        misses.invalidate("r1");

        assertThat(misses.knownMissing("r1", "google")).isFalse();
        assertThat(misses.knownMissing("r2", "google")).isTrue();
    }

    @Test
    void aLookupThatStartedBeforeAnInvalidationIsNotKept() {
        long before = misses.generation("r1");
        // a client named google is created while the lookup is at the database
        misses.invalidate("r1");
        misses.recordMiss("r1", "google", before);

        assertThat(misses.knownMissing("r1", "google")).isFalse();
        // the next lookup, after the invalidation, is kept
        misses.recordMiss("r1", "google", misses.generation("r1"));
        assertThat(misses.knownMissing("r1", "google")).isTrue();
    }

    @Test
    void staysWithinItsCapacity() {
        for (int i = 0; i < 10; i++) {
            misses.recordMiss("r1", "alias" + i, misses.generation("r1"));
            assertThat(misses.size()).isLessThanOrEqualTo(3);
        }
        assertThat(misses.knownMissing("r1", "alias9")).isTrue();
    }
}
