package dev.conduit.vault.refresh;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How often an app's report that the provider refused a connection's current access token (its API answered 401)
 * may make the vault refresh that connection. A report about an older token never refreshes (the vault serves
 * the newer one), so each token is replaced at most once; this policy bounds the rest, per connection:
 * <ul>
 *   <li>refusal-triggered refreshes at least {@code spacing} apart: a report sooner is answered "retry later"
 *       ({@link Verdict#TOO_SOON}) without calling the provider;</li>
 *   <li>at most {@code refreshesPerWindow} of them within {@code window} (counted from the first): a refusal of
 *       the token the last of them gave means refreshing does not help (the provider keeps refusing fresh tokens,
 *       or the app misreports), so the connection needs a person ({@link Verdict#NEEDS_ATTENTION}).</li>
 * </ul>
 * The state lives in the connection's row, so the bounds hold across nodes. Plain logic, epoch seconds.
 */
public record RefusalPolicy(int refreshesPerWindow, Duration window, Duration spacing) {

    public static final int DEFAULT_REFRESHES_PER_WINDOW = 3;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    public static final Duration DEFAULT_SPACING = Duration.ofSeconds(30);

    public RefusalPolicy {
        if (refreshesPerWindow < 1) {
            throw new IllegalArgumentException("refreshesPerWindow must be at least 1");
        }
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(spacing, "spacing");
        if (window.isNegative() || spacing.isNegative()) {
            throw new IllegalArgumentException("window and spacing cannot be negative");
        }
    }

    public static RefusalPolicy defaults() {
        return new RefusalPolicy(DEFAULT_REFRESHES_PER_WINDOW, DEFAULT_WINDOW, DEFAULT_SPACING);
    }

    public enum Verdict {
        /** Refresh now; store {@link Decision#next()}. */
        REFRESH,
        /** The last refusal-triggered refresh was less than {@code spacing} ago: retry after {@link Decision#retryAfter()}. */
        TOO_SOON,
        /** The window's refreshes are used up and the newest token is refused too: a person must look. */
        NEEDS_ATTENTION
    }

    /**
     * A connection's refusal-triggered refreshes: how many since {@code windowStartedAt}, the last at
     * {@code lastRefreshAt} (epoch seconds; 0 and 0 for none).
     */
    public record State(long windowStartedAt, int refreshes, long lastRefreshAt) {

        public static final State NONE = new State(0, 0, 0);
    }

    /** What to do, the state to store when refreshing (unchanged otherwise), and how long to wait when too soon. */
    public record Decision(Verdict verdict, State next, Duration retryAfter) {
    }

    public Decision decide(State state, Instant now) {
        long at = now.getEpochSecond();
        boolean windowOpen = state.refreshes() > 0 && at - state.windowStartedAt() < window.toSeconds();
        int refreshes = windowOpen ? state.refreshes() : 0;
        if (refreshes >= refreshesPerWindow) {
            return new Decision(Verdict.NEEDS_ATTENTION, state, Duration.ZERO);
        }
        long since = at - state.lastRefreshAt();
        if (state.lastRefreshAt() > 0 && since >= 0 && since < spacing.toSeconds()) {
            return new Decision(Verdict.TOO_SOON, state, Duration.ofSeconds(spacing.toSeconds() - since));
        }
        return new Decision(Verdict.REFRESH, new State(windowOpen ? state.windowStartedAt() : at, refreshes + 1, at),
                Duration.ZERO);
    }
}
