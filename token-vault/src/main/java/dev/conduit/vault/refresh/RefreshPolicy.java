package dev.conduit.vault.refresh;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the vault does about one connection's refresh, as plain logic (epoch seconds, no Keycloak types): the
 * refresher reads the row under its lock, asks {@link #beforeCall} whether to call the provider at all, asks
 * {@link #retryDelay} between attempts, and once the provider answered (or did not), re-reads the row under its lock
 * and asks {@link #afterCall} what to store. Exactly one upstream refresh per expiry rests on two things decided here:
 * a caller that finds another refresher's live {@link Lease} waits ({@link Kind#WAIT}) instead of calling, and an
 * answer is stored only while the row still holds the refresh token that was presented.
 */
public final class RefreshPolicy {

    /**
     * Why a refresh runs: a caller, the due index, the health check, an admin's "refresh now", only to write
     * an answer held since the database failed to store it, or an app's report that the provider refused the
     * current access token.
     */
    public enum Trigger {
        ON_DEMAND, PROACTIVE, HEALTH, ADMIN, WRITE_BACK, REFUSED;

        /** As events and metrics name it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** A caller waits for this refresh: it gets the inline attempts, the others one. */
        boolean callerWaits() {
            return this == ON_DEMAND || this == REFUSED;
        }
    }

    /** The row's status as far as refreshing goes. */
    public enum Standing {
        SERVING, RECONNECT_REQUIRED, REVOKED,
        /** A server connection whose mint an admin must fix: minted again only on an admin's refresh. */
        ACTION_REQUIRED
    }

    /** A refresher's claim on the row while it calls the provider: who ({@code owner}) until when (epoch seconds). */
    public record Lease(String owner, long until) {

        public static final Lease NONE = new Lease(null, 0);

        /** Whether someone other than {@code self} holds the row at {@code now}. */
        public boolean heldByOtherAt(String self, long now) {
            return owner != null && !owner.equals(self) && until > now;
        }
    }

    /**
     * The row as the refresher read it under the row lock.
     *
     * @param heldAnswer this node holds a granted answer the database failed to store, and it replaces what the row holds
     * @param reportedTokenCurrent for {@link Trigger#REFUSED}: the token the app reported is the row's current one
     * @param hasRefreshToken the row can be renewed: it holds a refresh token, or it is a server connection (minted
     *        with its credential, or a static token checked instead), which needs none
     * @param providerConfigured the identity provider exists and is a Conduit broker
     */
    public record Row(Standing standing, long expiresAt, Long nextRefreshAt, long healthCheckedAt,
            RefusalPolicy.State refusals, boolean hasRefreshToken, boolean heldAnswer, boolean reportedTokenCurrent,
            boolean providerConfigured, Lease lease) {
        public Row {
            Objects.requireNonNull(standing, "standing");
            refusals = refusals == null ? RefusalPolicy.State.NONE : refusals;
            lease = lease == null ? Lease.NONE : lease;
        }
    }

    public enum Kind {
        /**
         * The row was disconnected; {@link Decision#retryRevocation()} says whether to retry its revocation now (one
         * attempt, under a lease until {@link Decision#leaseUntil()}; a revocation another refresher is sending is
         * {@link #SKIP}ped).
         */
        DISCONNECTED,
        /** Write the held answer first, then ask again. */
        WRITE_HELD,
        /** Nothing to do: a write-back run without a held answer, or the proactive or health run is not due. */
        SKIP,
        /** The connection needs its user; answer so (and take it off the proactive index). */
        UNAVAILABLE,
        /** The stored token is fresh enough: serve it. */
        SERVE_STORED,
        /** Another refresher holds the row's lease: wait for its answer (poll), do not call the provider. */
        WAIT,
        /** A refused-token report too soon after the last replacement: retry after {@link Decision#retryAfter()}. */
        TOO_SOON,
        /** Fresh tokens keep being refused: the connection needs its user ({@code refused_by_provider}). */
        NEEDS_ATTENTION,
        /** Mark the connection reconnect-required with {@link Decision#reason()}. */
        RECONNECT,
        /** Record a transient failure with {@link Decision#reason()}, without calling the provider. */
        FAIL,
        /**
         * Claim the lease until {@link Decision#leaseUntil()} and call the provider up to {@link Decision#attempts()}
         * times, renewing the lease before each further attempt.
         */
        CALL
    }

    /**
     * @param trigger the trigger the rest of the refresh runs under (a stale refused-token report runs as on-demand)
     * @param staleReport a refused-token report named an older token than the row's
     * @param refusal for a refused-token report that goes ahead: the refusal state to store
     */
    public record Decision(Kind kind, Trigger trigger, boolean staleReport, boolean retryRevocation, int attempts,
            long leaseUntil, RefusalPolicy.Decision refusal, String reason, Duration retryAfter) {

        static Decision of(Kind kind, Trigger trigger, boolean stale) {
            return new Decision(kind, trigger, stale, false, 0, 0, null, null, null);
        }

        Decision withReason(String why) {
            return new Decision(kind, trigger, staleReport, retryRevocation, attempts, leaseUntil, refusal, why, retryAfter);
        }

        /** Whether this decision looks at the provider (and so counts as a health check of the row). */
        public boolean checksHealth() {
            return kind == Kind.CALL || kind == Kind.RECONNECT || kind == Kind.FAIL;
        }
    }

    /** The provider's answer, as far as the decision goes. */
    public enum AnswerKind {
        GRANTED, INVALID_GRANT, TRANSIENT, CONFIGURATION,
        /** A server connection's mint refused for a reason an admin must fix ({@code MintRefusal#adminAction}). */
        ACTION_REQUIRED
    }

    /**
     * @param unanswered an earlier attempt of this refresh got no answer at all (a rotating provider may have rotated then)
     * @param retryAfter the provider's Retry-After, or null
     */
    public record Answer(AnswerKind kind, boolean unanswered, Duration retryAfter, String reason) {
        public static Answer granted() {
            return new Answer(AnswerKind.GRANTED, false, null, null);
        }
    }

    /**
     * The row re-read under its lock once the provider answered.
     *
     * @param holdsPresented the row still holds the refresh token this refresh presented (nobody stored another since)
     * @param leaseOurs the row's lease is still this refresher's
     */
    public record AfterRow(Standing standing, boolean holdsPresented, boolean leaseOurs, long expiresAt, int failureCount) {
    }

    public enum After {
        /** Store the granted tokens (and release the lease). */
        STORE,
        /** The connection was disconnected meanwhile: seal the granted tokens into the parked row, so its revocation revokes them. */
        STORE_FOR_REVOCATION,
        /** Someone stored other tokens meanwhile (a sibling's refresh, a reconnect): keep theirs, serve what is stored. */
        SUPERSEDED,
        /** The refresh token is dead: mark reconnect-required with {@link AfterDecision#reason()}. */
        RECONNECT,
        /** A server connection's mint was refused for a reason an admin must fix: mark it so, with the reason, no retry. */
        ACTION_REQUIRED,
        /** Keep the stored tokens, record the failure, try again at {@link AfterDecision#failure()}. */
        FAIL
    }

    public record AfterDecision(After kind, String reason, Failure failure) {
    }

    /**
     * A recorded transient failure: the new failure count, when the proactive run tries again, and whether the caller
     * still gets the stored access token (it lives, and it was not the one the provider refused).
     */
    public record Failure(int failureCount, long nextRefreshAt, boolean serveStored) {
    }

    private final RefreshSchedule schedule;
    private final long healthIntervalSeconds;
    private final int inlineAttempts;
    private final Backoff inlineBackoff;
    private final Backoff failureBackoff;
    private final RefusalPolicy refusals;
    private final long leaseSeconds;

    /** Added to one attempt's timeouts in a lease: the transactions around the call and clocks a little apart. */
    public static final long LEASE_MARGIN_SECONDS = 3;

    /**
     * @param leaseSeconds how long a claim on the row lasts from its claim or its last renewal: one attempt's time
     *        ({@link #leaseFor}); a refresher renews it before each further attempt ({@link #renewedLeaseUntil}), so a
     *        live refresher keeps the row while a refresher that died lets it go within one attempt's time
     */
    public RefreshPolicy(RefreshSchedule schedule, long healthIntervalSeconds, int inlineAttempts, Backoff inlineBackoff,
            Backoff failureBackoff, RefusalPolicy refusals, long leaseSeconds) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.healthIntervalSeconds = healthIntervalSeconds;
        this.inlineAttempts = Math.max(1, inlineAttempts);
        this.inlineBackoff = Objects.requireNonNull(inlineBackoff, "inlineBackoff");
        this.failureBackoff = Objects.requireNonNull(failureBackoff, "failureBackoff");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
        if (leaseSeconds < 1) {
            throw new IllegalArgumentException("leaseSeconds must be at least 1");
        }
        this.leaseSeconds = leaseSeconds;
    }

    public long leaseSeconds() {
        return leaseSeconds;
    }

    /**
     * The lease of one attempt: the connect and read timeouts of a call, rounded up to whole seconds, plus
     * {@link #LEASE_MARGIN_SECONDS}. The pause before a further attempt is not in it: the lease is renewed after the
     * pause, right before the attempt.
     */
    public static long leaseFor(Duration connectTimeout, Duration readTimeout) {
        long millis = Math.max(0, connectTimeout.toMillis()) + Math.max(0, readTimeout.toMillis());
        return (millis + 999) / 1000 + LEASE_MARGIN_SECONDS;
    }

    /** Until when a refresher that renews its lease at {@code now} (before a further attempt) holds the row. */
    public long renewedLeaseUntil(long now) {
        return now + leaseSeconds;
    }

    /**
     * How long a caller waiting for another refresher's answer polls before it gives up: the longest a live refresher
     * keeps the row (each of the inline attempts with its renewed lease, the pauses between them), and a margin.
     * A refresher that died stops renewing, and its lease runs out within {@link #leaseSeconds()}: the waiter then
     * takes the row over long before this.
     */
    public long waitLimitSeconds() {
        return inlineAttempts * leaseSeconds + (inlineAttempts - 1) * ((Math.max(0, inlineBackoff.cap().toMillis()) + 999) / 1000)
                + LEASE_MARGIN_SECONDS;
    }

    public RefusalPolicy refusals() {
        return refusals;
    }

    /** Whether a caller's token is due for a refresh before it is handed out. */
    public boolean dueOnDemand(long expiresAt, long now) {
        return schedule.dueOnDemand(java.time.Instant.ofEpochSecond(expiresAt), java.time.Instant.ofEpochSecond(now));
    }

    /**
     * When the proactive run should look at a row next (epoch seconds): before expiry, or to keep an idle refresh
     * token alive; null when there is nothing it could do (no refresh token, or the row does not serve).
     */
    public Long nextRefreshAt(boolean hasRefreshToken, boolean serves, long expiresAt, long lastRefreshOrConnect) {
        if (!hasRefreshToken || !serves) {
            return null;
        }
        return schedule.nextProactiveRefresh(java.time.Instant.ofEpochSecond(expiresAt),
                java.time.Instant.ofEpochSecond(lastRefreshOrConnect)).getEpochSecond();
    }

    /**
     * What to do with the row before any call to the provider.
     *
     * @param self this refresher's lease owner id
     */
    public Decision beforeCall(Row row, Trigger trigger, String self, long now) {
        if (row.standing() == Standing.REVOKED) {
            boolean retry = trigger != Trigger.ON_DEMAND && trigger != Trigger.WRITE_BACK;
            if (retry && row.lease().heldByOtherAt(self, now)) {
                return Decision.of(Kind.SKIP, trigger, false); // another refresher is sending this revocation right now
            }
            // a retry sends the revocation with no transaction open, under a lease of one attempt
            return new Decision(Kind.DISCONNECTED, trigger, false, retry, retry ? 1 : 0, retry ? now + leaseSeconds : 0,
                    null, null, null);
        }
        if (row.heldAnswer()) {
            return Decision.of(Kind.WRITE_HELD, trigger, false);
        }
        if (trigger == Trigger.WRITE_BACK) {
            return Decision.of(Kind.SKIP, trigger, false);
        }
        if (row.standing() == Standing.RECONNECT_REQUIRED) {
            return Decision.of(Kind.UNAVAILABLE, trigger, false);
        }
        if (row.standing() == Standing.ACTION_REQUIRED && trigger != Trigger.ADMIN) {
            // not retried: only an admin's refresh (or a new credential, which makes the row serve again) mints again
            return Decision.of(Kind.UNAVAILABLE, trigger, false);
        }
        boolean stale = trigger == Trigger.REFUSED && !row.reportedTokenCurrent();
        Trigger effective = stale ? Trigger.ON_DEMAND : trigger;
        if (effective == Trigger.ON_DEMAND && !dueOnDemand(row.expiresAt(), now)) {
            return Decision.of(Kind.SERVE_STORED, effective, stale); // another caller or node refreshed meanwhile
        }
        if (effective == Trigger.PROACTIVE && (row.nextRefreshAt() == null || row.nextRefreshAt() > now)) {
            return Decision.of(Kind.SKIP, effective, stale);
        }
        if (effective == Trigger.HEALTH && row.healthCheckedAt() > now - healthIntervalSeconds) {
            return Decision.of(Kind.SKIP, effective, stale); // checked by another run meanwhile
        }
        if (row.lease().heldByOtherAt(self, now)) {
            // a scheduled run leaves it to the refresher at work; whoever needs the answer waits for it
            Kind kind = effective == Trigger.PROACTIVE || effective == Trigger.HEALTH ? Kind.SKIP : Kind.WAIT;
            return new Decision(kind, effective, stale, false, 0, row.lease().until(), null, null, null);
        }
        RefusalPolicy.Decision refusal = null;
        if (effective == Trigger.REFUSED) {
            refusal = refusals.decide(row.refusals(), java.time.Instant.ofEpochSecond(now));
            switch (refusal.verdict()) {
                case TOO_SOON -> {
                    return new Decision(Kind.TOO_SOON, effective, false, false, 0, 0, refusal, null, refusal.retryAfter());
                }
                case NEEDS_ATTENTION -> {
                    return new Decision(Kind.NEEDS_ATTENTION, effective, false, false, 0, 0, refusal, null, null);
                }
                default -> {
                    // goes ahead: the refusal is counted below, with the call
                }
            }
        }
        if (!row.hasRefreshToken()) {
            return new Decision(Kind.RECONNECT, effective, stale, false, 0, 0, refusal,
                    "no_refresh_token: the provider gave no refresh token; connect again with offline access", null);
        }
        if (!row.providerConfigured()) {
            return new Decision(Kind.FAIL, effective, stale, false, 0, 0, refusal, "provider_not_configured", null);
        }
        int attempts = effective.callerWaits() ? inlineAttempts : 1;
        return new Decision(Kind.CALL, effective, stale, false, attempts, now + leaseSeconds, refusal, null, null);
    }

    /**
     * Whether to try the provider again after attempt number {@code made} (1 for the first) answered {@code answer}:
     * only a transient failure is retried, within the decision's attempts, after a backoff that honours Retry-After.
     */
    public Optional<Duration> retryDelay(Decision decision, int made, Answer answer) {
        if (answer.kind() != AnswerKind.TRANSIENT || made >= decision.attempts()) {
            return Optional.empty();
        }
        return Optional.of(inlineBackoff.delay(made - 1, answer.retryAfter()));
    }

    /**
     * What to store once the provider answered, given the row as it is now.
     *
     * @param earlierUnfinished an earlier refresh of this row started and never stored its answer (its node stopped)
     */
    public AfterDecision afterCall(AfterRow row, Trigger trigger, Answer answer, boolean earlierUnfinished, long now) {
        if (answer.kind() == AnswerKind.GRANTED) {
            if (row.standing() == Standing.REVOKED) {
                return new AfterDecision(After.STORE_FOR_REVOCATION, null, null);
            }
            // rotated or kept refresh token alike: stored while the row still holds the one presented
            return new AfterDecision(row.holdsPresented() ? After.STORE : After.SUPERSEDED, null, null);
        }
        if (!row.holdsPresented() || row.standing() == Standing.REVOKED) {
            // invalid_grant (or a failure) for a token that was replaced meanwhile: what is stored now stands
            return new AfterDecision(After.SUPERSEDED, null, null);
        }
        if (answer.kind() == AnswerKind.INVALID_GRANT) {
            return new AfterDecision(After.RECONNECT, Reasons.invalidGrant(answer, earlierUnfinished), null);
        }
        if (answer.kind() == AnswerKind.ACTION_REQUIRED) {
            return new AfterDecision(After.ACTION_REQUIRED, answer.reason(), null);
        }
        if (!row.leaseOurs()) {
            return new AfterDecision(After.SUPERSEDED, null, null); // another refresher took over after our lease ran out
        }
        return new AfterDecision(After.FAIL, answer.reason(), failure(row.failureCount(), answer.retryAfter(),
                row.expiresAt(), trigger, now));
    }

    /** A transient failure recorded on a row that had failed {@code failuresBefore} times in a row. */
    public Failure failure(int failuresBefore, Duration retryAfter, long expiresAt, Trigger trigger, long now) {
        int failures = failuresBefore + 1;
        Duration wait = failureBackoff.delay(failures - 1, retryAfter);
        // a refused token is not served back, however long it was meant to live
        return new Failure(failures, now + Math.max(1, wait.toSeconds()), now < expiresAt && trigger != Trigger.REFUSED);
    }

    /** How the reason of a dead refresh token is worded. */
    static final class Reasons {
        private Reasons() {
        }

        static String invalidGrant(Answer answer, boolean earlierUnfinished) {
            return answer.reason() + ": the provider refused the refresh token"
                    + (answer.unanswered() ? " after an earlier attempt got no answer (a rotating provider may have rotated it then)" : "")
                    + (earlierUnfinished ? "; an earlier refresh never stored its answer (its node stopped mid-refresh),"
                            + " and a provider that rotates refresh tokens rotated it then" : "");
        }
    }
}
