import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Attributes the CPU samples of a benchmark's flight recording to the phases of a request, per endpoint.
 *
 * <pre>
 *   java scripts/JfrPhases.java &lt;recording.jfr&gt; [&lt;windows file&gt;] [--stacks PHASE [N]] [--leaves PHASE [N]]
 * </pre>
 *
 * The windows file ({@code <recording>.windows} by default, written by ExchangeBenchmarkIT when
 * {@code -Dconduit.bench.jfr=<recording>} is set) names each measured block: {@code endpoint startEpochMs endEpochMs
 * requests}. Every {@code jdk.ExecutionSample} (a thread running Java code) inside an endpoint's blocks counts for that
 * endpoint; {@code jdk.NativeMethodSample} (a thread in native code: socket reads, so mostly waiting for the database
 * or the client) are tallied apart. A sample's phase is that of the innermost frame (nearest the leaf) that a phase
 * rule names ({@link #DOMAIN}); a sample no such frame explains goes to the first generic rule that matches
 * ({@link #GENERIC}: the request's commit, RESTEasy, Vert.x...) or to "other". The CPU time per request is the JVM's CPU
 * load ({@code jdk.CPULoad}) over the blocks times the cores times the blocks' wall time over their requests; a phase's
 * ms/request is its share of the samples times that (garbage collection and JIT run outside the samples, so the shares
 * slightly overstate the Java phases).
 */
public final class JfrPhases {

    record Rule(String phase, String prefix, String method) {
        boolean matches(String type, String name) {
            return type.startsWith(prefix) && (method == null || method.equals(name));
        }
    }

    record Window(String endpoint, long start, long end, int requests) {
    }

    static Rule rule(String phase, String prefix) {
        return new Rule(phase, prefix, null);
    }

    static Rule rule(String phase, String prefix, String method) {
        return new Rule(phase, prefix, method);
    }

    /** Checked on every frame from the leaf down; the first frame any rule names decides (rules in this order per frame). */
    static final List<Rule> DOMAIN = List.of(
            // Conduit
            rule("conduit: body re-buffering filter", "dev.conduit.exchange.guard.StorableCredentialsFilter"),
            rule("conduit: routing, client-id lookup (own transaction)", "dev.conduit.exchange.upstream.ClientIdLookup"),
            rule("identity-provider lookups", "dev.conduit.api.grant.ConduitBrokers"),
            rule("identity-provider lookups", "dev.conduit.exchange.support.ExchangeChecks", "provider"),
            rule("identity-provider lookups", "dev.conduit.exchange.support.ExchangeChecks", "broker"),
            rule("client-scope lookups", "dev.conduit.exchange.support.ExchangeChecks", "scopeAttributes"),
            rule("client-scope lookups", "dev.conduit.exchange.support.ExchangeChecks", "clientScopeNames"),
            rule("client-scope lookups", "dev.conduit.exchange.support.ExchangeChecks", "heldPermissions"),
            rule("client-scope lookups", "dev.conduit.exchange.upstream.ScopeLookup"),
            rule("permission mapping", "dev.conduit.exchange.upstream.PermissionCheck"),
            rule("permission mapping", "dev.conduit.api.permission"),
            rule("conduit: routing, supports()", "dev.conduit.exchange.upstream.UpstreamTokenExchangeProvider", "supports"),
            rule("conduit: routing, supports()", "dev.conduit.exchange.upstream.UpstreamTokenExchangeProvider", "request"),
            rule("conduit: routing, supports()", "dev.conduit.exchange.upstream.UpstreamTokenRequest"),
            rule("conduit: routing, supports()", "dev.conduit.exchange.narrow.NarrowedTokenExchangeProvider", "supports"),
            rule("vault: data-key read", "dev.conduit.vault.service.StoredDataKeys"),
            rule("vault: data-key read", "dev.conduit.vault.keys"),
            rule("vault: decryption", "dev.conduit.vault.crypto"),
            rule("vault: row read", "dev.conduit.vault.store"),
            rule("vault: row read", "dev.conduit.vault.service.ConnectionVault", "stored"),
            rule("vault: other", "dev.conduit.vault"),
            rule("conduit: exchange (other)", "dev.conduit.exchange"),
            rule("conduit: other", "dev.conduit"),
            // Keycloak
            rule("event", "org.keycloak.events"),
            rule("client policies", "org.keycloak.services.clientpolicy"),
            rule("session lookup", "org.keycloak.models.sessions.infinispan"),
            rule("session lookup", "org.keycloak.services.util.UserSessionUtil"),
            rule("session lookup", "org.keycloak.models.session"),
            rule("session lookup", "org.keycloak.services.managers.AuthenticationManager", "isSessionValid"),
            rule("session lookup", "org.keycloak.services.managers.AuthenticationManager", "isOfflineSessionValid"),
            rule("session lookup", "org.keycloak.models.jpa.session"),
            rule("user lookup", "org.keycloak.models.cache.infinispan.UserCacheSession"),
            rule("user lookup", "org.keycloak.models.jpa.JpaUserProvider"),
            rule("identity-provider lookups", "org.keycloak.models.cache.infinispan.idp"),
            rule("identity-provider lookups", "org.keycloak.models.jpa.JPAIdentityProviderStorageProvider"),
            rule("identity-provider lookups", "org.keycloak.services.resources.IdentityBrokerService", "getIdentityProvider"),
            rule("client-scope lookups", "org.keycloak.models.cache.infinispan.entities.CachedClientScope"),
            rule("client-scope lookups", "org.keycloak.models.cache.infinispan.ClientScopeAdapter"),
            rule("V2: stored-token read", "org.keycloak.broker.oidc.AbstractOAuth2IdentityProvider", "retrieveToken"),
            rule("V2: stored-token read", "org.keycloak.broker.oidc.OIDCIdentityProvider", "retrieveToken"),
            rule("V2: federated identity lookup", "org.keycloak.models.cache.infinispan.UserCacheSession", "getFederatedIdentity"),
            rule("token signing", "org.keycloak.crypto.AsymmetricSignatureSignerContext"),
            rule("token signing", "org.keycloak.jose.jws.JWSBuilder"),
            rule("token signature check", "org.keycloak.crypto.AsymmetricSignatureVerifierContext"),
            rule("token signature check", "org.keycloak.crypto.ServerAsymmetricSignatureVerifierContext"),
            rule("token parse", "org.keycloak.jose.jws.JWSInput"),
            rule("client authentication", "org.keycloak.protocol.oidc.utils.AuthorizeClientUtil"),
            rule("client authentication", "org.keycloak.authentication.ClientAuthenticationFlow"),
            rule("client authentication", "org.keycloak.authentication.authenticators.client"),
            rule("client authentication", "org.keycloak.authentication.AuthenticationProcessor"),
            rule("subject-token verification (other)", "org.keycloak.services.managers.AuthenticationManager", "verifyIdentityToken"),
            rule("subject-token verification (other)", "org.keycloak.TokenVerifier"),
            rule("serialisation", "org.keycloak.util.JsonSerialization", "writeValueAsBytes"),
            rule("serialisation", "org.keycloak.util.JsonSerialization", "writeValueAsString"),
            rule("serialisation", "org.jboss.resteasy.reactive.server.core.ServerSerialisers"),
            rule("serialisation", "org.jboss.resteasy.reactive.server.providers.serialisers"),
            rule("serialisation", "io.quarkus.resteasy.reactive.jackson"),
            rule("serialisation", "org.keycloak.quarkus.runtime.integration.resteasy.KeycloakJackson"),
            rule("form parsing", "org.keycloak.services.HttpRequestImpl", "getDecodedFormParameters"),
            rule("form parsing", "org.keycloak.http.HttpRequest", "getDecodedFormParameters"),
            rule("form parsing", "org.jboss.resteasy.reactive.server.core.multipart"),
            rule("form parsing", "org.jboss.resteasy.reactive.server.handlers.FormBodyHandler"),
            rule("CORS", "org.keycloak.services.cors"),
            rule("token building (client_credentials)", "org.keycloak.protocol.oidc.TokenManager"),
            rule("token building (client_credentials)", "org.keycloak.protocol.oidc.grants.ClientCredentialsGrantType"),
            rule("token building (client_credentials)", "org.keycloak.protocol.oidc.mappers"),
            rule("token building (client_credentials)", "org.keycloak.protocol.ProtocolMapperUtils"),
            rule("V2: broker endpoint (other)", "org.keycloak.services.resources.IdentityBrokerService"),
            rule("token endpoint: grant dispatch", "org.keycloak.protocol.oidc.grants.TokenExchangeGrantType"),
            rule("token endpoint: grant dispatch", "org.keycloak.protocol.oidc.grants.OAuth2GrantTypeBase"),
            rule("token endpoint: grant dispatch", "org.keycloak.protocol.oidc.grants.OAuth2GrantManager"),
            rule("token endpoint (other)", "org.keycloak.protocol.oidc.endpoints.TokenEndpoint"));

    /** Where no domain rule applies: the first of these that any frame matches. */
    static final List<Rule> GENERIC = List.of(
            rule("request transaction commit", "org.keycloak.services.DefaultKeycloakTransactionManager", "commit"),
            rule("request transaction commit", "org.keycloak.connections.jpa.JpaKeycloakTransaction", "commit"),
            rule("session create/close", "org.keycloak.services.DefaultKeycloakSession"),
            rule("session create/close", "org.keycloak.services.DefaultKeycloakSessionFactory"),
            rule("session create/close", "org.keycloak.quarkus.runtime.integration.resteasy.TransactionalSessionHandler"),
            rule("JDBC/Hibernate (other)", "org.hibernate"),
            rule("JDBC/Hibernate (other)", "org.postgresql"),
            rule("JDBC/Hibernate (other)", "io.agroal"),
            rule("Keycloak (other)", "org.keycloak"),
            rule("RESTEasy/Quarkus dispatch", "org.jboss.resteasy"),
            rule("RESTEasy/Quarkus dispatch", "io.quarkus"),
            rule("HTTP I/O (Vert.x/Netty)", "io.vertx"),
            rule("HTTP I/O (Vert.x/Netty)", "io.netty"));

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: java scripts/JfrPhases.java <recording.jfr> [<windows>] [--stacks PHASE [N]] [--leaves PHASE [N]]");
            System.exit(2);
        }
        Path recording = Path.of(args[0]);
        Path windowsFile = args.length > 1 && !args[1].startsWith("--") ? Path.of(args[1])
                : recording.resolveSibling(recording.getFileName() + ".windows");
        String stacksPhase = null;
        String leavesPhase = null;
        int top = 10;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--stacks") || args[i].equals("--leaves")) {
                String phase = args[i + 1];
                if (args[i].equals("--stacks")) {
                    stacksPhase = phase;
                } else {
                    leavesPhase = phase;
                }
                if (i + 2 < args.length && args[i + 2].matches("\\d+")) {
                    top = Integer.parseInt(args[i + 2]);
                }
            }
        }
        List<Window> windows = new ArrayList<>();
        for (String line : Files.readAllLines(windowsFile)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4) {
                windows.add(new Window(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3])));
            }
        }
        Map<String, Map<String, Integer>> cpu = new TreeMap<>();
        Map<String, Map<String, Integer>> nativeSamples = new TreeMap<>();
        Map<String, double[]> load = new TreeMap<>(); // jvm sum, machine sum, count
        Map<String, Map<String, Integer>> stacks = new HashMap<>();
        Map<String, Map<String, Integer>> leaves = new HashMap<>();
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                String type = event.getEventType().getName();
                Window window = windowOf(windows, event.getStartTime());
                if (window == null) {
                    continue;
                }
                switch (type) {
                    case "jdk.ExecutionSample", "jdk.NativeMethodSample" -> {
                        RecordedStackTrace trace = event.getStackTrace();
                        String phase = phase(trace);
                        (type.equals("jdk.ExecutionSample") ? cpu : nativeSamples)
                                .computeIfAbsent(window.endpoint(), k -> new TreeMap<>()).merge(phase, 1, Integer::sum);
                        if (type.equals("jdk.ExecutionSample") && phase.equals(stacksPhase)) {
                            stacks.computeIfAbsent(window.endpoint(), k -> new HashMap<>()).merge(describe(trace, 30), 1, Integer::sum);
                        }
                        if (type.equals("jdk.ExecutionSample") && phase.equals(leavesPhase)) {
                            leaves.computeIfAbsent(window.endpoint(), k -> new HashMap<>()).merge(leaf(trace), 1, Integer::sum);
                        }
                    }
                    case "jdk.CPULoad" -> {
                        double[] sums = load.computeIfAbsent(window.endpoint(), k -> new double[3]);
                        sums[0] += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                        sums[1] += event.getFloat("machineTotal");
                        sums[2]++;
                    }
                    default -> {
                    }
                }
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, long[]> totals = new LinkedHashMap<>(); // wall ms, requests
        for (Window w : windows) {
            long[] t = totals.computeIfAbsent(w.endpoint(), k -> new long[2]);
            t[0] += w.end() - w.start();
            t[1] += w.requests();
        }
        for (Map.Entry<String, long[]> endpoint : totals.entrySet()) {
            String name = endpoint.getKey();
            long wallMs = endpoint.getValue()[0];
            long requests = endpoint.getValue()[1];
            double[] l = load.getOrDefault(name, new double[3]);
            double jvm = l[2] == 0 ? Double.NaN : l[0] / l[2];
            double machine = l[2] == 0 ? Double.NaN : l[1] / l[2];
            double cpuMsPerRequest = jvm * cores * wallMs / requests;
            Map<String, Integer> phases = cpu.getOrDefault(name, Map.of());
            int samples = phases.values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf(Locale.ROOT, "%n== %s: %d requests in %.1f s (%.0f req/s); JVM CPU %.0f%% of %d cores, machine %.0f%%;"
                            + " %.2f CPU ms/request; %d CPU samples, %d native samples%n", name, requests, wallMs / 1000.0,
                    requests * 1000.0 / wallMs, jvm * 100, cores, machine * 100, cpuMsPerRequest, samples,
                    nativeSamples.getOrDefault(name, Map.of()).values().stream().mapToInt(Integer::intValue).sum());
            System.out.printf(Locale.ROOT, "%-56s %8s %7s %8s%n", "phase", "samples", "%", "ms/req");
            phases.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(e -> System.out.printf(Locale.ROOT,
                    "%-56s %8d %6.1f%% %8.3f%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / samples,
                    cpuMsPerRequest * e.getValue() / samples));
            Map<String, Integer> waiting = nativeSamples.getOrDefault(name, Map.of());
            int nativeTotal = waiting.values().stream().mapToInt(Integer::intValue).sum();
            if (nativeTotal > 0) {
                System.out.println("  native (waiting) samples by phase:");
                waiting.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(12).forEach(e -> System.out.printf(
                        Locale.ROOT, "  %-54s %8d %6.1f%%%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / nativeTotal));
            }
            print("stacks of " + stacksPhase, stacks.get(name), top);
            print("leaf frames of " + leavesPhase, leaves.get(name), top);
        }
    }

    static void print(String title, Map<String, Integer> counts, int top) {
        if (counts == null) {
            return;
        }
        System.out.println("  " + title + ":");
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(top)
                .forEach(e -> System.out.println("  " + e.getValue() + "x\n" + e.getKey()));
    }

    static Window windowOf(List<Window> windows, Instant time) {
        long ms = time.toEpochMilli();
        for (Window w : windows) {
            if (ms >= w.start() && ms <= w.end()) {
                return w;
            }
        }
        return null;
    }

    static String phase(RecordedStackTrace trace) {
        if (trace == null) {
            return "(no stack)";
        }
        List<RecordedFrame> frames = trace.getFrames();
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            String name = frame.getMethod().getName();
            for (Rule rule : DOMAIN) {
                if (rule.matches(type, name)) {
                    return rule.phase();
                }
            }
        }
        for (Rule rule : GENERIC) {
            for (RecordedFrame frame : frames) {
                if (rule.matches(frame.getMethod().getType().getName(), frame.getMethod().getName())) {
                    return rule.phase();
                }
            }
        }
        return trace.isTruncated() ? "other (truncated stack)" : "other";
    }

    static String describe(RecordedStackTrace trace, int depth) {
        StringBuilder out = new StringBuilder();
        List<RecordedFrame> frames = trace.getFrames();
        for (int i = 0; i < Math.min(depth, frames.size()); i++) {
            RecordedFrame f = frames.get(i);
            out.append("    ").append(f.getMethod().getType().getName()).append('.').append(f.getMethod().getName())
                    .append(':').append(f.getLineNumber()).append('\n');
        }
        return out.toString();
    }

    /** The innermost frame outside the JDK and common libraries: where the phase's own code spends the sample. */
    static String leaf(RecordedStackTrace trace) {
        for (RecordedFrame f : trace.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("org.keycloak") || type.startsWith("dev.conduit")) {
                return "    " + type + "." + f.getMethod().getName() + ":" + f.getLineNumber() + "\n";
            }
        }
        return "    (none)\n";
    }
}
