package dev.conduit.vault.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.conduit.vault.refresh.RefreshPolicy.After;
import dev.conduit.vault.refresh.RefreshPolicy.AfterRow;
import dev.conduit.vault.refresh.RefreshPolicy.Answer;
import dev.conduit.vault.refresh.RefreshPolicy.AnswerKind;
import dev.conduit.vault.refresh.RefreshPolicy.Decision;
import dev.conduit.vault.refresh.RefreshPolicy.Kind;
import dev.conduit.vault.refresh.RefreshPolicy.Lease;
import dev.conduit.vault.refresh.RefreshPolicy.Row;
import dev.conduit.vault.refresh.RefreshPolicy.Standing;
import dev.conduit.vault.refresh.RefreshPolicy.Trigger;
import org.junit.jupiter.api.Test;

/** What {@link RefreshPolicy} decides for a server connection's row (issue 15): it mints, and an admin's refusal stops it. */
class ServerRowDecisionTest {

    private static final long NOW = 1_800_000_000L;
    private static final String SELF = "node-a:lease-1";
    private static final RefreshPolicy POLICY = new RefreshPolicy(RefreshSchedule.defaults(), 21600, 3,
            new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), () -> 1.0),
            new Backoff(Duration.ofSeconds(30), Duration.ofHours(1), () -> 1.0),
            new RefusalPolicy(3, Duration.ofMinutes(15), Duration.ofSeconds(30)), 40);

    /** A server row is renewable without a refresh token: the refresher passes {@code hasRefreshToken} true for it. */
    private static Row serverRow(Standing standing) {
        return new Row(standing, 0, NOW - 1, NOW - 60, RefusalPolicy.State.NONE, true, false, true, true, Lease.NONE);
    }

    @Test
    void aServerRowThatNeverMintedIsDueAndCallsTheProvider() {
        Decision decision = POLICY.beforeCall(serverRow(Standing.SERVING), Trigger.ON_DEMAND, SELF, NOW);

        assertThat(decision.kind()).isEqualTo(Kind.CALL);
        assertThat(decision.attempts()).isEqualTo(3);
    }

    @Test
    void aRowWaitingForAnAdminIsNotServedNorRetriedButAnAdminsRefreshMintsAgain() {
        for (Trigger trigger : new Trigger[] {Trigger.ON_DEMAND, Trigger.PROACTIVE, Trigger.HEALTH, Trigger.REFUSED}) {
            assertThat(POLICY.beforeCall(serverRow(Standing.ACTION_REQUIRED), trigger, SELF, NOW).kind())
                    .as(trigger.label()).isEqualTo(Kind.UNAVAILABLE);
        }
        assertThat(POLICY.beforeCall(serverRow(Standing.ACTION_REQUIRED), Trigger.ADMIN, SELF, NOW).kind()).isEqualTo(Kind.CALL);
    }

    @Test
    void aMintRefusedForAnAdminIsNeitherRetriedNorATransientFailure() {
        Decision decision = POLICY.beforeCall(serverRow(Standing.SERVING), Trigger.ON_DEMAND, SELF, NOW);
        Answer refused = new Answer(AnswerKind.ACTION_REQUIRED, false, null, "user_not_pre_authorized: approve the app");

        assertThat(POLICY.retryDelay(decision, 1, refused)).isEmpty();
        RefreshPolicy.AfterDecision after = POLICY.afterCall(new AfterRow(Standing.SERVING, true, true, 0, 0),
                Trigger.ON_DEMAND, refused, false, NOW);
        assertThat(after.kind()).isEqualTo(After.ACTION_REQUIRED);
        assertThat(after.reason()).isEqualTo("user_not_pre_authorized: approve the app");
    }

    @Test
    void aRowDisconnectedWhileItMintedKeepsTheMintForItsRevocation() {
        assertThat(POLICY.afterCall(new AfterRow(Standing.REVOKED, true, true, 0, 0), Trigger.ON_DEMAND,
                Answer.granted(), false, NOW).kind()).isEqualTo(After.STORE_FOR_REVOCATION);
        assertThat(POLICY.afterCall(new AfterRow(Standing.REVOKED, true, true, 0, 0), Trigger.ON_DEMAND,
                new Answer(AnswerKind.ACTION_REQUIRED, false, null, "x"), false, NOW).kind()).isEqualTo(After.SUPERSEDED);
    }

    @Test
    void aServerRowIsScheduledBeforeExpiryWithoutARefreshToken() {
        assertThat(POLICY.nextRefreshAt(true, true, NOW + 7200, NOW)).isEqualTo(NOW + 7200 - 300);
    }
}
