package dev.conduit.it;

import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The exchange jar's JAX-RS hooks (StorableCredentialsFilter, StorageOutageMapper) act on Conduit's own requests only
 * unless the operator sets {@code --spi-oauth2-token-exchange--conduit-upstream-token--keycloak-wide-guards=true} (the tests'
 * server runs with the default). A request Conduit does not own, which the Keycloak-wide filter would refuse with its
 * "must not contain a NUL character", gets stock Keycloak's answer; the same NUL in a token exchange is still refused.
 * Not tested here: a client_credentials grant with a NUL in its client id, which stock Keycloak 26.7.3 on PostgreSQL
 * answers {@code 500} (its CLIENT_LOGIN_ERROR event, stored with that client id, fails the transaction): only the
 * Keycloak-wide guards prevent that 500.
 */
class GuardScopeIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);

    @Test
    void aNonConduitTokenRequestGetsStockKeycloaksAnswerWhileAnExchangeIsStillGuarded() {
        String url = env.realmUrl() + "/protocol/openid-connect/token";

        // Keycloak's own refusal once its database lookup of the client fails (the filter would answer 401 invalid_client)
        HttpResponse<String> introspection = apps.post(url + "/introspect", Map.of("token", "x"), AppTokens.basic("\0", "x"));
        assertStock(assertRefused(introspection, 400, "unauthorized_client", "Unexpected error when authenticating client"));
        // a NUL in another grant's parameter reaches Keycloak, which finds no such refresh token (the filter: 400 invalid_request)
        HttpResponse<String> refresh = apps.post(url, Map.of("grant_type", "refresh_token", "refresh_token", "x\0"),
                AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret()));
        assertStock(assertRefused(refresh, 400, "invalid_grant", "Invalid refresh token"));

        String adaToken = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        HttpResponse<String> exchange = apps.post(url, Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", adaToken, "audience", "salesforce"), AppTokens.basic(AppTokens.INTERNAL_APP + "\0", apps.internalSecret()));
        assertRefused(exchange, 401, "invalid_client", "Client credentials must not contain a NUL character");
    }

    private static void assertStock(JsonNode answer) {
        assertThat(answer.path("error_description").asText()).doesNotContain("NUL character");
        assertThat(answer.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
