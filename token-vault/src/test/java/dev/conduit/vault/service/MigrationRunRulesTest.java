package dev.conduit.vault.service;

import static dev.conduit.vault.service.MigrationRunRules.STALE_AFTER_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MigrationRunRulesTest {

    private static final long NOW = 1_800_000_000L;

    @Test
    void noRunRecordedStartsANewOne() {
        assertThat(MigrationRunRules.start(null, 0, NOW)).isEqualTo(MigrationRunRules.Start.NEW);
    }

    @ParameterizedTest
    @ValueSource(strings = {MigrationRunRules.FINISHED, MigrationRunRules.FAILED})
    void anEndedRunIsFollowedByANewOneEvenWithARecentHeartbeat(String ended) {
        assertThat(MigrationRunRules.start(ended, NOW, NOW)).isEqualTo(MigrationRunRules.Start.NEW);
    }

    @Test
    void aRunningRunWithinTheBoundRefusesASecondStart() {
        assertThat(MigrationRunRules.start(MigrationRunRules.RUNNING, NOW, NOW)).isEqualTo(MigrationRunRules.Start.REFUSED);
        assertThat(MigrationRunRules.start(MigrationRunRules.RUNNING, NOW - STALE_AFTER_SECONDS, NOW))
                .isEqualTo(MigrationRunRules.Start.REFUSED);
    }

    @Test
    void aRunningRunSilentPastTheBoundIsTakenOver() {
        assertThat(MigrationRunRules.start(MigrationRunRules.RUNNING, NOW - STALE_AFTER_SECONDS - 1, NOW))
                .isEqualTo(MigrationRunRules.Start.TAKE_OVER);
    }

    @Test
    void aHeartbeatAheadOfThisNodesClockIsFresh() {
        assertThat(MigrationRunRules.start(MigrationRunRules.RUNNING, NOW + 5, NOW)).isEqualTo(MigrationRunRules.Start.REFUSED);
    }

    @Test
    void readersSeeAStaleRunningRunAsInterruptedAndOtherStatesAsRecorded() {
        assertThat(MigrationRunRules.shown(MigrationRunRules.RUNNING, NOW - STALE_AFTER_SECONDS - 1, NOW))
                .isEqualTo(MigrationRunRules.INTERRUPTED);
        assertThat(MigrationRunRules.shown(MigrationRunRules.RUNNING, NOW - 1, NOW)).isEqualTo(MigrationRunRules.RUNNING);
        assertThat(MigrationRunRules.shown(MigrationRunRules.FINISHED, 0, NOW)).isEqualTo(MigrationRunRules.FINISHED);
        assertThat(MigrationRunRules.shown(MigrationRunRules.FAILED, 0, NOW)).isEqualTo(MigrationRunRules.FAILED);
    }

    @Test
    void onlyTheAttemptTheRunNamesMayCommitABatch() {
        assertThat(MigrationRunRules.holds(MigrationRunRules.RUNNING, "run-1", "run-1")).isTrue();
        // taken over by another attempt (another node, or this node's second start after a long pause)
        assertThat(MigrationRunRules.holds(MigrationRunRules.RUNNING, "run-2", "run-1")).isFalse();
        // ended meanwhile
        assertThat(MigrationRunRules.holds(MigrationRunRules.FAILED, "run-1", "run-1")).isFalse();
        assertThat(MigrationRunRules.holds(null, null, "run-1")).isFalse();
    }
}
