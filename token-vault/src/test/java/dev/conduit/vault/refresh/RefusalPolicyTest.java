package dev.conduit.vault.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import dev.conduit.vault.refresh.RefusalPolicy.Decision;
import dev.conduit.vault.refresh.RefusalPolicy.State;
import dev.conduit.vault.refresh.RefusalPolicy.Verdict;
import org.junit.jupiter.api.Test;

class RefusalPolicyTest {

    private final RefusalPolicy policy = RefusalPolicy.defaults();
    private final Instant start = Instant.parse("2026-12-01T09:00:00Z");

    @Test
    void theDefaultsAreThreeRefreshesIn15MinutesAtLeast30SecondsApart() {
        assertThat(policy).isEqualTo(new RefusalPolicy(3, Duration.ofMinutes(15), Duration.ofSeconds(30)));
    }

    @Test
    void aFirstRefusalRefreshesAndOpensTheWindow() {
        Decision decision = policy.decide(State.NONE, start);

        assertThat(decision.verdict()).isEqualTo(Verdict.REFRESH);
        assertThat(decision.next()).isEqualTo(new State(start.getEpochSecond(), 1, start.getEpochSecond()));
    }

    @Test
    void aRefusalSoonerThanTheSpacingWaitsWithoutRefreshing() {
        State once = policy.decide(State.NONE, start).next();

        Decision soon = policy.decide(once, start.plusSeconds(12));

        assertThat(soon.verdict()).isEqualTo(Verdict.TOO_SOON);
        assertThat(soon.retryAfter()).isEqualTo(Duration.ofSeconds(18));
        assertThat(soon.next()).as("nothing counted").isEqualTo(once);
        assertThat(policy.decide(once, start.plusSeconds(30)).verdict()).isEqualTo(Verdict.REFRESH);
    }

    @Test
    void theTokenOfTheThirdRefreshInTheWindowRefusedTooNeedsAPerson() {
        State state = State.NONE;
        Instant at = start;
        for (int i = 1; i <= 3; i++) {
            Decision decision = policy.decide(state, at);
            assertThat(decision.verdict()).as("refusal %d", i).isEqualTo(Verdict.REFRESH);
            state = decision.next();
            at = at.plusSeconds(31);
        }
        assertThat(state.refreshes()).isEqualTo(3);

        assertThat(policy.decide(state, at).verdict()).isEqualTo(Verdict.NEEDS_ATTENTION);
        // no spacing to wait out: right after the third, too
        assertThat(policy.decide(state, Instant.ofEpochSecond(state.lastRefreshAt())).verdict())
                .isEqualTo(Verdict.NEEDS_ATTENTION);
    }

    @Test
    void refusalsSpreadOverLongerThanTheWindowKeepRefreshing() {
        // Salesforce's shortest session timeout is 15 minutes: one early end per window is what a healthy
        // connection with a short timeout looks like
        State state = State.NONE;
        Instant at = start;
        for (int i = 1; i <= 20; i++) {
            Decision decision = policy.decide(state, at);
            assertThat(decision.verdict()).as("refusal %d", i).isEqualTo(Verdict.REFRESH);
            state = decision.next();
            at = at.plus(Duration.ofMinutes(8));
        }
        assertThat(state.refreshes()).isLessThanOrEqualTo(2);
    }

    @Test
    void aNewWindowStartsAtTheFirstRefusalAfterTheOldOneEnds() {
        State full = new State(start.getEpochSecond(), 3, start.plusSeconds(120).getEpochSecond());

        Decision later = policy.decide(full, start.plus(Duration.ofMinutes(15)));

        assertThat(later.verdict()).isEqualTo(Verdict.REFRESH);
        assertThat(later.next()).isEqualTo(new State(start.plus(Duration.ofMinutes(15)).getEpochSecond(), 1,
                start.plus(Duration.ofMinutes(15)).getEpochSecond()));
        assertThat(policy.decide(full, start.plus(Duration.ofMinutes(15)).minusSeconds(1)).verdict())
                .isEqualTo(Verdict.NEEDS_ATTENTION);
    }

    @Test
    void aClockThatWentBackDoesNotBlockForever() {
        State state = new State(start.getEpochSecond(), 1, start.getEpochSecond());

        assertThat(policy.decide(state, start.minusSeconds(3600)).verdict()).isEqualTo(Verdict.REFRESH);
    }

    @Test
    void oneRefreshPerWindowAndNoSpacingAreValidSettings() {
        RefusalPolicy strict = new RefusalPolicy(1, Duration.ofHours(1), Duration.ZERO);
        State once = strict.decide(State.NONE, start).next();

        assertThat(strict.decide(once, start).verdict()).isEqualTo(Verdict.NEEDS_ATTENTION);
        assertThatThrownBy(() -> new RefusalPolicy(0, Duration.ofHours(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RefusalPolicy(1, Duration.ofHours(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
