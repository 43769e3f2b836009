package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Fuzz;
import dev.conduit.it.support.VaultApi;
import org.junit.jupiter.api.Test;

/**
 * A seeded, reproducible run of hostile token-exchange requests ({@code -Dconduit.fuzz.seed=...},
 * {@code -Dconduit.fuzz.cases=...}): malformed, oversized, injected and mismatched parameters, broken subject
 * tokens, bad client credentials. None may answer 5xx or show a stack trace, and no connection may change.
 * A failure names its case seed; {@code -Dconduit.fuzz.case=<case seed>} replays just that case.
 */
class ExchangeFuzzIT {

    private static final String[] ALIASES = {"salesforce", "hubspot", "google", "SALESFORCE", "salesforce ", "zoho", "",
            "urn:conduit:connection:salesforce", "urn:conduit:connection:", "urn:conduit:connection:../../admin",
            "conduit-internal-app", "conduit-demo-app", "broker", "' or 1=1 --", "${jndi:ldap://x}", "%00", "salesforce\u0000",
            "<script>", "a".repeat(300), "\u202Egoogle"};
    private static final String[] TOKEN_TYPES = {"urn:ietf:params:oauth:token-type:access_token",
            "urn:ietf:params:oauth:token-type:refresh_token", "urn:ietf:params:oauth:token-type:id_token",
            "urn:ietf:params:oauth:token-type:jwt", "access_token", "", "x".repeat(500)};
    private static final String[] PARAMS = {"audience", "resource", "requested_issuer", "organization", "scope",
            "requested_token_type", "subject_issuer", "requested_subject", "actor_token", "actor_token_type"};

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);

    @Test
    void hostileExchangeRequestsNeverCauseAServerErrorOrAChange() throws Exception {
        long seed = Long.getLong("conduit.fuzz.seed", 20261123L);
        int cases = Integer.getInteger("conduit.fuzz.cases", 3000);
        String validToken = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        String secret = apps.internalSecret();
        VaultApi vault = new VaultApi(env);
        String before = vault.all().toString();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        String url = env.realmUrl() + "/protocol/openid-connect/token";

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            Long only = Long.getLong("conduit.fuzz.case");
            for (int i = 0; i < (only == null ? cases : 1); i++) {
                long caseSeed = only == null ? seed * 31 + i : only;
                futures.add(pool.submit(() -> {
                    Random random = new Random(caseSeed);
                    Map<String, String> form = form(random, validToken);
                    String auth = random.nextInt(10) == 0 ? AppTokens.basic(AppTokens.INTERNAL_APP, secret + "x")
                            : random.nextInt(15) == 0 ? "Basic " + Fuzz.printable(random, 40)
                            : AppTokens.basic(AppTokens.INTERNAL_APP, secret);
                    HttpResponse<String> answer = apps.post(url, form, auth);
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                    String body = answer.body();
                    if (answer.statusCode() >= 500 || body.contains("Exception") || body.contains("\tat ")
                            || (answer.statusCode() != 200 && !body.contains("\"error\""))) {
                        failures.add("case seed " + caseSeed + " -> " + answer.statusCode() + " " + body.substring(0, Math.min(300, body.length())));
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("FIGURE exchange fuzz: %d cases, seed %d, statuses %s%n", cases, seed, statuses);
        assertThat(failures).isEmpty();
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
    }

    /**
     * Mutations of a valid token bound to a connection (trailing dots, padding past every size cut-off, whitespace,
     * base64 padding, bit flips), sent with every requested and subject token type, duplicated parameters and the
     * Keycloak exchange forms (requested_issuer, requested_subject, subject_issuer): no answer may hold a refresh or
     * ID token, an unbound internal token, one bound elsewhere, a permission the bound token does not hold, or
     * another provider's upstream token.
     */
    @Test
    void mutatedBoundTokensNeverYieldAnUnboundOrWiderToken() throws Exception {
        long seed = Long.getLong("conduit.fuzz.seed", 20261201L);
        int cases = Integer.getInteger("conduit.fuzz.bound.cases", 1500);
        String userToken = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        HttpResponse<String> narrowing = apps.exchange(userToken, Map.of("conduit_connection", "hubspot", "scope", BOUND_HELD));
        assertThat(narrowing.statusCode()).as(narrowing.body()).isEqualTo(200);
        String bound = AppTokens.json(narrowing).get("access_token").asText();
        String auth = AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret());
        String url = env.realmUrl() + "/protocol/openid-connect/token";
        VaultApi vault = new VaultApi(env);
        String before = vault.all().toString();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            Long only = Long.getLong("conduit.fuzz.case");
            for (int i = 0; i < (only == null ? cases : 1); i++) {
                long caseSeed = only == null ? seed * 37 + i : only;
                futures.add(pool.submit(() -> {
                    Random random = new Random(caseSeed);
                    String body = AppTokens.formBody(boundForm(random, bound));
                    HttpResponse<String> answer = apps.postBody(url, body, auth);
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                    String problem = boundAnswerProblem(answer);
                    if (problem != null) {
                        failures.add("case seed " + caseSeed + " -> " + answer.statusCode() + " " + problem);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("FIGURE bound-token exchange fuzz: %d cases, seed %d, statuses %s%n", cases, seed, statuses);
        assertThat(failures).isEmpty();
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
    }

    private static final String BOUND_HELD = "crm.contacts.read";
    private static final String[] BOUND_PARAMS = {"audience", "resource", "requested_issuer", "organization", "scope",
            "requested_token_type", "subject_issuer", "requested_subject", "actor_token", "conduit_connection"};
    private static final String[] BOUND_VALUES = {"hubspot", "salesforce", "google", "urn:conduit:connection:salesforce",
            "urn:conduit:connection:hubspot", "conduit-internal-app", "conduit-demo-app", ConduitEnvironment.GOOGLE_STORED_ALIAS,
            BOUND_HELD, "crm.deals.write", BOUND_HELD + " crm.deals.write", "calendar.read", "openid", "offline_access",
            "acme", "ada", "", " "};

    private static List<Map.Entry<String, String>> boundForm(Random random, String bound) {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        form.add(Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"));
        form.add(Map.entry("subject_token", mutateBound(random, bound)));
        form.add(Map.entry("subject_token_type", TOKEN_TYPES[random.nextInt(random.nextInt(4) == 0 ? TOKEN_TYPES.length : 1)]));
        if (random.nextInt(3) == 0) {
            form.add(Map.entry("requested_token_type", TOKEN_TYPES[random.nextInt(TOKEN_TYPES.length)]));
        }
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            form.add(Map.entry(BOUND_PARAMS[random.nextInt(BOUND_PARAMS.length)], BOUND_VALUES[random.nextInt(BOUND_VALUES.length)]));
        }
        if (random.nextInt(6) == 0) {
            // a parameter twice: Keycloak's duplicated-parameter rule, and Conduit's own parameters
            form.add(form.get(1 + random.nextInt(form.size() - 1)));
        }
        java.util.Collections.shuffle(form.subList(1, form.size()), random);
        return form;
    }

    private static String mutateBound(Random random, String bound) {
        return switch (random.nextInt(9)) {
            case 0 -> bound;
            case 1 -> bound + ".".repeat(1 + random.nextInt(3));
            case 2 -> bound + ".".repeat(16_385 + random.nextInt(40_000));
            case 3 -> " " + bound;
            case 4 -> bound + (random.nextBoolean() ? " " : "\n");
            case 5 -> bound.replaceFirst("\\.", random.nextBoolean() ? ". " : ".\t");
            case 6 -> bound.replaceFirst("\\.", "=.");
            case 7 -> mutate(random, bound);
            default -> bound.substring(0, bound.lastIndexOf('.')) + ".";
        };
    }

    /** Null when the answer is a refusal or a token no wider than the bound one; else what is wrong. */
    private static String boundAnswerProblem(HttpResponse<String> answer) {
        String body = answer.body();
        if (answer.statusCode() >= 500 || body.contains("Exception") || body.contains("\tat ")) {
            return "server error: " + body.substring(0, Math.min(300, body.length()));
        }
        JsonNode json;
        try {
            json = AdminApi.mapper().readTree(body);
        } catch (java.io.IOException e) {
            return "not JSON: " + body.substring(0, Math.min(300, body.length()));
        }
        if (answer.statusCode() != 200) {
            return json.hasNonNull("error") && !json.has("access_token") && !json.has("refresh_token") ? null
                    : "not a standard error: " + body.substring(0, Math.min(300, body.length()));
        }
        if (json.has("refresh_token") || json.has("id_token")) {
            return "a refresh or ID token was issued";
        }
        String token = json.path("access_token").asText();
        if (json.has("identity_provider")) {
            return "hubspot".equals(json.get("identity_provider").asText()) ? null : "another provider's upstream token";
        }
        String[] parts = token.split("\\.");
        if (parts.length < 2) {
            return "an access token that is neither upstream nor internal";
        }
        JsonNode claims;
        try {
            claims = AdminApi.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (java.io.IOException | IllegalArgumentException e) {
            return "an unreadable internal token";
        }
        if (!"hubspot".equals(claims.path("conduit_connection").path("provider").asText())
                || claims.path("conduit_connection").has("organization")) {
            return "an internal token not bound to the subject's connection: " + claims.path("conduit_connection");
        }
        for (String scope : claims.path("scope").asText().split(" ")) {
            if (scope.startsWith("crm.") || scope.startsWith("calendar.") || scope.startsWith("mail.") || scope.equals("offline")) {
                if (!scope.equals(BOUND_HELD)) {
                    return "a permission the bound token does not hold: " + scope;
                }
            }
        }
        return null;
    }

    private static Map<String, String> form(Random random, String validToken) {
        Map<String, String> form = new LinkedHashMap<>();
        if (random.nextInt(20) != 0) {
            form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        }
        form.put("subject_token", subjectToken(random, validToken));
        form.put("subject_token_type", TOKEN_TYPES[random.nextInt(random.nextInt(3) == 0 ? TOKEN_TYPES.length : 1)]);
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            String name = PARAMS[random.nextInt(PARAMS.length)];
            String value = random.nextInt(4) == 0 ? Fuzz.garbage(random, random.nextInt(2) == 0 ? 10 : 5000)
                    : ALIASES[random.nextInt(ALIASES.length)];
            form.put(name, value);
        }
        if (!form.containsKey("audience") && !form.containsKey("resource") && !form.containsKey("requested_issuer")
                && random.nextBoolean()) {
            form.put("audience", ALIASES[random.nextInt(3)]);
        }
        return form;
    }

    private static String subjectToken(Random random, String valid) {
        return switch (random.nextInt(8)) {
            case 0 -> valid;
            case 1 -> valid.substring(0, random.nextInt(valid.length()));
            case 2 -> mutate(random, valid);
            case 3 -> Fuzz.garbage(random, 1 + random.nextInt(200));
            case 4 -> "eyJhbGciOiJub25lIn0." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("{\"sub\":\"x\",\"azp\":\"conduit-internal-app\",\"exp\":" + (Long.MAX_VALUE / 2) + "}")
                            .getBytes(StandardCharsets.UTF_8)) + ".";
            case 5 -> valid + "." + valid;
            case 6 -> "";
            default -> "a".repeat(20_000 + random.nextInt(50_000));
        };
    }

    private static String mutate(Random random, String token) {
        char[] chars = token.toCharArray();
        int flips = 1 + random.nextInt(5);
        for (int i = 0; i < flips; i++) {
            int at = random.nextInt(chars.length);
            chars[at] = chars[at] == 'A' ? 'B' : 'A';
        }
        return new String(chars);
    }
}
