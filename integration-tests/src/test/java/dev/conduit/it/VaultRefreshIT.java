package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.Test;

/**
 * On-demand refresh through the real token endpoint (RFC 8693 exchange by the internal app), against the
 * sandbox's Salesforce, which rotates refresh tokens and kills the whole chain when a rotated one is reused:
 * so every assertion on "exactly one refresh" is also an assertion that no caller reused a stale token.
 * Each test connects first (a broker login, which replaces whatever an earlier test left of that account's connection
 * with fresh, healthy tokens), so it runs alone and in any order.
 */
class VaultRefreshIT {

    private static final int CALLERS = 50;
    private static final Map<String, String> SALESFORCE = Map.of("audience", "salesforce");

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);

    @Test
    void aFreshTokenIsServedWithoutCallingTheProvider() {
        String userToken = login(Accounts.SALESFORCE_MARGARET).keycloakToken();
        sandbox.resetCounts();
        JsonNode answer = ok(apps.exchange(userToken, SALESFORCE));

        assertThat(sandbox.accessTokenActive(answer.get("access_token").asText())).isTrue();
        assertThat(answer.get("instance_url").asText()).isEqualTo(sandbox.instanceUrl());
        assertThat(answer.get("organization_id").asText()).isEqualTo(Accounts.SALESFORCE_ORG);
        assertThat(answer.get("issued_token_type").asText()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(answer.get("expires_in").asLong()).isBetween(6000L, 7200L);
        assertThat(answer.has("refresh_token")).isFalse();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isZero();
    }

    @Test
    void fiftyConcurrentCallersOnAnExpiredConnectionCauseOneRefreshAndAllGetTheNewToken() throws Exception {
        Login margaret = login(Accounts.SALESFORCE_MARGARET);
        String userToken = margaret.keycloakToken();
        String connectionId = margaret.id();
        String before = ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();
        vault.expireAccessToken(connectionId);
        sandbox.resetCounts();

        List<HttpResponse<String>> answers = concurrently(CALLERS, () -> apps.exchange(userToken, SALESFORCE));

        Set<String> tokens = new HashSet<>();
        for (HttpResponse<String> answer : answers) {
            tokens.add(ok(answer).get("access_token").asText());
        }
        int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        System.out.printf("FIGURE vault refresh calls per expiry with %d concurrent callers: %d (distinct tokens served: %d)%n",
                CALLERS, refreshes, tokens.size());
        assertThat(refreshes).isEqualTo(1);
        assertThat(tokens).hasSize(1).doesNotContain(before);
        assertThat(sandbox.accessTokenActive(tokens.iterator().next())).isTrue();
        assertThat(vault.connection(connectionId).get("status").asText()).isEqualTo("HEALTHY");
    }

    /** The refresh storm: however many callers arrive at one expiry, the provider sees one refresh. */
    @Test
    void aRefreshStormOfUpTo200CallersCausesOneUpstreamRefreshPerExpiry() throws Exception {
        Login margaret = login(Accounts.SALESFORCE_MARGARET);
        String userToken = margaret.keycloakToken();
        String connectionId = margaret.id();
        for (int callers : new int[] {1, 10, 50, 200}) {
            vault.expireAccessToken(connectionId);
            int before = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
            long started = System.nanoTime();
            List<HttpResponse<String>> answers = concurrently(callers, () -> apps.exchange(userToken, SALESFORCE));
            long wallMillis = (System.nanoTime() - started) / 1_000_000;
            Set<String> tokens = new HashSet<>();
            for (HttpResponse<String> answer : answers) {
                tokens.add(ok(answer).get("access_token").asText());
            }
            int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") - before;
            System.out.printf("BENCHMARK refresh-storm callers=%d upstream_refresh_calls=%d distinct_tokens=%d wall_ms=%d%n",
                    callers, refreshes, tokens.size(), wallMillis);
            assertThat(refreshes).as("refresh calls for %d callers", callers).isEqualTo(1);
            assertThat(tokens).hasSize(1);
        }
    }

    @Test
    void rotationKeepsTheChainIntactAcross100Refreshes() {
        Login margaret = login(Accounts.SALESFORCE_MARGARET);
        String userToken = margaret.keycloakToken();
        String connectionId = margaret.id();
        sandbox.resetCounts();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            vault.expireAccessToken(connectionId);
            String token = ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();
            assertThat(seen.add(token)).as("refresh %d gave a new access token", i + 1).isTrue();
            assertThat(sandbox.accessTokenActive(token)).isTrue();
        }
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(100);
        JsonNode connection = vault.connection(connectionId);
        assertThat(connection.get("status").asText()).isEqualTo("HEALTHY");
        assertThat(connection.get("failureCount").asInt()).isZero();
        assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();

        // the refreshes are counted and timed on Keycloak's metrics endpoint
        HttpResponse<String> metrics = apps.get(env.managementUrl() + "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).containsPattern(
                "conduit_vault_refresh_total\\{[^}]*outcome=\"success\"[^}]*provider=\"salesforce\"[^}]*} [1-9]")
                .contains("conduit_vault_refresh_duration_seconds");
    }

    @Test
    void aServerErrorIsRetriedAndTheRefreshSucceeds() {
        assertTransientFaultIsRetried(Fault.serverError());
    }

    @Test
    void aConnectionResetIsRetriedAndTheRefreshSucceeds() {
        assertTransientFaultIsRetried(Fault.connectionReset());
    }

    @Test
    void aTimeoutIsRetriedAndTheRefreshSucceedsWhenTheProviderDoesNotRotate() {
        // the vault's read timeout is 2 s in these tests. Salesforce apps may turn rotation off; with it on, an
        // answer lost to a timeout may have rotated the token already (see invalidGrantAfterALostRotatingAnswer...)
        sandbox.rotateRefreshTokens(Provider.SALESFORCE, false);
        try {
            assertTransientFaultIsRetried(Fault.delay(3500));
        } finally {
            sandbox.rotateRefreshTokens(Provider.SALESFORCE, true);
        }
    }

    @Test
    void aRefreshThatKeepsFailingKeepsTheOldTokensAndSucceedsOnceTheProviderIsBack() {
        Login margaret = login(Accounts.SALESFORCE_MARGARET);
        String userToken = margaret.keycloakToken();
        String connectionId = margaret.id();
        String before = ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();
        vault.expireAccessToken(connectionId);
        sandbox.resetCounts();
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.TOKEN, Fault.serverError(), 3);

        HttpResponse<String> refused = apps.exchange(userToken, SALESFORCE);

        assertRefused(refused, 503, "temporarily_unavailable", "The provider could not refresh the token (");
        assertThat(refused.body()).doesNotContain(before);
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(3);
        JsonNode connection = vault.connection(connectionId);
        assertThat(connection.get("status").asText()).isEqualTo("EXPIRING");
        assertThat(connection.get("lastError").asText()).contains("503");
        assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();

        sandbox.clearFaults();
        String after = ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();

        assertThat(after).isNotEqualTo(before);
        assertThat(sandbox.accessTokenActive(after)).isTrue();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(4);
        assertThat(vault.connection(connectionId).get("status").asText()).isEqualTo("HEALTHY");
    }

    @Test
    void invalidGrantMarksTheConnectionReconnectRequiredAndStopsCallingTheProvider() {
        Set<String> issuedBefore = new HashSet<>(sandbox.issuedTokens());
        Login login = login(Accounts.SALESFORCE_KATHERINE);
        String refreshToken = newTokens(issuedBefore).stream().filter(t -> t.startsWith("5Aep861")).findFirst().orElseThrow();
        String id = login.connection().get("id").asText();
        assertThat(revokeAtSalesforce(refreshToken)).isEqualTo(200);
        vault.expireAccessToken(id);
        sandbox.resetCounts();

        HttpResponse<String> refused = apps.exchange(login.keycloakToken(), SALESFORCE);

        JsonNode error = assertConduitRefused(refused, 400, "invalid_target", "reconnect_required", "invalid_grant");
        assertThat(error.get("connect_uri").asText()).contains("kc_action=idp_link%3Asalesforce");
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(1);
        JsonNode connection = vault.connection(id);
        assertThat(connection.get("status").asText()).isEqualTo("RECONNECT_REQUIRED");
        assertThat(connection.get("lastError").asText()).contains("invalid_grant");
        assertThat(connection.has("nextRefreshAt")).as("the refresher stops looking at it").isFalse();

        assertConduitRefused(apps.exchange(login.keycloakToken(), SALESFORCE), 400, "invalid_target", "reconnect_required",
                "The connection must be authorized again");
        // a scheduled run (which also sends the revocations other tests' user deletions parked) leaves it alone
        vault.refreshDue();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).as("no retry after invalid_grant").isEqualTo(1);
        assertThat(vault.connection(id).get("status").asText()).isEqualTo("RECONNECT_REQUIRED");

        // connecting again through the broker makes it healthy
        Login again = login(Accounts.SALESFORCE_KATHERINE);
        assertThat(again.connection().get("status").asText()).isEqualTo("HEALTHY");
        assertThat(ok(apps.exchange(again.keycloakToken(), SALESFORCE)).get("access_token").asText()).isNotBlank();
    }

    @Test
    void aRotatingAnswerLostToATimeoutEndsInReconnectRequiredWithTheReasonNeverInASilentLoss() {
        Login login = login(Accounts.SALESFORCE_KATHERINE);
        String id = login.connection().get("id").asText();
        vault.expireAccessToken(id);
        sandbox.resetCounts();
        // the provider processes the refresh (and rotates) but answers after the vault stopped waiting
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.TOKEN, Fault.delay(3500), 1);
        try {
            HttpResponse<String> refused = apps.exchange(login.keycloakToken(), SALESFORCE);

            assertConduitRefused(refused, 400, "invalid_target", "reconnect_required", "invalid_grant");
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(2);
            assertThat(vault.connection(id).get("lastError").asText()).contains("invalid_grant").contains("no answer");
        } finally {
            sandbox.clearFaults();
        }
    }

    @Test
    void theProactiveRunRefreshesADueConnectionSoTheNextCallerDoesNotWait() {
        Login margaret = login(Accounts.SALESFORCE_MARGARET);
        String userToken = margaret.keycloakToken();
        String connectionId = margaret.id();
        vault.expireAccessToken(connectionId);
        sandbox.resetCounts();

        JsonNode run = vault.refreshDue();

        assertThat(run.get("due").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(run.get("refreshed").asInt()).isGreaterThanOrEqualTo(1);
        // not the run's failed count: it also counts the parked revocations of other tests' user deletions it sent
        assertThat(vault.connection(connectionId).get("status").asText()).isEqualTo("HEALTHY");
        int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        assertThat(refreshes).isGreaterThanOrEqualTo(1);
        JsonNode connection = vault.connection(connectionId);
        assertThat(connection.get("nextRefreshAt").asLong()).isGreaterThan(connection.get("lastRefreshAt").asLong());

        String token = ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();
        assertThat(sandbox.accessTokenActive(token)).isTrue();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).as("served without a refresh").isEqualTo(refreshes);
        assertThat(vault.refreshDue().get("due").asInt()).as("nothing due right after a run").isZero();
    }

    @Test
    void reauthorizingWithFewerScopesShrinksTheRecordedScopesAndMoreScopesGrowThemBack() {
        JsonNode provider = env.admin().identityProvider(REALM, "salesforce");
        String scopes = provider.get("config").get("defaultScope").asText();
        assertThat(scopes).contains("api");
        try {
            setSalesforceScopes(provider, "refresh_token openid");
            JsonNode narrowed = login(Accounts.SALESFORCE_KATHERINE).connection();
            assertThat(narrowed.get("scopes").toString()).doesNotContain("\"api\"").contains("refresh_token");
        } finally {
            setSalesforceScopes(env.admin().identityProvider(REALM, "salesforce"), scopes);
        }
        JsonNode widened = login(Accounts.SALESFORCE_KATHERINE).connection();
        assertThat(widened.get("scopes").toString()).contains("\"api\"");
        assertThat(widened.get("status").asText()).isEqualTo("HEALTHY");
    }

    private void setSalesforceScopes(JsonNode provider, String scopes) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) provider.get("config")).put("defaultScope", scopes);
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/identity-provider/instances/salesforce", provider);
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);
    }

    private void assertTransientFaultIsRetried(Fault fault) {
        Login margaret = login(Accounts.SALESFORCE_MARGARET);
        String userToken = margaret.keycloakToken();
        String connectionId = margaret.id();
        String before = ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();
        vault.expireAccessToken(connectionId);
        sandbox.resetCounts();
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.TOKEN, fault, 1);
        try {
            String after = ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();

            assertThat(after).isNotEqualTo(before);
            assertThat(sandbox.accessTokenActive(after)).isTrue();
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(2);
            assertThat(vault.connection(connectionId).get("status").asText()).isEqualTo("HEALTHY");
        } finally {
            sandbox.clearFaults();
        }
    }

    private record Login(String keycloakToken, String userId, JsonNode connection) {
        String id() {
            return connection.get("id").asText();
        }
    }

    private Login login(Account account) {
        BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), "salesforce", account);
        assertThat(page.endedAtApp()).isTrue();
        String token = apps.accessToken(page);
        String userId = env.admin().userIdByEmail(REALM, account.email());
        JsonNode connection = vault.connection("USER", userId, "salesforce");
        assertThat(connection).isNotNull();
        return new Login(token, userId, connection);
    }

    private List<String> newTokens(Set<String> before) {
        List<String> fresh = new ArrayList<>(sandbox.issuedTokens());
        fresh.removeAll(before);
        return fresh;
    }

    private int revokeAtSalesforce(String token) {
        return apps.post(env.sandbox().baseUrl() + "/salesforce/services/oauth2/revoke", Map.of("token", token), null).statusCode();
    }

    static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(AppTokens.redacted(response)).isEqualTo(200);
        return AppTokens.json(response);
    }

    static <T> List<T> concurrently(int callers, java.util.concurrent.Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
