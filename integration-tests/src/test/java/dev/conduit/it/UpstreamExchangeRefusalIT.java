package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
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

    private static final String OTHER_CLIENT = "conduit-it-other-service";
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final String otherSecret = Secrets.generate();
    private String adaToken;

    @BeforeAll
    void setUp() {
        adaToken = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", OTHER_CLIENT);
        client.put("publicClient", false);
        client.put("secret", otherSecret);
        client.put("serviceAccountsEnabled", true);
        client.put("standardFlowEnabled", false);
        client.put("attributes", Map.of("standard.token.exchange.enabled", "true", "conduit.exchange.providers", "*"));
        HttpResponse<String> created = env.admin().call("POST", REALM + "/clients", client);
        assertThat(created.statusCode()).as(created.body()).isIn(201, 409);
    }

    @AfterAll
    void tearDown() {
        JsonNode found = env.admin().get(REALM + "/clients?clientId=" + OTHER_CLIENT);
        if (found.size() > 0) {
            env.admin().call("DELETE", REALM + "/clients/" + found.get(0).get("id").asText(), null);
        }
    }

    @Test
    void anInvalidSubjectTokenIsAnInvalidRequest() {
        assertError(apps.exchange(adaToken.substring(0, adaToken.length() - 4) + "AAAA", Map.of("audience", "salesforce")),
                400, "invalid_request");
        assertError(apps.exchange("not-a-token", Map.of("requested_issuer", "salesforce")), 400, "invalid_request");
    }

    @Test
    void aTokenOfAnotherRealmIsRefused() {
        assertError(apps.exchange(env.admin().accessToken(), Map.of("audience", "salesforce")), 400, "invalid_request");
    }

    @Test
    void aTokenWhoseSessionEndedIsRefused() {
        String token = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        String userId = env.admin().userIdByUsername(REALM, ConduitEnvironment.EXISTING_USER);
        assertThat(env.admin().call("POST", REALM + "/users/" + userId + "/logout", null).statusCode()).isEqualTo(204);

        assertError(apps.exchange(token, Map.of("audience", "salesforce")), 400, "invalid_request");
        adaToken = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
    }

    @Test
    void anExpiredTokenIsRefused() throws InterruptedException {
        String id = env.admin().get(REALM + "/clients?clientId=" + ConduitEnvironment.APP_CLIENT).get(0).get("id").asText();
        JsonNode app = env.admin().get(REALM + "/clients/" + id);
        String previous = app.get("attributes").path("access.token.lifespan").asText("");
        setAttribute(id, "access.token.lifespan", "1");
        String shortLived;
        try {
            shortLived = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        } finally {
            setAttribute(id, "access.token.lifespan", previous);
        }
        Thread.sleep(2500);

        assertError(apps.exchange(shortLived, Map.of("audience", "salesforce")), 400, "invalid_request");
    }

    @Test
    void aClientThatIsNeitherAzpNorAudienceIsRefused() {
        HttpResponse<String> answer = apps.post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", adaToken,
                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                "audience", "salesforce"), AppTokens.basic(OTHER_CLIENT, otherSecret));
        assertError(answer, 400, "invalid_request");
    }

    @Test
    void aPublicClientCannotExchange() {
        HttpResponse<String> answer = apps.post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "client_id", ConduitEnvironment.APP_CLIENT,
                "subject_token", adaToken,
                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                "audience", "salesforce"), null);
        assertThat(answer.statusCode()).isIn(400, 401);
        assertThat(AppTokens.json(answer).get("error").asText()).isIn("unauthorized_client", "invalid_client");
    }

    @Test
    void aProviderTheClientWasNotAllowedIsAnInvalidTarget() {
        String id = env.admin().get(REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
        JsonNode representation = env.admin().get(REALM + "/clients/" + id);
        String allowed = representation.get("attributes").get("conduit.exchange.providers").asText();
        setAllowedProviders(id, representation, "hubspot");
        try {
            assertError(apps.exchange(adaToken, Map.of("audience", "salesforce")), 400, "invalid_target");
        } finally {
            setAllowedProviders(id, env.admin().get(REALM + "/clients/" + id), allowed);
        }
    }

    @Test
    void anUnknownConnectionIsAnInvalidTarget() {
        assertError(apps.exchange(adaToken, Map.of("resource", "urn:conduit:connection:zoho")), 400, "invalid_target");
    }

    @Test
    void aUserWithoutTheConnectionIsToldWhereToConnectIt() {
        HttpResponse<String> answer = apps.exchange(adaToken, Map.of("requested_issuer", "google"));
        JsonNode error = assertError(answer, 400, "invalid_target");
        if ("not_connected".equals(error.path("conduit_error").asText())) {
            assertThat(error.get("connect_uri").asText()).contains("kc_action=idp_link%3Agoogle");
        } else {
            // another test class may have linked Ada's Google account: then she gets her token
            assertThat(error.path("conduit_error").asText()).isIn("reconnect_required");
        }
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
        Map<String, String> exchange = Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", adaToken, "audience", "salesforce");
        String secret = apps.internalSecret();

        assertError(apps.post(url, exchange, AppTokens.basic(AppTokens.INTERNAL_APP + "\0", secret)), 401, "invalid_client");
        assertError(apps.post(url, exchange, "Basic " + java.util.Base64.getEncoder().encodeToString(
                (AppTokens.INTERNAL_APP + "\0:" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8))), 401, "invalid_client");
        Map<String, String> formCredentials = new LinkedHashMap<>(exchange);
        formCredentials.put("client_id", "\0" + AppTokens.INTERNAL_APP);
        formCredentials.put("client_secret", secret);
        assertError(apps.post(url, formCredentials, null), 401, "invalid_client");
        Map<String, String> nulAudience = new LinkedHashMap<>(exchange);
        nulAudience.put("audience", "salesforce\0");
        assertError(apps.post(url, nulAudience, AppTokens.basic(AppTokens.INTERNAL_APP, secret)), 400, "invalid_request");

        HttpResponse<String> clean = apps.post(url, exchange, AppTokens.basic(AppTokens.INTERNAL_APP, secret));
        assertThat(clean.statusCode()).as("without the NUL the client authenticates: " + clean.body()).isIn(200, 400);
        assertThat(AppTokens.json(clean).path("error").asText()).isNotEqualTo("invalid_client");
    }

    private static JsonNode assertError(HttpResponse<String> answer, int status, String error) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        JsonNode body = AppTokens.json(answer);
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.has("access_token")).isFalse();
        return body;
    }
}
