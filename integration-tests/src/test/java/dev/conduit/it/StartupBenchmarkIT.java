package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.conduit.it.support.KeycloakProcess;
import dev.conduit.it.support.Ports;
import dev.conduit.it.support.Secrets;
import org.junit.jupiter.api.Test;

/**
 * Keycloak's start time and memory with and without Conduit's jars, from the same distribution in the same run
 * (H2, start-dev, no realm import). Each variant starts once with Quarkus' re-augmentation, then the variants take
 * turns for {@code conduit.bench.startup.rounds} (3) starts without it, so that noise on a shared machine falls on
 * both alike; the lowest and the median are reported. Memory is the Keycloak JVM's resident set size once it answers
 * (5 s later) and after 500 requests to the discovery endpoint, from each variant's last start. Prints BENCHMARK
 * lines; asserts only that both variants start and answer.
 */
class StartupBenchmarkIT {

    private static final int REQUESTS = 500;

    @Test
    void keycloakStartTimeAndMemoryWithAndWithoutConduit() throws Exception {
        Path distribution = Path.of(System.getProperty("keycloak.home", "target/keycloak-26.7.3")).toAbsolutePath();
        Path plainHome = copy(distribution, "bench-plain", false);
        Path conduitHome = copy(distribution, "bench-conduit", true);
        long plainFirst = start(plainHome, false).stopAfter(null);
        long conduitFirst = start(conduitHome, true).stopAfter(null);
        int rounds = Integer.getInteger("conduit.bench.startup.rounds", 3);
        List<Long> plainStarts = new ArrayList<>();
        List<Long> conduitStarts = new ArrayList<>();
        long[] plainRss = new long[2];
        long[] conduitRss = new long[2];
        for (int round = 0; round < rounds; round++) {
            boolean last = round == rounds - 1;
            plainStarts.add(start(plainHome, false).stopAfter(last ? plainRss : null));
            conduitStarts.add(start(conduitHome, true).stopAfter(last ? conduitRss : null));
        }
        Measured plain = new Measured(plainFirst, min(plainStarts), median(plainStarts), plainRss[0], plainRss[1]);
        Measured conduit = new Measured(conduitFirst, min(conduitStarts), median(conduitStarts), conduitRss[0], conduitRss[1]);
        print("plain", plain);
        print("conduit", conduit);
        System.out.printf("BENCHMARK startup ratio conduit/plain first_start=%.2f start_min=%.2f start_median=%.2f rss_ready=%.2f rss_after=%.2f%n",
                ratio(conduit.firstStartMillis(), plain.firstStartMillis()), ratio(conduit.startMinMillis(), plain.startMinMillis()),
                ratio(conduit.startMedianMillis(), plain.startMedianMillis()),
                ratio(conduit.rssReadyKb(), plain.rssReadyKb()), ratio(conduit.rssAfterKb(), plain.rssAfterKb()));
        assertThat(plain.rssReadyKb()).isPositive();
        assertThat(conduit.rssReadyKb()).isPositive();
    }

    private record Measured(long firstStartMillis, long startMinMillis, long startMedianMillis, long rssReadyKb, long rssAfterKb) {
    }

    private static void print(String variant, Measured m) {
        System.out.printf("BENCHMARK startup variant=%s first_start_with_augmentation_ms=%d start_min_ms=%d start_median_ms=%d"
                        + " rss_ready_mb=%d rss_after_%d_requests_mb=%d%n", variant, m.firstStartMillis(), m.startMinMillis(),
                m.startMedianMillis(), m.rssReadyKb() / 1024, REQUESTS, m.rssAfterKb() / 1024);
    }

    private static long min(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).min().orElse(0);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    private static Running start(Path home, boolean withConduit) {
        int port = Ports.free();
        KeycloakProcess.Builder server = KeycloakProcess.in(home).named(withConduit ? "conduit" : "plain").command("start-dev")
                .option("--http-port=" + port).option("--http-management-port=" + Ports.free())
                .bootstrapAdmin(Secrets.generate()).log(home.resolve("benchmark.log"));
        if (withConduit) {
            server.options(KeycloakProcess.vaultKeyOptions("b1:" + Secrets.aes256KeyBase64(), "b1"));
        }
        return new Running(server.start(), port);
    }

    private record Running(KeycloakProcess server, int port) {

        /** Waits until Keycloak answers; optionally measures memory; stops it; returns the time to answer. */
        long stopAfter(long[] rss) throws Exception {
            URI probe = URI.create("http://localhost:" + port + "/realms/master/.well-known/openid-configuration");
            long ready = server.awaitReady(probe, Duration.ofMinutes(6), 200, () -> true);
            if (rss != null) {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                Thread.sleep(5000);
                rss[0] = server.rssKb();
                for (int i = 0; i < REQUESTS; i++) {
                    http.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
                }
                rss[1] = server.rssKb();
            }
            server.stop();
            return ready;
        }
    }

    /** A copy of the distribution without data, with or without the Conduit jars in providers/. */
    private static Path copy(Path distribution, String name, boolean withConduit) {
        Path target = distribution.resolveSibling(name);
        KeycloakProcess.copyDistribution(distribution, target,
                relative -> !withConduit && relative.startsWith("providers") && relative.toString().endsWith(".jar"));
        return target;
    }
}
