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
