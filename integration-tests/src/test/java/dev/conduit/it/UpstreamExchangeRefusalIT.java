package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Secrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The upstream-token exchange refuses, with RFC 6749/8693 errors and without a token in the answer: an invalid
 * subject token, a client that is neither the token's azp nor in its aud, a public client, a provider the
 * client was not allowed, an unknown connection, and a user without that connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamExchangeRefusalIT {

    private static final String INVALID_SUBJECT = "subject_token is invalid, expired or its session ended";
    private final String suffix = Secrets.generate().substring(0, 8).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "x");
    /** A user of this class alone, with no connection at all (Ada's may be linked by other classes). */
    private final String username = "refusal-" + suffix;
    private final String password = Secrets.generate();
    private final String otherClient = "conduit-it-other-service-" + suffix;
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final String otherSecret = Secrets.generate();
    private String userToken;

    @BeforeAll
    void setUp() {
        HttpResponse<String> user = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", username + "@members.example", "emailVerified", true, "enabled", true, "firstName", "Refusal",
                "lastName", "Test", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        userToken = login();
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", otherClient);
        client.put("publicClient", false);
        client.put("secret", otherSecret);
        client.put("serviceAccountsEnabled", true);
        client.put("standardFlowEnabled", false);
        client.put("attributes", Map.of("standard.token.exchange.enabled", "true", "conduit.exchange.providers", "*"));
        HttpResponse<String> created = env.admin().call("POST", REALM + "/clients", client);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    void tearDown() {
        JsonNode found = env.admin().get(REALM + "/clients?clientId=" + otherClient);
        if (found.size() > 0) {
            env.admin().call("DELETE", REALM + "/clients/" + found.get(0).get("id").asText(), null);
        }
        String userId = env.admin().userIdByUsername(REALM, username);
        if (userId != null) {
            env.admin().call("DELETE", REALM + "/users/" + userId, null);
        }
    }

    private String login() {
        return apps.passwordLogin(username, password);
    }

    @Test
    void anInvalidSubjectTokenIsAnInvalidRequest() {
        assertRefused(apps.exchange(userToken.substring(0, userToken.length() - 4) + "AAAA", Map.of("audience", "salesforce")),
                400, "invalid_request", INVALID_SUBJECT);
        assertRefused(apps.exchange("not-a-token", Map.of("requested_issuer", "salesforce")), 400, "invalid_request", INVALID_SUBJECT);
    }

    @Test
    void aTokenOfAnotherRealmIsRefused() {
        assertRefused(apps.exchange(env.admin().accessToken(), Map.of("audience", "salesforce")), 400, "invalid_request",
                INVALID_SUBJECT);
    }

    @Test
    void aTokenWhoseSessionEndedIsRefused() {
        String token = login();
        String userId = env.admin().userIdByUsername(REALM, username);
        assertThat(env.admin().call("POST", REALM + "/users/" + userId + "/logout", null).statusCode()).isEqualTo(204);

        assertRefused(apps.exchange(token, Map.of("audience", "salesforce")), 400, "invalid_request", INVALID_SUBJECT);
        userToken = login();
    }

    @Test
    void anExpiredTokenIsRefused() throws InterruptedException {
        String id = env.admin().get(REALM + "/clients?clientId=" + ConduitEnvironment.APP_CLIENT).get(0).get("id").asText();
        JsonNode app = env.admin().get(REALM + "/clients/" + id);
        String previous = app.get("attributes").path("access.token.lifespan").asText("");
        setAttribute(id, "access.token.lifespan", "1");
        String shortLived;
        try {
            shortLived = login();
        } finally {
            setAttribute(id, "access.token.lifespan", previous);
        }
        Thread.sleep(2500);

        assertRefused(apps.exchange(shortLived, Map.of("audience", "salesforce")), 400, "invalid_request", INVALID_SUBJECT);
    }

    @Test
    void aClientThatIsNeitherAzpNorAudienceIsRefused() {
        HttpResponse<String> answer = apps.post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", userToken,
                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                "audience", "salesforce"), AppTokens.basic(otherClient, otherSecret));
        assertRefused(answer, 400, "invalid_request", "The client is neither the subject token's azp nor in its aud");
    }

    @Test
    void aPublicClientCannotExchange() {
        HttpResponse<String> answer = apps.post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "client_id", ConduitEnvironment.APP_CLIENT,
                "subject_token", userToken,
                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                "audience", "salesforce"), null);
        assertRefused(answer, 400, "unauthorized_client", "Public clients may not exchange tokens");
    }

    @Test
    void aProviderTheClientWasNotAllowedIsAnInvalidTarget() {
        String id = env.admin().get(REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
        JsonNode representation = env.admin().get(REALM + "/clients/" + id);
        String allowed = representation.get("attributes").get("conduit.exchange.providers").asText();
        setAllowedProviders(id, representation, "hubspot");
        try {
            assertRefused(apps.exchange(userToken, Map.of("audience", "salesforce")), 400, "invalid_target",
                    "This client may not obtain salesforce tokens");
        } finally {
            setAllowedProviders(id, env.admin().get(REALM + "/clients/" + id), allowed);
        }
    }

    @Test
    void anUnknownConnectionIsAnInvalidTarget() {
        assertRefused(apps.exchange(userToken, Map.of("resource", "urn:conduit:connection:zoho")), 400, "invalid_target",
                "No Conduit provider 'zoho' in this realm");
    }

    @Test
    void aUserWithoutTheConnectionIsToldWhereToConnectIt() {
        HttpResponse<String> answer = apps.exchange(userToken, Map.of("audience", "google"));
        JsonNode error = assertConduitRefused(answer, 400, "invalid_target", "not_connected",
                "No google connection for this user; connect it first");
        assertThat(error.get("connect_uri").asText()).contains("kc_action=idp_link%3Agoogle");
        // the legacy form (requested_issuer) gets Keycloak V1's answer instead (LegacyExchangeIT)
        JsonNode legacy = assertConduitRefused(apps.exchange(userToken, Map.of("requested_issuer", "google")), 400,
                "not_linked", "not_connected", "identity provider is not linked");
        assertThat(legacy.get("account-link-url").asText()).contains("/broker/google/link?nonce=");
    }

    private void setAllowedProviders(String id, JsonNode representation, String value) {
        setAttribute(id, "conduit.exchange.providers", value);
    }

    @SuppressWarnings("unchecked")
    private void setAttribute(String id, String name, String value) {
        Map<String, Object> client = AdminApi.mapper().convertValue(env.admin().get(REALM + "/clients/" + id), Map.class);
        Map<String, Object> attributes = new LinkedHashMap<>((Map<String, Object>) client.get("attributes"));
        attributes.put(name, value);
        client.put("attributes", attributes);
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/clients/" + id, client);
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);
    }

    /**
     * PostgreSQL cannot even look up a client id with a NUL in it; stock Keycloak answered that with a 500. Conduit
     * refuses it on the exchanges it answers; other grants and endpoints stay stock by default (GuardScopeIT).
     */
    @Test
    void clientCredentialsOrParametersWithANulAreRefusedWithAStandardError() {
        String url = env.realmUrl() + "/protocol/openid-connect/token";
        Map<String, String> exchange = AppTokens.exchangeForm(userToken, Map.of("audience", "salesforce"));
        String secret = apps.internalSecret();

        String nulCredentials = "Client credentials must not contain a NUL character";
        assertRefused(apps.post(url, exchange, AppTokens.basic(AppTokens.INTERNAL_APP + "\0", secret)), 401, "invalid_client",
                nulCredentials);
        assertRefused(apps.post(url, exchange, "Basic " + java.util.Base64.getEncoder().encodeToString(
                (AppTokens.INTERNAL_APP + "\0:" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8))), 401, "invalid_client",
                nulCredentials);
        Map<String, String> formCredentials = new LinkedHashMap<>(exchange);
        formCredentials.put("client_id", "\0" + AppTokens.INTERNAL_APP);
        formCredentials.put("client_secret", secret);
        assertRefused(apps.post(url, formCredentials, null), 401, "invalid_client",
                "Parameter client_id must not contain a NUL character");
        Map<String, String> nulAudience = new LinkedHashMap<>(exchange);
        nulAudience.put("audience", "salesforce\0");
        assertRefused(apps.post(url, nulAudience, AppTokens.basic(AppTokens.INTERNAL_APP, secret)), 400, "invalid_request",
                "Parameter audience must not contain a NUL character");

        // without the NUL the client authenticates and the exchange goes on to the connection, which this user lacks
        assertConduitRefused(apps.post(url, exchange, AppTokens.basic(AppTokens.INTERNAL_APP, secret)), 400, "invalid_target",
                "not_connected", "No salesforce connection for this user; connect it first");
    }
}
