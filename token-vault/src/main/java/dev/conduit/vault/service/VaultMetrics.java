package dev.conduit.vault.service;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/**
 * Counters and timings in Micrometer's global registry, which Keycloak exposes at {@code /metrics} on the
 * management port when started with {@code --metrics-enabled=true} (names gain Prometheus suffixes there,
 * e.g. {@code conduit_vault_refresh_total}). Tagged by provider alias and outcome, never by user.
 */
public final class VaultMetrics {

    private VaultMetrics() {
    }

    static void refresh(String alias, String trigger, String outcome, Duration took) {
        Counter.builder("conduit.vault.refresh").description("Upstream refreshes by outcome")
                .tag("provider", alias).tag("trigger", trigger).tag("outcome", outcome)
                .register(Metrics.globalRegistry).increment();
        Timer.builder("conduit.vault.refresh.duration").description("Time of an upstream refresh call")
                .tag("provider", alias).tag("outcome", outcome)
                .register(Metrics.globalRegistry).record(took);
    }

    /**
     * An app's report of a refused access token: {@code stale} (an older token; the newer one served),
     * {@code refresh}, {@code too_soon} (limited, the provider not called) or {@code needs_attention}.
     */
    static void refusal(String alias, String outcome) {
        Counter.builder("conduit.vault.refusal").description("Reports of a refused upstream access token by outcome")
                .tag("provider", alias).tag("outcome", outcome)
                .register(Metrics.globalRegistry).increment();
    }

    static void revocation(String alias, String outcome) {
        Counter.builder("conduit.vault.revocation").description("Upstream revocations by outcome")
                .tag("provider", alias).tag("outcome", outcome)
                .register(Metrics.globalRegistry).increment();
    }

    private static final Counter ROW_CACHE_HITS = Counter.builder("conduit.vault.row.cache").description(
            "Connection rows an exchange read from this node's sealed-row cache (hit) or from the database (miss)")
            .tag("result", "hit").register(Metrics.globalRegistry);
    private static final Counter ROW_CACHE_MISSES = Counter.builder("conduit.vault.row.cache").description(
            "Connection rows an exchange read from this node's sealed-row cache (hit) or from the database (miss)")
            .tag("result", "miss").register(Metrics.globalRegistry);

    static void rowCache(boolean hit) {
        (hit ? ROW_CACHE_HITS : ROW_CACHE_MISSES).increment();
    }

    /** Served-token counters by alias and refreshed flag, looked up once: every exchange counts one. */
    private static final Map<String, Counter> SERVED = new ConcurrentHashMap<>();

    static void served(String alias, boolean refreshedFirst) {
        SERVED.computeIfAbsent((refreshedFirst ? "1" : "0") + alias, key -> Counter.builder("conduit.vault.token.served")
                .description("Access tokens handed out by the vault")
                .tag("provider", alias).tag("refreshed", String.valueOf(refreshedFirst))
                .register(Metrics.globalRegistry)).increment();
    }

    /** A scheduled round on this node: {@code run} when it claimed the round, {@code skipped} when another node had. */
    public static void proactiveRound(boolean ran) {
        Counter.builder("conduit.vault.proactive.round").description("Scheduled rounds on this node, run or left to another node")
                .tag("outcome", ran ? "run" : "skipped")
                .register(Metrics.globalRegistry).increment();
    }

    static void proactiveRun(int due, Duration took) {
        Timer.builder("conduit.vault.proactive.run").description("Duration of one proactive refresh run")
                .register(Metrics.globalRegistry).record(took);
        Counter.builder("conduit.vault.proactive.due").description("Connections found due by the proactive refresher")
                .register(Metrics.globalRegistry).increment(due);
    }
}
