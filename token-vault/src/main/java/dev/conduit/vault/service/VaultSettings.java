package dev.conduit.vault.service;

import java.time.Duration;

import dev.conduit.vault.refresh.Backoff;
import dev.conduit.vault.refresh.RefreshSchedule;
import dev.conduit.vault.refresh.RefusalPolicy;
import org.keycloak.Config;

/**
 * The vault's tunables, from {@code --spi-conduit-upstream-grant-handover--conduit-vault--<name>}:
 * refresh-margin-seconds (60), proactive-lead-seconds (300), keep-alive-days (7), refresh-interval-seconds
 * (60; 0 turns the scheduled task off), health-interval-seconds (21600), refresh-threads (4),
 * refresh-batch (2000), connect-timeout-millis (5000), read-timeout-millis (10000), inline-attempts (3);
 * for apps reporting a refused token ({@link RefusalPolicy}): refusal-refreshes (3), refusal-window-seconds (900),
 * refusal-spacing-seconds (30).
 */
public record VaultSettings(RefreshSchedule schedule, int refreshIntervalSeconds, int healthIntervalSeconds,
        int refreshThreads, int refreshBatch, int connectTimeoutMillis, int readTimeoutMillis, int inlineAttempts,
        Backoff inlineBackoff, Backoff failureBackoff, RefusalPolicy refusals) {

    public static VaultSettings from(Config.Scope config) {
        RefreshSchedule schedule = new RefreshSchedule(
                Duration.ofSeconds(config.getLong("refresh-margin-seconds", 60L)),
                Duration.ofSeconds(config.getLong("proactive-lead-seconds", 300L)),
                Duration.ofDays(config.getLong("keep-alive-days", 7L)));
        return new VaultSettings(schedule,
                config.getInt("refresh-interval-seconds", 60),
                config.getInt("health-interval-seconds", 21600),
                Math.max(1, config.getInt("refresh-threads", 4)),
                Math.max(1, config.getInt("refresh-batch", 2000)),
                config.getInt("connect-timeout-millis", 5000),
                config.getInt("read-timeout-millis", 10000),
                Math.max(1, config.getInt("inline-attempts", 3)),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), Math::random),
                new Backoff(Duration.ofSeconds(30), Duration.ofHours(1), Math::random),
                new RefusalPolicy(Math.max(1, config.getInt("refusal-refreshes", RefusalPolicy.DEFAULT_REFRESHES_PER_WINDOW)),
                        Duration.ofSeconds(Math.max(0, config.getLong("refusal-window-seconds", RefusalPolicy.DEFAULT_WINDOW.toSeconds()))),
                        Duration.ofSeconds(Math.max(0, config.getLong("refusal-spacing-seconds", RefusalPolicy.DEFAULT_SPACING.toSeconds())))));
    }
}
