package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Fuzz;
import dev.conduit.it.support.VaultApi;
import org.junit.jupiter.api.Test;

/**
 * A seeded, reproducible run of hostile calls to the three brokers' callback endpoints: without a login in
 * progress, and inside a real one (the state the broker issued, kept, mutated or swapped between brokers) with
 * garbage, NUL, oversized, wrong-issuer and error parameters ({@code -Dconduit.fuzz.seed},
 * {@code -Dconduit.fuzz.cases}, {@code -Dconduit.fuzz.case} replays one case). None may answer 500 or show a stack
 * trace, and no connection may change. Keycloak answers an authorization code that the provider refuses with its
 * own 502 error page ("unexpected error when authenticating with identity provider"): that is counted, not failed.
 */
class BrokerCallbackFuzzIT {

    private static final String[] ALIASES = {"salesforce", "hubspot", "google"};
    private static final String[] PARAMS = {"code", "state", "iss", "error", "error_description", "scope",
            "session_state", "hd", "authuser", "prompt"};

    private final ConduitEnvironment env = ConduitEnvironment.get();

    @Test
    void hostileBrokerCallbacksNeverCauseAServerErrorOrAChange() {
        long seed = Long.getLong("conduit.fuzz.seed", 20261123L);
        int cases = Integer.getInteger("conduit.fuzz.cases", 1500);
        Long only = Long.getLong("conduit.fuzz.case");
        VaultApi vault = new VaultApi(env);
        String before = vault.all().toString();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        BrokerFlows flows = new BrokerFlows(env);

        for (int i = 0; i < (only == null ? cases : 1); i++) {
            long caseSeed = only == null ? seed * 41 + i : only;
            Random random = new Random(caseSeed);
            String alias = ALIASES[random.nextInt(ALIASES.length)];
            BrowserSession browser = new BrowserSession();
            Map<String, String> params = new LinkedHashMap<>();
            // one case in ten runs inside a real login: the broker issued a state, and the browser holds its session
            if (random.nextInt(10) == 0) {
                BrowserSession.Page consent = flows.openConsent(browser, alias);
                String state = query(consent.uri()).get("state");
                params.put("state", switch (random.nextInt(3)) {
                    case 0 -> state;
                    case 1 -> state.substring(0, state.length() / 2) + Fuzz.garbage(random, 4);
                    default -> state + "\u0000";
                });
                alias = random.nextInt(4) == 0 ? ALIASES[random.nextInt(ALIASES.length)] : alias;
            }
            int extra = 1 + random.nextInt(4);
            for (int p = 0; p < extra; p++) {
                params.put(PARAMS[random.nextInt(PARAMS.length)], value(random));
            }
            String url = env.realmUrl() + "/broker/" + alias + "/endpoint";
            String query = params.entrySet().stream()
                    .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
            BrowserSession.Page answer = random.nextInt(5) == 0
                    ? browser.postFormOnce(url, query)
                    : browser.openOnce(url + "?" + query);
            statuses.merge(answer.status(), 1, Integer::sum);
            String body = answer.body();
            if (answer.status() == 500 || answer.status() > 502 || body.contains("Exception") || body.contains("\tat ")) {
                failures.add("case seed " + caseSeed + " " + alias + " -> " + answer.status() + " "
                        + body.substring(0, Math.min(200, body.length())));
            }
        }
        System.out.printf("FIGURE broker callback fuzz: %d cases, seed %d, statuses %s%n", only == null ? cases : 1, seed, statuses);
        assertThat(failures).isEmpty();
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
    }

    private static String value(Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> Fuzz.garbage(random, 1 + random.nextInt(100));
            case 1 -> "x".repeat(1000 + random.nextInt(20_000));
            case 2 -> "access_denied";
            case 3 -> "https://evil.example";
            case 4 -> "abc\u0000def";
            case 5 -> "<script>alert(1)</script>";
            case 6 -> "${jndi:ldap://x}";
            case 7 -> "";
            default -> "aPxP2gBg0L-" + Long.toHexString(random.nextLong());
        };
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                values.put(java.net.URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
