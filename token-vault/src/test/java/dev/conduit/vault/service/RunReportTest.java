package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conduit.api.vault.ConnectionUnavailableException;
import org.junit.jupiter.api.Test;

/** A run's figures: a retried parked revocation is counted as such, never as a failed refresh. */
class RunReportTest {

    @Test
    void retriedRevocationsHaveTheirOwnCountsAndFailedCountsRefreshesOnly() {
        RunReport report = RunReport.empty(5)
                .add(Outcome.revocationRetried(true))
                .add(Outcome.revocationRetried(false))
                .add(Outcome.revocationRetried(true))
                .add(Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, "503"))
                .add(Outcome.skipped(null))
                .took(7_000_000);

        assertThat(report).isEqualTo(new RunReport(5, 0, 0, 1, 1, 2, 1, 7));
    }

    @Test
    void aRetriedRevocationServesNothingToACaller() {
        assertThatThrownBy(() -> Outcome.revocationRetried(true).tokenOrThrow())
                .isInstanceOf(ConnectionUnavailableException.class)
                .extracting(e -> ((ConnectionUnavailableException) e).code())
                .isEqualTo(ConnectionUnavailableException.NOT_CONNECTED);
    }
}
