package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.vault.refresh.Backoff;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.refresh.RefreshPolicy.Trigger;
import dev.conduit.vault.refresh.RefreshSchedule;
import dev.conduit.vault.refresh.RefusalPolicy;
import dev.conduit.vault.upstream.TokenAnswer;
import org.junit.jupiter.api.Test;

/**
 * The refresher's call step with fakes for the provider, the lease store, the clock and the pause: the lease (one
 * attempt long) is renewed before each further attempt, by its owner only, and a refresher whose lease was taken
 * over makes no further attempt.
 */
class ProviderAttemptsTest {

    private static final long CLAIMED_AT = 1_800_000_000L;
    private static final long LEASE = 18;
    private static final String OWNER = "node-a:1/lease-1";
    private static final UpstreamClient CLIENT = new UpstreamClient("conduit-hubspot", "hubspot", "https://hubspot.test/token",
            "client", null, false, UpstreamClient.Revocation.DELETE_PATH, "https://hubspot.test/revoke/", 1800);
    private static final TokenAnswer TIMEOUT = new TokenAnswer.Refused(RefreshFailure.TRANSIENT, 0, "read timed out", null);
    private static final TokenAnswer UNAVAILABLE = new TokenAnswer.Refused(RefreshFailure.TRANSIENT, 503,
            "temporarily_unavailable", null);
    private static final TokenAnswer GRANTED = new TokenAnswer.Granted("access-new", null, 1800L, Set.of("oauth"), null);

    private final RefreshPolicy policy = new RefreshPolicy(RefreshSchedule.defaults(), 21600, 3,
            new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), () -> 1.0),
            new Backoff(Duration.ofSeconds(30), Duration.ofHours(1), () -> 1.0), RefusalPolicy.defaults(), LEASE);
    /** Seconds on the fake clock: each attempt takes 15 s (a timeout), each pause its delay. */
    private final AtomicLong now = new AtomicLong(CLAIMED_AT);
    private final Deque<TokenAnswer> answers = new ArrayDeque<>();
    private final List<String> presented = new ArrayList<>();
    /** The row's lease as the fake store holds it: owner and until. */
    private String leaseOwner = OWNER;
    private long leaseUntil = CLAIMED_AT + LEASE;
    private final List<Long> renewals = new ArrayList<>();

    private ProviderAttempts attempts() {
        return new ProviderAttempts((client, secret, refreshToken) -> {
            presented.add(refreshToken);
            now.addAndGet(15);
            return answers.removeFirst();
        }, policy, delay -> {
            now.addAndGet(Math.max(1, delay.toSeconds()));
            return true;
        }, (id, owner, until) -> {
            if (!owner.equals(leaseOwner)) {
                return false;
            }
            renewals.add(until);
            leaseUntil = until;
            return true;
        }, now::get);
    }

    private ProviderAttempts.Result call(Trigger trigger) {
        RefreshPolicy.Decision decision = policy.beforeCall(new RefreshPolicy.Row(RefreshPolicy.Standing.SERVING, CLAIMED_AT,
                CLAIMED_AT - 300, 0, null, true, false, true, true, null), trigger, OWNER, CLAIMED_AT);
        return attempts().call("connection-1", OWNER, decision, CLIENT, null, "na1-refresh", "hubspot");
    }

    @Test
    void eachFurtherAttemptRenewsTheLeaseSoItNeverRunsOutUnderALiveRefresher() {
        answers.addAll(List.of(TIMEOUT, TIMEOUT, GRANTED));

        ProviderAttempts.Result result = call(Trigger.ON_DEMAND);

        assertThat(result.answer()).isSameAs(GRANTED);
        assertThat(result.made()).isEqualTo(3);
        assertThat(result.leaseLost()).isFalse();
        assertThat(result.unanswered()).as("a timeout got no answer").isTrue();
        assertThat(renewals).as("renewed before attempts 2 and 3, one lease from then").hasSize(2);
        // attempt 1 ends at +15, pause 1 s: renewed at +16 to +34; attempt 2 ends at +31, pause 1 s: renewed at +32 to +50
        assertThat(renewals).containsExactly(CLAIMED_AT + 16 + LEASE, CLAIMED_AT + 32 + LEASE);
        assertThat(now.get()).as("the whole refresh took longer than one lease").isGreaterThan(CLAIMED_AT + LEASE);
        assertThat(now.get()).as("and ended within its last lease").isLessThanOrEqualTo(leaseUntil);
    }

    @Test
    void anAnswerOnTheFirstAttemptNeedsNoRenewal() {
        answers.add(GRANTED);

        ProviderAttempts.Result result = call(Trigger.ON_DEMAND);

        assertThat(result.made()).isEqualTo(1);
        assertThat(renewals).isEmpty();
        assertThat(leaseUntil).isEqualTo(CLAIMED_AT + LEASE);
    }

    @Test
    void aScheduledRunMakesOneAttemptAndRenewsNothing() {
        answers.addAll(List.of(UNAVAILABLE, GRANTED));

        ProviderAttempts.Result result = call(Trigger.PROACTIVE);

        assertThat(result.made()).isEqualTo(1);
        assertThat(result.answer()).isSameAs(UNAVAILABLE);
        assertThat(renewals).isEmpty();
    }

    /**
     * Attacker's view of a split brain: this refresher stalled past its lease and node B claimed the row (same
     * refresh token). A further attempt would be a second refresh of one expiry, and with a rotating provider it
     * would present a token node B may have rotated already: none is made.
     */
    @Test
    void aRefresherWhoseLeaseWasTakenOverMakesNoFurtherAttempt() {
        answers.addAll(List.of(TIMEOUT, GRANTED));
        leaseOwner = "node-b:2/lease-7"; // node B took the row over while attempt 1 hung

        ProviderAttempts.Result result = call(Trigger.ON_DEMAND);

        assertThat(result.leaseLost()).isTrue();
        assertThat(result.made()).isEqualTo(1);
        assertThat(presented).as("calls at the provider").hasSize(1);
        assertThat(renewals).as("node B's lease untouched").isEmpty();
        assertThat(answers).as("the granted answer was never asked for").containsExactly(GRANTED);
    }
}
