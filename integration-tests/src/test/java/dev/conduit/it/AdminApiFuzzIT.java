package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Fuzz;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import org.junit.jupiter.api.Test;

/**
 * A seeded, reproducible run of hostile calls to Conduit's admin REST ({@code conduit-vault}): garbage, NUL,
 * oversized and traversal ids and filters, wrong methods, missing and forged tokens ({@code -Dconduit.fuzz.seed},
 * {@code -Dconduit.fuzz.cases}, {@code -Dconduit.fuzz.case} replays one case).
 * None may answer 5xx or show a stack trace, and no connection may change: mutating calls only ever name ids that
 * are not connections. Server connections (issue 15) get hostile JSON bodies too: broken, oversized, deeply nested,
 * wrongly typed, and inputs whose key material never parses, sent to a real organization of the test's own (so the
 * kinds' own parsing of PEM and JSON key files is reached) and to made-up ones; that organization must end with no
 * connection.
 */
class AdminApiFuzzIT {

    private static final String[] FILTERS = {"ownerKind", "ownerId", "provider", "status", "first", "max"};
    private static final String[] VALUES = {"USER", "ORGANIZATION", "REVOKING", "REALM", "GROUP", "HEALTHY", "reconnect_required",
            "salesforce", "hubspot ", "-1", "0", "2147483648", "99999999999", "1e3", "NaN", "", " ", "%00", "\u0000",
            "' or 1=1 --", "${jndi:ldap://x}", "../../users", "\u202Egoogle", "a".repeat(300)};
    private static final String[] ACTIONS = {"", "/refresh", "/expire-access-token", "/../../users", "/refresh/x",
            "/credential", "/certificate", "/previous-key"};

    private static final String FUZZ_ORGANIZATION = "conduit-it-fuzz-org";
    /** Kinds whose input always carries key material, so a fuzzed body can never make a connection. */
    private static final String[][] KEY_KINDS = {{"salesforce", "salesforce-jwt-bearer", "private_key"},
            {"google", "google-service-account", "service_account_key"}};
    private static String organizationId;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void hostileAdminCallsNeverCauseAServerErrorOrAChange() throws Exception {
        long seed = Long.getLong("conduit.fuzz.seed", 20261123L);
        int cases = Integer.getInteger("conduit.fuzz.cases", 2000);
        Long only = Long.getLong("conduit.fuzz.case");
        Organizations organizations = new Organizations(env, Secrets.generate());
        organizationId = organizations.create(FUZZ_ORGANIZATION, "Fuzz", "fuzz-org.example");
        VaultApi vault = new VaultApi(env);
        String before = vault.all().toString();
        List<String> realIds = new ArrayList<>();
        vault.all().forEach(connection -> realIds.add(connection.get("id").asText()));
        String adminToken = env.admin().accessToken();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());

        for (int i = 0; i < (only == null ? cases : 1); i++) {
            long caseSeed = only == null ? seed * 37 + i : only;
            Random random = new Random(caseSeed);
            Call call = call(random, realIds);
            String authorization = switch (random.nextInt(12)) {
                case 0 -> null;
                case 1 -> "Bearer " + Fuzz.printable(random, 40);
                case 2 -> "Bearer " + adminToken.substring(0, adminToken.length() - 3) + "AAA";
                case 3 -> "Basic " + Fuzz.printable(random, 20);
                default -> "Bearer " + adminToken;
            };
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(env.keycloakUrl() + "/admin/realms/" + REALM + "/" + call.path()))
                    .timeout(Duration.ofSeconds(30))
                    .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(call.body()));
            if (call.body() != null) {
                request.header("Content-Type", random.nextInt(8) == 0 ? "text/plain" : "application/json");
            }
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> answer;
            try {
                answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                failures.add("case seed " + caseSeed + " -> no answer: " + e);
                continue;
            }
            statuses.merge(answer.statusCode(), 1, Integer::sum);
            String body = answer.body();
            if (answer.statusCode() >= 500 || body.contains("Exception") || body.contains("\tat ")) {
                failures.add("case seed " + caseSeed + " " + call.method() + " " + call.path().substring(0, Math.min(120, call.path().length()))
                        + " -> " + answer.statusCode() + " " + body.substring(0, Math.min(200, body.length())));
            }
        }
        System.out.printf("FIGURE admin API fuzz: %d cases, seed %d, statuses %s%n", only == null ? cases : 1, seed, statuses);
        assertThat(failures).isEmpty();
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
        assertThat(vault.connectionsOf("ORGANIZATION", organizationId)).as("connections of the fuzzed organization").isEmpty();
        organizations.delete(FUZZ_ORGANIZATION);
    }

    private record Call(String method, String path, String body) {
        Call(String method, String path) {
            this(method, path, null);
        }
    }

    private static Call call(Random random, List<String> realIds) {
        switch (random.nextInt(6)) {
            case 5: {
                int route = random.nextInt(5);
                String target = route == 0 ? "conduit-vault/connections/" + encode(fakeId(random)) + "/credential"
                        : route == 1 ? "conduit-vault/server-connections" // the realm's own (issue 15)
                        : "conduit-vault/organizations/" + (random.nextInt(3) == 0 ? encode(fakeId(random)) : organizationId)
                                + "/server-connections";
                return new Call(target.endsWith("/credential") ? "PUT" : "POST", target, body(random));
            }
            case 0: {
                StringBuilder query = new StringBuilder();
                int filters = random.nextInt(5);
                for (int i = 0; i < filters; i++) {
                    query.append(i == 0 ? "?" : "&").append(FILTERS[random.nextInt(FILTERS.length)]).append('=')
                            .append(encode(random.nextInt(4) == 0 ? Fuzz.garbage(random, 1 + random.nextInt(80)) : VALUES[random.nextInt(VALUES.length)]));
                }
                return new Call(random.nextInt(6) == 0 ? "DELETE" : "GET", "conduit-vault/connections" + query);
            }
            case 1: {
                // mutating calls never name a real connection; reading ones may
                String method = new String[] {"GET", "POST", "DELETE", "PUT"}[random.nextInt(4)];
                String id = "GET".equals(method) && !realIds.isEmpty() && random.nextInt(4) == 0
                        ? realIds.get(random.nextInt(realIds.size())) : fakeId(random);
                return new Call(method, "conduit-vault/connections/" + encode(id) + ACTIONS[random.nextInt(ACTIONS.length)]);
            }
            case 2:
                if (random.nextInt(3) == 0) {
                    // server connections (issue 15): made-up organizations only, so nothing can be created
                    return new Call(random.nextBoolean() ? "POST" : "GET", random.nextBoolean() ? "conduit-vault/server-kinds"
                            : "conduit-vault/organizations/" + encode(fakeId(random)) + "/server-connections");
                }
                return new Call(random.nextBoolean() ? "GET" : "PUT", new String[] {"conduit-vault/counts", "conduit-vault/keys",
                        "conduit-vault", "conduit-vault/", "conduit-vault/connections/"}[random.nextInt(5)]);
            case 3:
                // a user's connections by a made-up user id (what the brokers' removed per-user path was asked)
                return new Call(random.nextInt(4) == 0 ? "DELETE" : "GET",
                        "conduit-vault/connections?ownerKind=USER&ownerId=" + encode(fakeId(random)));
            default:
                // refresh-due and rotate-key change nothing visible in the connections' data when nothing is due
                // or every row is under the active key; only their refusals are fuzzed here (wrong method, no rights)
                return new Call(random.nextBoolean() ? "GET" : "DELETE",
                        new String[] {"conduit-vault/refresh-due", "conduit-vault/rotate-key"}[random.nextInt(2)]);
        }
    }

    /** A hostile body for a server connection: never a valid one (its key material never parses). */
    private static String body(Random random) {
        switch (random.nextInt(7)) {
            case 0:
                return Fuzz.garbage(random, 1 + random.nextInt(200));
            case 1:
                return "{\"alias\": \"salesforce\", \"kind\": \"salesforce-jwt-bearer\", \"input\": {\"private_key\": \""
                        + Fuzz.printable(random, random.nextInt(40)); // cut off
            case 2:
                return "[".repeat(2000 + random.nextInt(3000)) + "]".repeat(random.nextInt(10));
            case 3:
                return "{\"alias\": \"salesforce\", \"kind\": \"salesforce-jwt-bearer\", \"input\": {\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n"
                        + "A".repeat(70_000 + random.nextInt(10_000)) + "\\n-----END PRIVATE KEY-----\"}}";
            case 4: {
                // wrong types where strings are expected
                String[] values = {"1", "true", "null", "[]", "{}", "{\"a\": 1}", "\"\"", "-0.0e999"};
                return "{\"alias\": " + values[random.nextInt(values.length)] + ", \"kind\": " + values[random.nextInt(values.length)]
                        + ", \"input\": " + values[random.nextInt(values.length)] + "}";
            }
            default: {
                String[] kind = KEY_KINDS[random.nextInt(KEY_KINDS.length)];
                String alias = random.nextInt(6) == 0 ? VALUES[random.nextInt(VALUES.length)] : kind[0];
                String keyMaterial = switch (random.nextInt(5)) {
                    case 0 -> "-----BEGIN PRIVATE KEY-----\n" + Fuzz.printable(random, 1 + random.nextInt(300)) + "\n-----END PRIVATE KEY-----";
                    case 1 -> "{\"type\": \"service_account\", \"private_key\": \"" + Fuzz.printable(random, 20) + "\"}";
                    case 2 -> "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI" + Fuzz.printable(random, 30) + "\n-----END EC PRIVATE KEY-----";
                    case 3 -> "x" + Fuzz.garbage(random, random.nextInt(100));
                    default -> "x" + VALUES[random.nextInt(VALUES.length)];
                };
                com.fasterxml.jackson.databind.node.ObjectNode json = AdminApi.mapper().createObjectNode()
                        .put("alias", alias).put("kind", kind[1]);
                com.fasterxml.jackson.databind.node.ObjectNode input = json.putObject("input").put(kind[2], keyMaterial);
                if (random.nextBoolean()) {
                    // the fields checked before the key, well formed, so the kind's key parsing is reached
                    input.put("consumer_key", "fuzz" + random.nextInt(1_000_000)).put("username", "fuzz@fuzz-org.example")
                            .put("domain", "fuzz-org.example").put("scopes", "api");
                }
                String[] fields = {"consumer_key", "username", "login_host", "domain", "scopes", "subject_clients", "my_domain"};
                for (int i = random.nextInt(4); i > 0; i--) {
                    input.put(fields[random.nextInt(fields.length)], random.nextBoolean() ? Fuzz.garbage(random, 1 + random.nextInt(80))
                            : VALUES[random.nextInt(VALUES.length)]);
                }
                return json.toString();
            }
        }
    }

    private static String fakeId(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> Fuzz.garbage(random, 1 + random.nextInt(60));
            case 1 -> "00000000-0000-0000-0000-" + String.format("%012d", random.nextInt(1_000_000));
            case 2 -> VALUES[random.nextInt(VALUES.length)];
            case 3 -> "x".repeat(1 + random.nextInt(5000));
            case 4 -> "abc\u0000def";
            default -> "..";
        };
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
