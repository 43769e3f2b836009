package dev.conduit.vault.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every branch of {@link RefreshPolicy}: before the call, between attempts, after the answer. */
class RefreshDecisionTest {

    private static final long NOW = 1_800_000_000L;
    private static final String SELF = "node-a:lease-1";
    /** Backoffs without jitter (the top of each range), so delays are exact. */
    private static final RefreshPolicy POLICY = new RefreshPolicy(RefreshSchedule.defaults(), 21600, 3,
            new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), () -> 1.0),
            new Backoff(Duration.ofSeconds(30), Duration.ofHours(1), () -> 1.0),
            new RefusalPolicy(3, Duration.ofMinutes(15), Duration.ofSeconds(30)), 40);

    /** A healthy row whose access token expires in {@code expiresIn} seconds, due for the proactive run or not. */
    private static Row row(long expiresIn) {
        return new Row(Standing.SERVING, NOW + expiresIn, NOW + expiresIn - 300, NOW - 60, RefusalPolicy.State.NONE,
                true, false, true, true, Lease.NONE);
    }

    private static Row due() {
        return row(30);
    }

    private static Row notDue() {
        return row(3600);
    }

    private static Row with(Row r, Standing standing) {
        return new Row(standing, r.expiresAt(), r.nextRefreshAt(), r.healthCheckedAt(), r.refusals(), r.hasRefreshToken(),
                r.heldAnswer(), r.reportedTokenCurrent(), r.providerConfigured(), r.lease());
    }

    private static Row withLease(Row r, Lease lease) {
        return new Row(r.standing(), r.expiresAt(), r.nextRefreshAt(), r.healthCheckedAt(), r.refusals(), r.hasRefreshToken(),
                r.heldAnswer(), r.reportedTokenCurrent(), r.providerConfigured(), lease);
    }

    private static Kind kind(Row row, Trigger trigger) {
        return POLICY.beforeCall(row, trigger, SELF, NOW).kind();
    }

    // ---- before the call

    static Stream<Arguments> dueOrNot() {
        return Stream.of(
                Arguments.of(Trigger.ON_DEMAND, notDue(), Kind.SERVE_STORED),
                Arguments.of(Trigger.ON_DEMAND, due(), Kind.CALL),
                Arguments.of(Trigger.ON_DEMAND, row(60), Kind.CALL),
                Arguments.of(Trigger.ON_DEMAND, row(61), Kind.SERVE_STORED),
                Arguments.of(Trigger.PROACTIVE, notDue(), Kind.SKIP),
                Arguments.of(Trigger.PROACTIVE, due(), Kind.CALL),
                Arguments.of(Trigger.ADMIN, notDue(), Kind.CALL),
                Arguments.of(Trigger.ADMIN, due(), Kind.CALL),
                Arguments.of(Trigger.REFUSED, notDue(), Kind.CALL),
                Arguments.of(Trigger.WRITE_BACK, due(), Kind.SKIP));
    }

    @ParameterizedTest(name = "{0}, expires at {1} -> {2}")
    @MethodSource("dueOrNot")
    void onlyADueRowIsRefreshedExceptWhenAnAdminOrARefusalAsks(Trigger trigger, Row row, Kind expected) {
        assertThat(kind(row, trigger)).isEqualTo(expected);
    }

    @Test
    void aProactiveRowWithoutNextRefreshIsNeverPickedUp() {
        Row never = new Row(Standing.SERVING, NOW - 10, null, 0, null, true, false, true, true, null);
        assertThat(kind(never, Trigger.PROACTIVE)).isEqualTo(Kind.SKIP);
        assertThat(kind(never, Trigger.ON_DEMAND)).isEqualTo(Kind.CALL);
    }

    @ParameterizedTest(name = "health checked {0} s ago -> {1}")
    @MethodSource("healthChecks")
    void theHealthCheckSkipsARowCheckedWithinTheInterval(long checkedAgo, Kind expected) {
        Row r = notDue();
        Row checked = new Row(r.standing(), r.expiresAt(), r.nextRefreshAt(), NOW - checkedAgo, r.refusals(), true, false,
                true, true, Lease.NONE);
        assertThat(kind(checked, Trigger.HEALTH)).isEqualTo(expected);
    }

    static Stream<Arguments> healthChecks() {
        return Stream.of(Arguments.of(60L, Kind.SKIP), Arguments.of(21599L, Kind.SKIP), Arguments.of(21600L, Kind.CALL),
                Arguments.of(90000L, Kind.CALL));
    }

    @ParameterizedTest
    @EnumSource(Trigger.class)
    void aRevokedRowIsNeverRefreshedAndOnlyScheduledOrAdminRunsRetryItsRevocation(Trigger trigger) {
        Decision decision = POLICY.beforeCall(with(due(), Standing.REVOKED), trigger, SELF, NOW);
        assertThat(decision.kind()).isEqualTo(Kind.DISCONNECTED);
        assertThat(decision.retryRevocation()).isEqualTo(trigger != Trigger.ON_DEMAND && trigger != Trigger.WRITE_BACK);
        assertThat(decision.leaseUntil()).as("a retry is sent under a lease").isEqualTo(decision.retryRevocation() ? NOW + 40 : 0);
    }

    @ParameterizedTest
    @EnumSource(value = Trigger.class, names = {"PROACTIVE", "ADMIN", "HEALTH"})
    void aParkedRevocationAnotherRefresherIsSendingIsNotSentAgain(Trigger trigger) {
        Row revoked = with(due(), Standing.REVOKED);
        assertThat(POLICY.beforeCall(withLease(revoked, new Lease("node-b:lease-9", NOW + 5)), trigger, SELF, NOW).kind())
                .isEqualTo(Kind.SKIP);
        // its node died: the lease ran out, and the retry goes ahead
        Decision afterLease = POLICY.beforeCall(withLease(revoked, new Lease("node-b:lease-9", NOW - 1)), trigger, SELF, NOW);
        assertThat(afterLease.kind()).isEqualTo(Kind.DISCONNECTED);
        assertThat(afterLease.retryRevocation()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Trigger.class, names = "WRITE_BACK", mode = EnumSource.Mode.EXCLUDE)
    void aReconnectRequiredRowIsUnavailableWhateverTheTrigger(Trigger trigger) {
        assertThat(kind(with(due(), Standing.RECONNECT_REQUIRED), trigger)).isEqualTo(Kind.UNAVAILABLE);
    }

    @ParameterizedTest
    @EnumSource(Trigger.class)
    void aHeldAnswerIsWrittenFirstDueOrNot(Trigger trigger) {
        Row r = notDue();
        Row held = new Row(Standing.SERVING, r.expiresAt(), r.nextRefreshAt(), r.healthCheckedAt(), null, true, true, true,
                true, null);
        assertThat(kind(held, trigger)).isEqualTo(Kind.WRITE_HELD);
    }

    @ParameterizedTest
    @EnumSource(value = Trigger.class, names = {"ON_DEMAND", "ADMIN", "PROACTIVE", "REFUSED"})
    void aRowWithoutRefreshTokenNeedsItsUser(Trigger trigger) {
        Row r = due();
        Row none = new Row(Standing.SERVING, r.expiresAt(), r.nextRefreshAt(), 0, null, false, false, true, true, null);
        Decision decision = POLICY.beforeCall(none, trigger, SELF, NOW);
        assertThat(decision.kind()).isEqualTo(Kind.RECONNECT);
        assertThat(decision.reason()).startsWith("no_refresh_token");
        assertThat(decision.checksHealth()).isTrue();
    }

    @Test
    void aMissingOrForeignIdentityProviderIsATransientFailureWithoutACall() {
        Row r = due();
        Row unconfigured = new Row(Standing.SERVING, r.expiresAt(), r.nextRefreshAt(), 0, null, true, false, true, false, null);
        Decision decision = POLICY.beforeCall(unconfigured, Trigger.ON_DEMAND, SELF, NOW);
        assertThat(decision.kind()).isEqualTo(Kind.FAIL);
        assertThat(decision.reason()).isEqualTo("provider_not_configured");
    }

    @ParameterizedTest(name = "{0}: {1} attempt(s)")
    @MethodSource("attempts")
    void aWaitingCallerGetsTheInlineAttemptsAndScheduledRunsOne(Trigger trigger, int attempts) {
        Decision decision = POLICY.beforeCall(due(), trigger, SELF, NOW);
        assertThat(decision.kind()).isEqualTo(Kind.CALL);
        assertThat(decision.attempts()).isEqualTo(attempts);
        assertThat(decision.leaseUntil()).isEqualTo(NOW + 40);
    }

    static Stream<Arguments> attempts() {
        return Stream.of(Arguments.of(Trigger.ON_DEMAND, 3), Arguments.of(Trigger.REFUSED, 3), Arguments.of(Trigger.ADMIN, 1),
                Arguments.of(Trigger.PROACTIVE, 1));
    }

    static Stream<Arguments> leases() {
        return Stream.of(
                Arguments.of(Trigger.ON_DEMAND, new Lease("node-b:lease-9", NOW + 5), Kind.WAIT),
                Arguments.of(Trigger.ADMIN, new Lease("node-b:lease-9", NOW + 5), Kind.WAIT),
                Arguments.of(Trigger.REFUSED, new Lease("node-b:lease-9", NOW + 5), Kind.WAIT),
                Arguments.of(Trigger.PROACTIVE, new Lease("node-b:lease-9", NOW + 5), Kind.SKIP),
                Arguments.of(Trigger.ON_DEMAND, new Lease("node-b:lease-9", NOW), Kind.CALL),
                Arguments.of(Trigger.ON_DEMAND, new Lease("node-b:lease-9", NOW - 100), Kind.CALL),
                Arguments.of(Trigger.ON_DEMAND, new Lease(SELF, NOW + 5), Kind.CALL));
    }

    @ParameterizedTest(name = "{0}, lease {1} -> {2}")
    @MethodSource("leases")
    void anotherRefreshersLiveLeaseIsWaitedForAndAnExpiredOneTakenOver(Trigger trigger, Lease lease, Kind expected) {
        Decision decision = POLICY.beforeCall(withLease(due(), lease), trigger, SELF, NOW);
        assertThat(decision.kind()).isEqualTo(expected);
        if (expected == Kind.WAIT) {
            assertThat(decision.leaseUntil()).isEqualTo(lease.until());
        }
    }

    @Test
    void aLiveLeaseDoesNotDelayServingAFreshToken() {
        assertThat(kind(withLease(notDue(), new Lease("node-b:lease-9", NOW + 30)), Trigger.ON_DEMAND))
                .isEqualTo(Kind.SERVE_STORED);
    }

    // ---- refused tokens

    private static Row refusedRow(boolean current, RefusalPolicy.State refusals) {
        Row r = notDue();
        return new Row(Standing.SERVING, r.expiresAt(), r.nextRefreshAt(), r.healthCheckedAt(), refusals, true, false, current,
                true, null);
    }

    @Test
    void aReportOfAnOlderTokenIsServedTheNewerOneUnderTheOnDemandRules() {
        Decision fresh = POLICY.beforeCall(refusedRow(false, RefusalPolicy.State.NONE), Trigger.REFUSED, SELF, NOW);
        assertThat(fresh.kind()).isEqualTo(Kind.SERVE_STORED);
        assertThat(fresh.staleReport()).isTrue();
        assertThat(fresh.trigger()).isEqualTo(Trigger.ON_DEMAND);
        Row staleButDue = new Row(Standing.SERVING, NOW + 10, NOW, 0, null, true, false, false, true, null);
        Decision refreshed = POLICY.beforeCall(staleButDue, Trigger.REFUSED, SELF, NOW);
        assertThat(refreshed.kind()).isEqualTo(Kind.CALL);
        assertThat(refreshed.trigger()).isEqualTo(Trigger.ON_DEMAND);
        assertThat(refreshed.refusal()).as("not counted as a refusal").isNull();
    }

    static Stream<Arguments> refusalLimits() {
        return Stream.of(
                Arguments.of("first refusal", RefusalPolicy.State.NONE, Kind.CALL),
                Arguments.of("10 s after the last", new RefusalPolicy.State(NOW - 100, 1, NOW - 10), Kind.TOO_SOON),
                Arguments.of("31 s after the last", new RefusalPolicy.State(NOW - 100, 2, NOW - 31), Kind.CALL),
                Arguments.of("window used up", new RefusalPolicy.State(NOW - 100, 3, NOW - 40), Kind.NEEDS_ATTENTION),
                Arguments.of("window over", new RefusalPolicy.State(NOW - 1000, 3, NOW - 950), Kind.CALL));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refusalLimits")
    void aReportOfTheCurrentTokenRefreshesWithinTheRefusalLimits(String name, RefusalPolicy.State state, Kind expected) {
        Decision decision = POLICY.beforeCall(refusedRow(true, state), Trigger.REFUSED, SELF, NOW);
        assertThat(decision.kind()).isEqualTo(expected);
        assertThat(decision.staleReport()).isFalse();
        switch (expected) {
            case TOO_SOON -> assertThat(decision.retryAfter()).isEqualTo(Duration.ofSeconds(20));
            case CALL -> assertThat(decision.refusal().next().lastRefreshAt()).as("the refusal is counted").isEqualTo(NOW);
            default -> assertThat(decision.refusal().verdict()).isEqualTo(RefusalPolicy.Verdict.NEEDS_ATTENTION);
        }
    }

    @Test
    void aRefusalIsNotCountedWhileAnotherRefresherIsAtWork() {
        Row r = refusedRow(true, RefusalPolicy.State.NONE);
        Decision decision = POLICY.beforeCall(withLease(r, new Lease("node-b:lease-9", NOW + 5)), Trigger.REFUSED, SELF, NOW);
        assertThat(decision.kind()).isEqualTo(Kind.WAIT);
        assertThat(decision.refusal()).isNull();
    }

    // ---- between attempts

    static Stream<Arguments> retries() {
        Decision inline = POLICY.beforeCall(due(), Trigger.ON_DEMAND, SELF, NOW);
        Decision scheduled = POLICY.beforeCall(due(), Trigger.PROACTIVE, SELF, NOW);
        Answer transientAnswer = new Answer(AnswerKind.TRANSIENT, false, null, "temporarily_unavailable (HTTP 503)");
        Answer retryAfter = new Answer(AnswerKind.TRANSIENT, false, Duration.ofSeconds(1), "rate_limited (HTTP 429)");
        Answer invalid = new Answer(AnswerKind.INVALID_GRANT, false, null, "invalid_grant (HTTP 400)");
        Answer configuration = new Answer(AnswerKind.CONFIGURATION, false, null, "invalid_client (HTTP 401)");
        return Stream.of(
                Arguments.of("transient, first of three", inline, 1, transientAnswer, Duration.ofMillis(200)),
                Arguments.of("transient, second of three", inline, 2, transientAnswer, Duration.ofMillis(400)),
                Arguments.of("transient, third of three", inline, 3, transientAnswer, null),
                Arguments.of("Retry-After 1 s", inline, 1, retryAfter, Duration.ofSeconds(1)),
                Arguments.of("scheduled run: one attempt", scheduled, 1, transientAnswer, null),
                Arguments.of("invalid_grant", inline, 1, invalid, null),
                Arguments.of("invalid_client", inline, 1, configuration, null),
                Arguments.of("granted", inline, 1, Answer.granted(), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retries")
    void onlyTransientFailuresAreRetriedWithBackoffWithinTheAttempts(String name, Decision decision, int made, Answer answer,
            Duration expected) {
        assertThat(POLICY.retryDelay(decision, made, answer).orElse(null)).isEqualTo(expected);
    }

    // ---- after the answer

    private static AfterRow after(boolean holdsPresented, boolean leaseOurs) {
        return new AfterRow(Standing.SERVING, holdsPresented, leaseOurs, NOW + 30, 0);
    }

    static Stream<Arguments> answers() {
        Answer invalid = new Answer(AnswerKind.INVALID_GRANT, false, null, "invalid_grant (HTTP 400)");
        Answer transientAnswer = new Answer(AnswerKind.TRANSIENT, true, null, "token endpoint unreachable: timed out");
        return Stream.of(
                Arguments.of("granted, row unchanged", Answer.granted(), after(true, true), After.STORE),
                Arguments.of("granted after our lease ran out, row unchanged", Answer.granted(), after(true, false), After.STORE),
                Arguments.of("granted, a reconnect stored other tokens meanwhile", Answer.granted(), after(false, false),
                        After.SUPERSEDED),
                Arguments.of("granted, disconnected meanwhile", Answer.granted(),
                        new AfterRow(Standing.REVOKED, true, true, NOW, 0), After.STORE_FOR_REVOCATION),
                Arguments.of("invalid_grant, row unchanged", invalid, after(true, true), After.RECONNECT),
                Arguments.of("invalid_grant after a sibling node won", invalid, after(false, false), After.SUPERSEDED),
                Arguments.of("invalid_grant, disconnected meanwhile", invalid,
                        new AfterRow(Standing.REVOKED, true, true, NOW, 0), After.SUPERSEDED),
                Arguments.of("transient, row unchanged", transientAnswer, after(true, true), After.FAIL),
                Arguments.of("transient, another refresher took over", transientAnswer, after(true, false), After.SUPERSEDED),
                Arguments.of("transient, a sibling stored meanwhile", transientAnswer, after(false, true), After.SUPERSEDED));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("answers")
    void anAnswerIsStoredOnlyWhileTheRowStillHoldsTheRefreshTokenPresented(String name, Answer answer, AfterRow row,
            After expected) {
        assertThat(POLICY.afterCall(row, Trigger.ON_DEMAND, answer, false, NOW).kind()).isEqualTo(expected);
    }

    @Test
    void aDeadRefreshTokenSaysWhenAnEarlierAttemptOrRefreshMayHaveRotatedIt() {
        Answer plain = new Answer(AnswerKind.INVALID_GRANT, false, null, "invalid_grant (HTTP 400)");
        assertThat(POLICY.afterCall(after(true, true), Trigger.ON_DEMAND, plain, false, NOW).reason())
                .isEqualTo("invalid_grant (HTTP 400): the provider refused the refresh token");
        Answer afterSilence = new Answer(AnswerKind.INVALID_GRANT, true, null, "invalid_grant (HTTP 400)");
        assertThat(POLICY.afterCall(after(true, true), Trigger.ON_DEMAND, afterSilence, true, NOW).reason())
                .contains("after an earlier attempt got no answer")
                .contains("an earlier refresh never stored its answer");
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("first failure", 0, null, Trigger.ON_DEMAND, NOW + 30, 1, NOW + 30, true),
                Arguments.of("third failure", 2, null, Trigger.PROACTIVE, NOW + 30, 3, NOW + 120, true),
                Arguments.of("Retry-After longer than the backoff", 0, Duration.ofSeconds(90), Trigger.ADMIN, NOW + 30, 1,
                        NOW + 90, true),
                Arguments.of("access token expired", 0, null, Trigger.ON_DEMAND, NOW - 1, 1, NOW + 30, false),
                Arguments.of("refused token: never served back", 0, null, Trigger.REFUSED, NOW + 3000, 1, NOW + 30, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aTransientFailureBacksOffAndServesTheStoredTokenWhileItLives(String name, int before, Duration retryAfter,
            Trigger trigger, long expiresAt, int count, long next, boolean serve) {
        Answer answer = new Answer(AnswerKind.TRANSIENT, false, retryAfter, "temporarily_unavailable (HTTP 503)");
        RefreshPolicy.AfterDecision decision = POLICY.afterCall(new AfterRow(Standing.SERVING, true, true, expiresAt, before),
                trigger, answer, false, NOW);
        assertThat(decision.kind()).isEqualTo(After.FAIL);
        assertThat(decision.reason()).isEqualTo("temporarily_unavailable (HTTP 503)");
        assertThat(decision.failure()).isEqualTo(new RefreshPolicy.Failure(count, next, serve));
    }

    // ---- the lease: one attempt long, renewed before each further attempt (issue 13, item 3: a dead node's claim
    // held callers on the other node for the whole 56 s of every attempt before)

    @Test
    void aLeaseLastsOneAttemptsTimeoutsAndAMarginNotEveryAttempt() {
        // the defaults: connect 5 s, read 10 s
        assertThat(RefreshPolicy.leaseFor(Duration.ofMillis(5000), Duration.ofMillis(10000))).isEqualTo(18);
        // rounded up to whole seconds, never below the margin
        assertThat(RefreshPolicy.leaseFor(Duration.ofMillis(1), Duration.ofMillis(1500))).isEqualTo(2 + RefreshPolicy.LEASE_MARGIN_SECONDS);
        assertThat(RefreshPolicy.leaseFor(Duration.ZERO, Duration.ZERO)).isEqualTo(RefreshPolicy.LEASE_MARGIN_SECONDS);
        assertThat(RefreshPolicy.leaseFor(Duration.ofMillis(5000), Duration.ofMillis(10000)))
                .as("shorter than the old lease of every inline attempt (3 x 17 s + 10 s)").isLessThan(3 * 17 + 10);
    }

    @Test
    void aRenewalExtendsTheLeaseByOneLeaseFromTheRenewal() {
        assertThat(POLICY.renewedLeaseUntil(NOW + 25)).isEqualTo(NOW + 25 + 40);
        Decision claimed = POLICY.beforeCall(due(), Trigger.ON_DEMAND, SELF, NOW);
        assertThat(claimed.leaseUntil()).as("the claim's lease").isEqualTo(NOW + POLICY.leaseSeconds());
    }

    @Test
    void aRenewedLeaseIsStillWaitedForAndOneThatRanOutIsTakenOver() {
        long renewedAt = NOW + 30;
        Lease renewed = new Lease("node-b:lease-9", POLICY.renewedLeaseUntil(renewedAt));
        // past the claim's lease (NOW + 40) but within the renewal: the refresher is alive, wait for its answer
        assertThat(POLICY.beforeCall(withLease(due(), renewed), Trigger.ON_DEMAND, SELF, NOW + 45).kind()).isEqualTo(Kind.WAIT);
        // its node died after that renewal: one lease later the row is taken over
        assertThat(POLICY.beforeCall(withLease(due(), renewed), Trigger.ON_DEMAND, SELF, renewedAt + 40).kind()).isEqualTo(Kind.CALL);
    }

    @Test
    void aWaitingCallerWaitsAsLongAsALiveRefresherCanKeepTheRowAndNoLonger() {
        // 3 attempts of a 40 s lease, 2 pauses of at most 2 s, the margin
        assertThat(POLICY.waitLimitSeconds()).isEqualTo(3 * 40 + 2 * 2 + RefreshPolicy.LEASE_MARGIN_SECONDS);
        RefreshPolicy oneAttempt = new RefreshPolicy(RefreshSchedule.defaults(), 21600, 1, POLICY_BACKOFF, POLICY_BACKOFF,
                RefusalPolicy.defaults(), 18);
        assertThat(oneAttempt.waitLimitSeconds()).isEqualTo(18 + RefreshPolicy.LEASE_MARGIN_SECONDS);
    }

    @Test
    void aLeaseMustLastAtLeastASecond() {
        assertThatThrownBy(() -> new RefreshPolicy(RefreshSchedule.defaults(), 1, 1, POLICY_BACKOFF, POLICY_BACKOFF,
                RefusalPolicy.defaults(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static final Backoff POLICY_BACKOFF = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), () -> 0.0);
}
