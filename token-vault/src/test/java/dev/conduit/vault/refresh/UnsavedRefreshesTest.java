package dev.conduit.vault.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

class UnsavedRefreshesTest {

    private static final Instant REFRESHED = Instant.parse("2026-11-23T10:00:00Z");

    private static UnsavedRefreshes.Unsaved answer(String replaces, String newRefreshToken) {
        RefreshedTokens tokens = RefreshedTokens.from("access-new", newRefreshToken, replaces, 1800L, Duration.ofHours(2), REFRESHED);
        return new UnsavedRefreshes.Unsaved(replaces, tokens, Set.of("api"), null, REFRESHED, "on_demand");
    }

    @Test
    void aHeldAnswerIsWrittenOverTheRefreshTokenItReplacedUntilSettled() {
        UnsavedRefreshes unsaved = new UnsavedRefreshes(10, Duration.ofDays(1));
        assertThat(unsaved.hold("c1", answer("rt-1", "rt-2"))).isTrue();

        var toWrite = unsaved.toWrite("c1", "rt-1", REFRESHED.plusSeconds(60));
        assertThat(toWrite).isPresent();
        assertThat(toWrite.get().tokens().refreshToken()).isEqualTo("rt-2");
        // still held: the transaction writing it may fail too
        assertThat(unsaved.toWrite("c1", "rt-1", REFRESHED.plusSeconds(61))).isPresent();

        unsaved.settled("c1");
        assertThat(unsaved.toWrite("c1", "rt-1", REFRESHED.plusSeconds(62))).isEmpty();
        assertThat(unsaved.size()).isZero();
    }

    @Test
    void anAnswerForARowThatChangedSinceIsDropped() {
        UnsavedRefreshes unsaved = new UnsavedRefreshes(10, Duration.ofDays(1));
        unsaved.hold("c1", answer("rt-1", "rt-2"));

        // reconnected meanwhile: the row holds another refresh token
        assertThat(unsaved.toWrite("c1", "rt-from-reconnect", REFRESHED.plusSeconds(5))).isEmpty();
        assertThat(unsaved.holds("c1")).isFalse();
    }

    @Test
    void anAnswerOlderThanTheKeepTimeIsDropped() {
        UnsavedRefreshes unsaved = new UnsavedRefreshes(10, Duration.ofHours(1));
        unsaved.hold("c1", answer("rt-1", "rt-2"));

        assertThat(unsaved.toWrite("c1", "rt-1", REFRESHED.plus(Duration.ofMinutes(61)))).isEmpty();
        assertThat(unsaved.holds("c1")).isFalse();
    }

    @Test
    void aFullHolderRefusesNewConnectionsButReplacesHeldOnes() {
        UnsavedRefreshes unsaved = new UnsavedRefreshes(1, Duration.ofDays(1));
        assertThat(unsaved.hold("c1", answer("rt-1", "rt-2"))).isTrue();
        assertThat(unsaved.hold("c2", answer("rt-a", "rt-b"))).isFalse();
        assertThat(unsaved.hold("c1", answer("rt-1", "rt-3"))).isTrue();

        assertThat(unsaved.toWrite("c1", "rt-1", REFRESHED).orElseThrow().tokens().refreshToken()).isEqualTo("rt-3");
        assertThat(unsaved.connectionIds()).containsExactly("c1");
    }

    @Test
    void itsTextNamesNoToken() {
        assertThat(answer("rt-1", "rt-2").toString()).doesNotContain("rt-1").doesNotContain("rt-2").doesNotContain("access-new");
    }
}
