package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokeringApiClient;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keycloak's Identity Brokering API V2 as an app uses it (Keycloak's {@code IdentityBrokerService#getTokenV2}: a
 * confidential client with {@code external.token.enabled} and the alias in {@code external.token.idp} POSTs to
 * {@code /realms/{realm}/broker/{alias}/token} with its client credentials and the user's access token as the
 * {@code token} form parameter), served by Conduit's brokers from the vault.
 */
class IdentityBrokeringApiIT {

    private static final int CALLERS = 10;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private BrokeringApiClient client;

    @AfterEach
    void restoreClient() {
        if (client != null) {
            client.restore();
        }
    }

    @Test
    void anAppGetsTheSalesforceTokenFromTheVaultWithItsInstanceUrl() {
        client = BrokeringApiClient.allow(env, "salesforce", "hubspot", "google");
        String userToken = login("salesforce", Accounts.SALESFORCE_MARGARET).keycloakToken();
        sandbox.resetCounts();

        JsonNode answer = ok(client.retrieve("salesforce", userToken));

        assertThat(sandbox.accessTokenActive(answer.get("access_token").asText())).isTrue();
        assertThat(answer.get("instance_url").asText()).isEqualTo(sandbox.instanceUrl());
        assertThat(answer.get("issued_token_type").asText()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(answer.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(answer.get("expires_in").asLong()).isBetween(6000L, 7200L);
        assertThat(answer.has("refresh_token")).isFalse();
        assertThat(answer.has("id_token")).isFalse();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isZero();
    }

    @Test
    void anExpiredTokenIsRefreshedOnceForTenConcurrentCalls() throws Exception {
        client = BrokeringApiClient.allow(env, "salesforce");
        Login margaret = login("salesforce", Accounts.SALESFORCE_MARGARET);
        String before = ok(client.retrieve("salesforce", margaret.keycloakToken())).get("access_token").asText();
        vault.expireAccessToken(margaret.id());
        sandbox.resetCounts();

        List<HttpResponse<String>> answers = VaultRefreshIT.concurrently(CALLERS,
                () -> client.retrieve("salesforce", margaret.keycloakToken()));

        Set<String> tokens = new HashSet<>();
        for (HttpResponse<String> answer : answers) {
            tokens.add(ok(answer).get("access_token").asText());
        }
        int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        System.out.printf("FIGURE brokering-api-v2 upstream refresh calls for %d concurrent calls on an expired token: %d"
                + " (distinct tokens served: %d)%n", CALLERS, refreshes, tokens.size());
        assertThat(refreshes).isEqualTo(1);
        assertThat(tokens).hasSize(1).doesNotContain(before);
        assertThat(sandbox.accessTokenActive(tokens.iterator().next())).isTrue();
        assertThat(vault.connection(margaret.id()).get("status").asText()).isEqualTo("HEALTHY");
    }

    @Test
    void hubSpotAndGoogleTokensAreServedToo() {
        client = BrokeringApiClient.allow(env, "hubspot", "google");
        String hubspotUser = login("hubspot", Accounts.HUBSPOT_GRACE).keycloakToken();
        JsonNode hubspot = ok(client.retrieve("hubspot", hubspotUser));
        assertThat(sandbox.accessTokenActive(hubspot.get("access_token").asText())).isTrue();
        assertThat(hubspot.has("instance_url")).isFalse();
        assertThat(hubspot.has("refresh_token")).isFalse();

        String googleUser = login("google", Accounts.GOOGLE_ALAN).keycloakToken();
        JsonNode google = ok(client.retrieve("google", googleUser));
        assertThat(sandbox.accessTokenActive(google.get("access_token").asText())).isTrue();
        assertThat(google.has("refresh_token")).isFalse();
        assertThat(google.has("id_token")).isFalse();
    }

    /**
     * V1 ({@code GET} with the user's bearer token) is not served: identity-brokering-api:v2 replaces v1 on the server
     * (one version of a feature at a time), so Keycloak refuses before any broker; Conduit's brokers refuse V1 too
     * (README, "Identity Brokering API").
     */
    @Test
    void theV1GetIsRefusedByKeycloak() throws Exception {
        client = BrokeringApiClient.allow(env, "salesforce");
        String userToken = login("salesforce", Accounts.SALESFORCE_MARGARET).keycloakToken();

        HttpResponse<String> v1 = getWithBearer(env.realmUrl() + "/broker/salesforce/token", userToken);

        assertThat(v1.statusCode()).as(AppTokens.redacted(v1)).isEqualTo(400);
        assertThat(v1.body()).contains("Identity Brokering API feature not enabled").doesNotContain("access_token");
    }

    private record Login(String keycloakToken, String userId, JsonNode connection) {
        String id() {
            return connection.get("id").asText();
        }
    }

    private Login login(String alias, Account account) {
        BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), alias, account);
        assertThat(page.endedAtApp()).as(String.valueOf(page.uri())).isTrue();
        String token = apps.accessToken(page);
        String userId = env.admin().userIdByEmail(REALM, account.email());
        JsonNode connection = vault.connection("USER", userId, alias);
        assertThat(connection).isNotNull();
        return new Login(token, userId, connection);
    }

    private static HttpResponse<String> getWithBearer(String url, String bearer) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .header("Authorization", "Bearer " + bearer).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> response) {
        return VaultRefreshIT.ok(response);
    }

}
