package dev.conduit.vault.service;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.vault.refresh.Backoff;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.refresh.RefreshSchedule;
import dev.conduit.vault.refresh.RefusalPolicy;
import org.keycloak.Config;

/**
 * The vault's tunables, from {@code --spi-conduit-vault--<name>} ({@link RenamedSettings}), each declared in
 * {@link #SETTINGS} with its default; {@link #operationalInfo()} gives the values in effect.
 */
public record VaultSettings(RefreshSchedule schedule, int refreshIntervalSeconds, int healthIntervalSeconds,
        int refreshThreads, int refreshBatch, int connectTimeoutMillis, int readTimeoutMillis, int inlineAttempts,
        Backoff inlineBackoff, Backoff failureBackoff, RefusalPolicy refusals) {

    static final FactorySetting REFRESH_MARGIN = FactorySetting.integer("refresh-margin-seconds", 60,
            "An access token expiring within this many seconds is refreshed before it is handed out.");
    static final FactorySetting PROACTIVE_LEAD = FactorySetting.integer("proactive-lead-seconds", 300,
            "The scheduled task refreshes tokens expiring within this many seconds.");
    static final FactorySetting KEEP_ALIVE = FactorySetting.integer("keep-alive-days", 7,
            "A connection not refreshed for this many days is refreshed anyway, so its refresh token stays alive.");
    static final FactorySetting REFRESH_INTERVAL = FactorySetting.integer("refresh-interval-seconds", 60,
            "Seconds between runs of the scheduled refresh task; 0 turns it off.");
    static final FactorySetting HEALTH_INTERVAL = FactorySetting.integer("health-interval-seconds", 21600,
            "Seconds between health checks of idle connections.");
    static final FactorySetting REFRESH_THREADS = FactorySetting.integer("refresh-threads", 4,
            "Threads of the scheduled refresh task (at least 1).");
    static final FactorySetting REFRESH_BATCH = FactorySetting.integer("refresh-batch", 2000,
            "Connections the scheduled task takes per run at the most (at least 1).");
    static final FactorySetting CONNECT_TIMEOUT = FactorySetting.integer("connect-timeout-millis", 5000,
            "Connect timeout of calls to a provider's token endpoint, in milliseconds.");
    static final FactorySetting READ_TIMEOUT = FactorySetting.integer("read-timeout-millis", 10000,
            "Read timeout of calls to a provider's token endpoint, in milliseconds.");
    static final FactorySetting INLINE_ATTEMPTS = FactorySetting.integer("inline-attempts", 3,
            "Attempts of a refresh while an app waits for its token (at least 1).");
    static final FactorySetting REFUSAL_REFRESHES = FactorySetting.integer("refusal-refreshes",
            RefusalPolicy.DEFAULT_REFRESHES_PER_WINDOW,
            "Replacements of a token an app reports refused, per window and connection (at least 1).");
    static final FactorySetting REFUSAL_WINDOW = FactorySetting.integer("refusal-window-seconds",
            RefusalPolicy.DEFAULT_WINDOW.toSeconds(), "The window of refusal-refreshes, in seconds.");
    static final FactorySetting REFUSAL_SPACING = FactorySetting.integer("refusal-spacing-seconds",
            RefusalPolicy.DEFAULT_SPACING.toSeconds(), "Seconds at least between two replacements of a refused token.");

    /** Every tunable, in the order of {@link #operationalInfo()}. */
    public static final List<FactorySetting> SETTINGS = List.of(REFRESH_MARGIN, PROACTIVE_LEAD, KEEP_ALIVE,
            REFRESH_INTERVAL, HEALTH_INTERVAL, REFRESH_THREADS, REFRESH_BATCH, CONNECT_TIMEOUT, READ_TIMEOUT,
            INLINE_ATTEMPTS, REFUSAL_REFRESHES, REFUSAL_WINDOW, REFUSAL_SPACING);

    public static VaultSettings from(Config.Scope config) {
        RefreshSchedule schedule = new RefreshSchedule(
                Duration.ofSeconds(REFRESH_MARGIN.readLong(config)),
                Duration.ofSeconds(PROACTIVE_LEAD.readLong(config)),
                Duration.ofDays(KEEP_ALIVE.readLong(config)));
        return new VaultSettings(schedule,
                REFRESH_INTERVAL.readInt(config),
                HEALTH_INTERVAL.readInt(config),
                Math.max(1, REFRESH_THREADS.readInt(config)),
                Math.max(1, REFRESH_BATCH.readInt(config)),
                CONNECT_TIMEOUT.readInt(config),
                READ_TIMEOUT.readInt(config),
                Math.max(1, INLINE_ATTEMPTS.readInt(config)),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), Math::random),
                new Backoff(Duration.ofSeconds(30), Duration.ofHours(1), Math::random),
                new RefusalPolicy(Math.max(1, REFUSAL_REFRESHES.readInt(config)),
                        Duration.ofSeconds(Math.max(0, REFUSAL_WINDOW.readLong(config))),
                        Duration.ofSeconds(Math.max(0, REFUSAL_SPACING.readLong(config)))));
    }

    /** The refresh decisions under these settings. */
    public RefreshPolicy refreshPolicy() {
        return new RefreshPolicy(schedule, healthIntervalSeconds, inlineAttempts, inlineBackoff, failureBackoff, refusals,
                leaseSeconds());
    }

    /**
     * How long a refresher's claim on a row lasts from its claim or renewal: one attempt connecting and reading to
     * its timeouts, and a margin ({@link RefreshPolicy#leaseFor}); renewed before each further attempt.
     */
    public long leaseSeconds() {
        return RefreshPolicy.leaseFor(Duration.ofMillis(connectTimeoutMillis), Duration.ofMillis(readTimeoutMillis));
    }

    /** The values in effect (after the lower bounds), by setting name, for the admin console's server info. */
    public Map<String, String> operationalInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(REFRESH_MARGIN.name(), Long.toString(schedule.margin().toSeconds()));
        info.put(PROACTIVE_LEAD.name(), Long.toString(schedule.proactiveLead().toSeconds()));
        info.put(KEEP_ALIVE.name(), Long.toString(schedule.keepAliveEvery().toDays()));
        info.put(REFRESH_INTERVAL.name(), Integer.toString(refreshIntervalSeconds));
        info.put(HEALTH_INTERVAL.name(), Integer.toString(healthIntervalSeconds));
        info.put(REFRESH_THREADS.name(), Integer.toString(refreshThreads));
        info.put(REFRESH_BATCH.name(), Integer.toString(refreshBatch));
        info.put(CONNECT_TIMEOUT.name(), Integer.toString(connectTimeoutMillis));
        info.put(READ_TIMEOUT.name(), Integer.toString(readTimeoutMillis));
        info.put(INLINE_ATTEMPTS.name(), Integer.toString(inlineAttempts));
        info.put(REFUSAL_REFRESHES.name(), Integer.toString(refusals.refreshesPerWindow()));
        info.put(REFUSAL_WINDOW.name(), Long.toString(refusals.window().toSeconds()));
        info.put(REFUSAL_SPACING.name(), Long.toString(refusals.spacing().toSeconds()));
        return info;
    }

    /** When a parked revocation that has failed {@code failures} times (at least 1) is tried again: the failure backoff, plus a second. */
    public long nextRetryAt(long now, int failures) {
        return now + failureBackoff.delay(failures - 1, null).toSeconds() + 1;
    }
}
