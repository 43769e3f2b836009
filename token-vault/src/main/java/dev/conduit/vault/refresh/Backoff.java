package dev.conduit.vault.refresh;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter for transient refresh failures: attempt n waits a random time in
 * [0, min(cap, base * 2^n)], or at least what the provider's Retry-After asked for.
 */
public final class Backoff {

    private final Duration base;
    private final Duration cap;
    private final DoubleSupplier random;

    public Backoff(Duration base, Duration cap, DoubleSupplier random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /** The longest pause this backoff makes without a Retry-After (which is capped there too). */
    public Duration cap() {
        return cap;
    }

    public Duration delay(int attempt, Duration retryAfter) {
        long ceiling = base.toMillis() << Math.min(Math.max(attempt, 0), 30);
        long bounded = Math.min(cap.toMillis(), ceiling <= 0 ? cap.toMillis() : ceiling);
        long jittered = (long) (random.getAsDouble() * bounded);
        long floor = retryAfter == null ? 0 : Math.min(retryAfter.toMillis(), cap.toMillis());
        return Duration.ofMillis(Math.max(jittered, floor));
    }
}
