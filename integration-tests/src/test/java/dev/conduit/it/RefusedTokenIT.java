package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * "This token was refused": an app whose API call the provider answered 401 names the refused token in the exchange
 * ({@code conduit_refused_token_sha256}, base64url SHA-256 as DPoP's {@code ath}), and gets a fresh one, with the
 * sandbox ending sessions early as Salesforce does. The vault refreshes only if it still holds that token (once,
 * whatever the number of callers), serves the newer one otherwise, and bounds what a misbehaving app can cause:
 * replacements at least {@value #SPACING_SECONDS} s apart (ConduitEnvironment's {@code refusal-spacing-seconds};
 * 30 s by default), at most 3 in 15 minutes, then the connection needs its user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RefusedTokenIT {

    static final String PARAMETER = "conduit_refused_token_sha256";
    private static final int SPACING_SECONDS = 5;
    private static final int REFRESHES_PER_WINDOW = 3;
    private static final Map<String, String> SALESFORCE = Map.of("audience", "salesforce");
    private static final Map<String, String> HUBSPOT = Map.of("audience", "hubspot");
    private static final List<Account> ACCOUNTS = List.of(Accounts.SALESFORCE_IDA, Accounts.SALESFORCE_MAUD,
            Accounts.SALESFORCE_MALLORY, Accounts.HUBSPOT_ANITA);

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Login ida;
    private Login mallory;

    @AfterAll
    void cleanUp() {
        for (Account account : ACCOUNTS) {
            env.admin().deleteUserByEmail(REALM, account.email());
        }
    }

    @Test
    @Order(1)
    void aSalesforceTokenWhoseSessionEndedEarlyIsReplacedOnceAndTheNewOneWorks() throws IOException {
        ida = login("salesforce", Accounts.SALESFORCE_IDA);
        JsonNode first = ok(apps.exchange(ida.keycloakToken(), SALESFORCE));
        String refused = first.get("access_token").asText();
        String instanceUrl = first.get("instance_url").asText();
        assertThat(salesforceContacts(instanceUrl, refused)).isEqualTo(200);
        int refreshesBefore = refreshes(Provider.SALESFORCE);

        assertThat(sandbox.endSession(refused)).isTrue();
        assertThat(salesforceContacts(instanceUrl, refused)).as("the provider refuses the ended session").isEqualTo(401);
        JsonNode replaced = ok(apps.exchange(ida.keycloakToken(), withRefused(SALESFORCE, refused)));

        String fresh = replaced.get("access_token").asText();
        assertThat(fresh.equals(refused)).as("the refused token was served again").isFalse();
        assertThat(salesforceContacts(replaced.get("instance_url").asText(), fresh)).isEqualTo(200);
        assertThat(refreshes(Provider.SALESFORCE) - refreshesBefore).as("upstream refreshes").isEqualTo(1);
        JsonNode connection = vault.connection(ida.connectionId());
        assertThat(connection.get("status").asText()).isEqualTo("HEALTHY");
        assertThat(connection.get("failureCount").asInt()).isZero();

        // the refusal-triggered refresh is counted as such, and neither token nor hash reaches the server's log
        String metrics = apps.get(env.managementUrl() + "/metrics").body();
        assertThat(metrics).containsPattern("conduit_vault_refresh_total\\{[^}]*outcome=\"success\"[^}]*provider=\"salesforce\""
                        + "[^}]*trigger=\"refused\"[^}]*} [1-9]")
                .containsPattern("conduit_vault_refusal_total\\{[^}]*outcome=\"refresh\"[^}]*provider=\"salesforce\"[^}]*} [1-9]");
        String log = Files.readString(env.logFile(), StandardCharsets.UTF_8);
        assertThat(log.contains(sha256(refused))).as("the refused token's hash is in the server log").isFalse();
        assertThat(log.contains(refused) || log.contains(fresh)).as("an upstream token is in the server log").isFalse();
    }

    @Test
    @Order(2)
    void aHubSpotTokenWhoseSessionEndedEarlyIsReplacedOnceAndTheNewOneWorks() throws IOException {
        Login anita = login("hubspot", Accounts.HUBSPOT_ANITA);
        String refused = ok(apps.exchange(anita.keycloakToken(), HUBSPOT)).get("access_token").asText();
        assertThat(hubspotContacts(refused)).isEqualTo(200);
        int refreshesBefore = refreshes(Provider.HUBSPOT);

        assertThat(sandbox.endSession(refused)).isTrue();
        assertThat(hubspotContacts(refused)).isEqualTo(401);
        String fresh = ok(apps.exchange(anita.keycloakToken(), withRefused(HUBSPOT, refused))).get("access_token").asText();

        assertThat(fresh.equals(refused)).as("the refused token was served again").isFalse();
        assertThat(hubspotContacts(fresh)).isEqualTo(200);
        assertThat(refreshes(Provider.HUBSPOT) - refreshesBefore).as("upstream refreshes").isEqualTo(1);
    }

    @Test
    @Order(3)
    void eightCallersReportingTheSameRefusedTokenAtOnceCauseOneRefreshAndAllGetTheSameNewToken() throws Exception {
        Login maud = login("salesforce", Accounts.SALESFORCE_MAUD);
        String refused = ok(apps.exchange(maud.keycloakToken(), SALESFORCE)).get("access_token").asText();
        assertThat(sandbox.endSession(refused)).isTrue();
        int refreshesBefore = refreshes(Provider.SALESFORCE);

        List<HttpResponse<String>> answers = VaultRefreshIT.concurrently(8,
                () -> apps.exchange(maud.keycloakToken(), withRefused(SALESFORCE, refused)));

        Set<String> served = new HashSet<>();
        for (HttpResponse<String> answer : answers) {
            served.add(ok(answer).get("access_token").asText());
        }
        int refreshes = refreshes(Provider.SALESFORCE) - refreshesBefore;
        System.out.printf("FIGURE refusal refreshes for 8 concurrent reports of one refused token: %d (distinct tokens served: %d)%n",
                refreshes, served.size());
        assertThat(refreshes).as("upstream refreshes").isEqualTo(1);
        assertThat(served.size()).as("distinct tokens served").isEqualTo(1);
        String fresh = served.iterator().next();
        assertThat(fresh.equals(refused)).as("the refused token was served again").isFalse();
        assertThat(sandbox.accessTokenActive(fresh)).isTrue();
    }

    @Test
    @Order(4)
    void aReportOfAnOlderTokenIsServedTheCurrentOneWithoutARefresh() {
        String older = ok(apps.exchange(ida.keycloakToken(), SALESFORCE)).get("access_token").asText();
        vault.expireAccessToken(ida.connectionId());
        String current = ok(apps.exchange(ida.keycloakToken(), SALESFORCE)).get("access_token").asText();
        assertThat(current.equals(older)).as("the expired token was served").isFalse();
        int refreshesBefore = refreshes(Provider.SALESFORCE);
        JsonNode before = vault.connection(ida.connectionId());

        String served = ok(apps.exchange(ida.keycloakToken(), withRefused(SALESFORCE, older))).get("access_token").asText();

        assertThat(served.equals(current)).as("the current token was served").isTrue();
        assertThat(refreshes(Provider.SALESFORCE) - refreshesBefore).as("upstream refreshes").isZero();
        assertThat(vault.connection(ida.connectionId())).isEqualTo(before);
    }

    @Test
    @Order(5)
    void badValuesAreInvalidRequestsAndChangeNothing() {
        String current = ok(apps.exchange(ida.keycloakToken(), SALESFORCE)).get("access_token").asText();
        String hash = sha256(current);
        JsonNode before = vault.connection(ida.connectionId());
        int refreshesBefore = refreshes(Provider.SALESFORCE);
        // empty, padded, 42 and 44 characters, the standard base64 alphabet, the token itself, hex, a space, long
        List<String> bad = List.of("", hash + "=", hash.substring(1), hash + "A", hash.substring(0, 42) + "+",
                hash.substring(0, 42) + "/", current, hexSha256(current), " " + hash.substring(1), "x".repeat(3_000));

        for (String value : bad) {
            HttpResponse<String> refused = apps.exchange(ida.keycloakToken(), withParameter(SALESFORCE, value));
            assertThat(refused.statusCode()).as("a %d-character value: %s", value.length(), AppTokens.redacted(refused))
                    .isEqualTo(400);
            assertRefused(refused, 400, "invalid_request", PARAMETER + " must be the base64url encoding (43 characters, no padding)");
            assertThat(refused.body().contains(current)).as("the answer carries the token").isFalse();
        }
        // beyond Keycloak's limit for a token-endpoint parameter (4,000 characters) Keycloak drops the value before
        // any exchange sees it: a plain request, answered with the same token
        HttpResponse<String> huge = apps.exchange(ida.keycloakToken(), withParameter(SALESFORCE, "x".repeat(10_000)));
        assertThat(huge.statusCode()).as(AppTokens.redacted(huge)).isEqualTo(200);
        assertThat(AppTokens.json(huge).get("access_token").asText().equals(current)).as("the same token").isTrue();
        List<Map.Entry<String, String>> twice = new ArrayList<>(AppTokens.exchangeForm(ida.keycloakToken(), SALESFORCE).entrySet());
        twice.add(Map.entry(PARAMETER, hash));
        twice.add(Map.entry(PARAMETER, hash));
        HttpResponse<String> duplicated = apps.postBody(env.realmUrl() + "/protocol/openid-connect/token",
                AppTokens.formBody(twice), AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret()));
        // Keycloak's own check of duplicated parameters answers first (Conduit's would name the parameter)
        assertRefused(duplicated, 400, "invalid_request", "duplicated parameter");
        // a narrowed internal token has no upstream token to replace
        HttpResponse<String> narrowing = apps.exchange(ida.keycloakToken(), Map.of("conduit_connection", "salesforce",
                PARAMETER, hash));
        assertRefused(narrowing, 400, "invalid_request", PARAMETER + " names an upstream token");

        assertThat(refreshes(Provider.SALESFORCE) - refreshesBefore).as("upstream refreshes").isZero();
        assertThat(vault.connection(ida.connectionId())).isEqualTo(before);
        String after = ok(apps.exchange(ida.keycloakToken(), SALESFORCE)).get("access_token").asText();
        assertThat(after.equals(current)).as("the same token is still served").isTrue();
        assertThat(sandbox.accessTokenActive(current)).isTrue();
    }

    /**
     * Mallory, another user of the same app, learned the hash of Ida's token (or the token itself) and reports it
     * with her own subject token, hoping to make Ida's connection refresh (or to learn whether it is Ida's): the
     * report is read against Mallory's own connection only, where it names no token she holds.
     */
    @Test
    @Order(6)
    void malloryReportingIdasTokenWithHerOwnSubjectTokenTouchesNeitherConnection() {
        mallory = login("salesforce", Accounts.SALESFORCE_MALLORY);
        String idas = ok(apps.exchange(ida.keycloakToken(), SALESFORCE)).get("access_token").asText();
        String malloryHolds = ok(apps.exchange(mallory.keycloakToken(), SALESFORCE)).get("access_token").asText();
        JsonNode idaBefore = vault.connection(ida.connectionId());
        JsonNode malloryBefore = vault.connection(mallory.connectionId());
        int refreshesBefore = refreshes(Provider.SALESFORCE);

        HttpResponse<String> answer = apps.exchange(mallory.keycloakToken(), withRefused(SALESFORCE, idas));

        assertThat(answer.statusCode()).as(AppTokens.redacted(answer)).isEqualTo(200);
        String served = AppTokens.json(answer).get("access_token").asText();
        assertThat(served.equals(malloryHolds)).as("Mallory got her own, unchanged token").isTrue();
        assertThat(served.equals(idas)).as("Mallory got Ida's token").isFalse();
        assertThat(refreshes(Provider.SALESFORCE) - refreshesBefore).as("upstream refreshes").isZero();
        assertThat(vault.connection(ida.connectionId())).as("Ida's connection").isEqualTo(idaBefore);
        assertThat(vault.connection(mallory.connectionId())).as("Mallory's connection").isEqualTo(malloryBefore);
        assertThat(sandbox.accessTokenActive(idas)).isTrue();
        String idaServed = ok(apps.exchange(ida.keycloakToken(), SALESFORCE)).get("access_token").asText();
        assertThat(idaServed.equals(idas)).as("Ida still gets her token").isTrue();
    }

    /**
     * Mallory's misbehaving sync job reports every token it gets as refused, as fast as it can (the provider does
     * not refuse them at all). The vault replaces one at most every {@value #SPACING_SECONDS} s, answering the
     * reports in between {@code temporarily_unavailable} without calling Salesforce; the token of the third
     * replacement reported too marks the connection as needing Mallory: exactly three upstream refreshes in all.
     */
    @Test
    @Order(7)
    void aStormOfRefusalReportsIsLimitedAndThenMarksTheConnectionAsNeedingItsUser() throws InterruptedException {
        String current = ok(apps.exchange(mallory.keycloakToken(), SALESFORCE)).get("access_token").asText();
        int refreshesBefore = refreshes(Provider.SALESFORCE);
        int limited = 0;

        for (int round = 1; round <= REFRESHES_PER_WINDOW; round++) {
            long replacedAt = System.nanoTime();
            HttpResponse<String> replaced = apps.exchange(mallory.keycloakToken(), withRefused(SALESFORCE, current));
            assertThat(replaced.statusCode()).as("round %d: %s", round, AppTokens.redacted(replaced)).isEqualTo(200);
            String fresh = AppTokens.json(replaced).get("access_token").asText();
            assertThat(fresh.equals(current)).as("round %d served the reported token", round).isFalse();
            current = fresh;
            if (round == REFRESHES_PER_WINDOW) {
                break;
            }
            // the storm between replacements: each report names the newest token, and is refused without a refresh
            for (int report = 0; report < 10; report++) {
                HttpResponse<String> tooSoon = apps.exchange(mallory.keycloakToken(), withRefused(SALESFORCE, current));
                if (Duration.ofNanos(System.nanoTime() - replacedAt).toMillis() >= (SPACING_SECONDS - 1) * 1000L) {
                    break; // this machine is too slow to stay inside the spacing: the rest proves nothing
                }
                assertThat(tooSoon.statusCode()).as("round %d report %d: %s", round, report, AppTokens.redacted(tooSoon))
                        .isEqualTo(503);
                assertRefused(tooSoon, 503, "temporarily_unavailable", "at most once every " + SPACING_SECONDS + " s");
                assertThat(tooSoon.body().contains(current)).as("the refusal carries the token").isFalse();
                limited++;
            }
            assertThat(refreshes(Provider.SALESFORCE) - refreshesBefore).as("upstream refreshes after round %d", round)
                    .isEqualTo(round);
            Thread.sleep((SPACING_SECONDS + 1) * 1000L);
        }
        HttpResponse<String> marked = apps.exchange(mallory.keycloakToken(), withRefused(SALESFORCE, current));

        JsonNode error = assertConduitRefused(marked, 400, "invalid_target", "reconnect_required", "refused_by_provider");
        assertThat(error.get("connect_uri").asText()).contains("kc_action=idp_link%3Asalesforce");
        JsonNode connection = vault.connection(mallory.connectionId());
        assertThat(connection.get("status").asText()).isEqualTo("RECONNECT_REQUIRED");
        assertThat(connection.get("lastError").asText()).startsWith("refused_by_provider");
        assertThat(connection.has("nextRefreshAt")).as("the refresher stops looking at it").isFalse();
        // the job goes on: neither its reports nor plain requests reach Salesforce any more
        for (Map<String, String> request : List.of(withRefused(SALESFORCE, current), SALESFORCE)) {
            HttpResponse<String> after = apps.exchange(mallory.keycloakToken(), request);
            assertConduitRefused(after, 400, "invalid_target", "reconnect_required", "The connection must be authorized again");
        }
        int refreshes = refreshes(Provider.SALESFORCE) - refreshesBefore;
        System.out.printf("FIGURE refusal storm: %d replacements, %d reports limited (503), then marked; upstream refreshes: %d%n",
                REFRESHES_PER_WINDOW, limited, refreshes);
        assertThat(refreshes).as("upstream refreshes for the whole storm").isEqualTo(REFRESHES_PER_WINDOW);
        assertThat(limited).as("reports limited between replacements").isPositive();
        assertThat(vault.connection(ida.connectionId()).get("status").asText()).as("Ida's connection").isEqualTo("HEALTHY");

        // connecting again through the broker makes it usable again, with the bounds reset
        Login again = login("salesforce", Accounts.SALESFORCE_MALLORY);
        assertThat(again.connectionId()).isEqualTo(mallory.connectionId());
        String reconnected = ok(apps.exchange(again.keycloakToken(), SALESFORCE)).get("access_token").asText();
        assertThat(ok(apps.exchange(again.keycloakToken(), withRefused(SALESFORCE, reconnected))).get("access_token").asText()
                .equals(reconnected)).as("the reported token was served again").isFalse();
    }

    private record Login(String keycloakToken, String connectionId) {
    }

    private Login login(String alias, Account account) {
        BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), alias, account);
        assertThat(page.endedAtApp()).isTrue();
        String token = apps.accessToken(page);
        String userId = env.admin().userIdByEmail(REALM, account.email());
        JsonNode connection = vault.connection("USER", userId, alias);
        assertThat(connection).isNotNull();
        return new Login(token, connection.get("id").asText());
    }

    private int refreshes(Provider provider) {
        return sandbox.tokenCalls(provider, "refresh_token");
    }

    private static Map<String, String> withRefused(Map<String, String> request, String refusedToken) {
        return withParameter(request, sha256(refusedToken));
    }

    private static Map<String, String> withParameter(Map<String, String> request, String value) {
        Map<String, String> params = new LinkedHashMap<>(request);
        params.put(PARAMETER, value);
        return params;
    }

    /** The parameter's value: base64url (no padding) of the SHA-256 of the token's ASCII bytes, as DPoP's ath. */
    static String sha256(String token) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest(token));
    }

    private static String hexSha256(String token) {
        StringBuilder hex = new StringBuilder();
        for (byte b : digest(token)) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private int salesforceContacts(String instanceUrl, String accessToken) {
        return get(instanceUrl + "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact", accessToken);
    }

    private int hubspotContacts(String accessToken) {
        return get(env.sandbox().baseUrl() + "/hubspot/crm/v3/objects/contacts?limit=10", accessToken);
    }

    private int get(String url, String accessToken) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + accessToken).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(AppTokens.redacted(response)).isEqualTo(200);
        return AppTokens.json(response);
    }
}
