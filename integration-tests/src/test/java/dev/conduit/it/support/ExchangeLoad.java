package dev.conduit.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.sandbox.Account;

/**
 * The benchmarks' closed-loop HTTP load (ExchangeBenchmarkIT, KeyCustodyBenchmarkIT): endpoints run in blocks at a fixed
 * concurrency over HTTP/1.1 keep-alive, each worker sending its next request when the previous answer is read; latency
 * per request (send to body read), requests per second over the summed wall time of an endpoint's measured blocks.
 */
public final class ExchangeLoad {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String benchmark;
    private final int concurrency;

    /** {@code benchmark} names the BENCHMARK lines ({@code BENCHMARK <benchmark> endpoint=...}). */
    public ExchangeLoad(String benchmark, int concurrency) {
        this.benchmark = benchmark;
        this.concurrency = concurrency;
    }

    public Target target(String name, String expectedToken, Supplier<HttpRequest> request) {
        return new Target(name, expectedToken, request);
    }

    /** One endpoint under load: its request (rebuilt per block, as the user's token changes) and its figures. */
    public final class Target {
        private final String name;
        /** The upstream token every answer must carry, or null where any access token will do. */
        private final String expectedToken;
        private final Supplier<HttpRequest> request;
        private final List<long[]> blocks = new ArrayList<>();
        private final AtomicInteger errors = new AtomicInteger();
        private final Map<String, AtomicInteger> errorKinds = new ConcurrentHashMap<>();
        private long wallNanos;

        private Target(String name, String expectedToken, Supplier<HttpRequest> request) {
            this.name = name;
            this.expectedToken = expectedToken;
            this.request = request;
        }

        public String name() {
            return name;
        }

        public int errors() {
            return errors.get();
        }

        public void run(ExecutorService pool, int count, boolean measured) throws Exception {
            HttpRequest req = request.get();
            long[] latencies = new long[count];
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> workers = new ArrayList<>();
            long startedEpochMillis = System.currentTimeMillis();
            long started = System.nanoTime();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        String failure = null;
                        try {
                            HttpResponse<String> response = http.send(req, HttpResponse.BodyHandlers.ofString());
                            latencies[i] = System.nanoTime() - t0;
                            if (response.statusCode() != 200) {
                                failure = response.statusCode() + " " + errorOf(response);
                            } else if (!response.body().contains("\"access_token\"")
                                    || (expectedToken != null && !response.body().contains(expectedToken))) {
                                failure = "200 without the expected access token";
                            }
                        } catch (IOException e) {
                            latencies[i] = System.nanoTime() - t0;
                            failure = e.getClass().getSimpleName();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        if (failure != null) {
                            if (measured) {
                                errors.incrementAndGet();
                            }
                            errorKinds.computeIfAbsent((measured ? "" : "warmup ") + failure, k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            if (measured) {
                wallNanos += System.nanoTime() - started;
                blocks.add(latencies);
                BenchProfiling.recordWindow(name, startedEpochMillis, System.currentTimeMillis(), count);
            }
        }

        public int measured() {
            return blocks.stream().mapToInt(b -> b.length).sum();
        }

        private long[] sorted() {
            long[] all = blocks.stream().flatMapToLong(Arrays::stream).toArray();
            Arrays.sort(all);
            return all;
        }

        public double rps() {
            return measured() / (wallNanos / 1e9);
        }

        public double percentileMillis(double p) {
            return ExchangeLoad.percentileMillis(sorted(), p);
        }

        public String line() {
            return String.format(Locale.ROOT, "BENCHMARK %s endpoint=%s requests=%d concurrency=%d rps=%.1f"
                            + " p50_ms=%.2f p99_ms=%.2f errors=%d", benchmark, name, measured(), concurrency, rps(),
                    percentileMillis(0.50), percentileMillis(0.99), errors.get());
        }

        public String errorSummary() {
            return new TreeMap<>(errorKinds).toString();
        }
    }

    /** The {@code p} percentile (nearest rank) of sorted nanosecond latencies, in milliseconds. */
    public static double percentileMillis(long[] sortedNanos, double p) {
        int rank = (int) Math.ceil(p * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    /** Ratios of one target's figures to another's: rps above 1 is faster, latency above 1 slower. */
    public String ratio(Target measured, Target against) {
        return String.format(Locale.ROOT, "BENCHMARK %s ratio %s/%s rps=%.2f p50=%.2f p99=%.2f", benchmark,
                measured.name, against.name, measured.rps() / against.rps(),
                measured.percentileMillis(0.50) / against.percentileMillis(0.50),
                measured.percentileMillis(0.99) / against.percentileMillis(0.99));
    }

    public static HttpRequest form(String url, String authorization, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** The OAuth {@code error} code of an answer (never its body, which may hold a token elsewhere). */
    public static String errorOf(HttpResponse<String> response) {
        try {
            JsonNode json = AdminApi.mapper().readTree(response.body());
            return json == null ? "" : json.path("error").asText("") + (json.has("error_description")
                    ? " (" + json.get("error_description").asText() + ")" : "");
        } catch (IOException | RuntimeException e) {
            return "(no JSON body)";
        }
    }

    public static JsonNode ok(HttpResponse<String> response, String what) {
        assertThat(response.statusCode()).as(what + ": " + errorOf(response)).isEqualTo(200);
        return AppTokens.json(response);
    }

    /** The demo app's tokens for one user, renewed with its refresh token. Never printed. */
    public static final class UserTokens {
        private final ConduitEnvironment env;
        private volatile String access;
        private volatile String refresh;

        private UserTokens(ConduitEnvironment env) {
            this.env = env;
        }

        /** Logs {@code account} in through {@code alias} as the demo app, keeping the refresh token. */
        public static UserTokens login(ConduitEnvironment env, String alias, Account account) {
            BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), alias, account);
            assertThat(page.endedAtApp()).as("login through " + alias + " ended at the app: " + page.uri()).isTrue();
            String code = page.callbackParameter("code");
            assertThat(code).as("code from the login through " + alias).isNotNull();
            UserTokens tokens = new UserTokens(env);
            tokens.update(ok(new AppTokens(env).post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                    "grant_type", "authorization_code", "client_id", ConduitEnvironment.APP_CLIENT, "code", code,
                    "redirect_uri", ConduitEnvironment.APP_REDIRECT, "code_verifier", ConduitEnvironment.APP_PKCE_VERIFIER),
                    null), "code redemption after " + alias));
            return tokens;
        }

        /** New tokens (user access tokens live 5 minutes: every block starts with fresh ones). */
        public void renew() {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("grant_type", "refresh_token");
            form.put("client_id", ConduitEnvironment.APP_CLIENT);
            form.put("refresh_token", refresh);
            update(ok(new AppTokens(env).post(env.realmUrl() + "/protocol/openid-connect/token", form, null), "user token refresh"));
        }

        private void update(JsonNode answer) {
            access = answer.get("access_token").asText();
            if (answer.hasNonNull("refresh_token")) {
                refresh = answer.get("refresh_token").asText();
            }
        }

        public String access() {
            return access;
        }
    }
}
