package dev.conduit.vault.refresh;

import java.time.Duration;
import java.time.Instant;

/**
 * When a stored access token must be refreshed: on demand when it is within {@code margin} of expiry, and
 * proactively a little earlier ({@code proactiveLead}), so callers rarely wait. Providers that expire idle
 * refresh tokens (Salesforce "expire if unused", Google after six months) get a keep-alive refresh.
 */
public record RefreshSchedule(Duration margin, Duration proactiveLead, Duration keepAliveEvery) {

    public static RefreshSchedule defaults() {
        return new RefreshSchedule(Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofDays(7));
    }

    public boolean dueOnDemand(Instant expiresAt, Instant now) {
        return !now.plus(margin).isBefore(expiresAt);
    }

    /** The instant the proactive refresher should pick the connection up; the index it queries orders by this. */
    public Instant nextProactiveRefresh(Instant expiresAt, Instant lastRefresh) {
        Instant beforeExpiry = expiresAt.minus(proactiveLead);
        Instant keepAlive = lastRefresh.plus(keepAliveEvery);
        return beforeExpiry.isBefore(keepAlive) ? beforeExpiry : keepAlive;
    }
}
