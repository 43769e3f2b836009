package dev.conduit.it;

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
 * server runs with the default). A request Conduit does not own, which the Keycloak-wide filter would refuse with
 * {@code 401 invalid_client}, gets stock Keycloak's answer; the same NUL in a token exchange is still refused.
 */
class GuardScopeIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);

    @Test
    void aNonConduitTokenRequestGetsStockKeycloaksAnswerWhileAnExchangeIsStillGuarded() {
        String url = env.realmUrl() + "/protocol/openid-connect/token";

        HttpResponse<String> clientCredentials = apps.post(url, Map.of("grant_type", "client_credentials", "client_id", "x\0"), null);
        assertStock(clientCredentials);
        HttpResponse<String> introspection = apps.post(url + "/introspect", Map.of("token", "x"), AppTokens.basic("\0", "x"));
        assertStock(introspection);

        String adaToken = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        HttpResponse<String> exchange = apps.post(url, Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", adaToken, "audience", "salesforce"), AppTokens.basic(AppTokens.INTERNAL_APP + "\0", apps.internalSecret()));
        assertThat(exchange.statusCode()).as(exchange.body()).isEqualTo(401);
        assertThat(AppTokens.json(exchange).get("error").asText()).isEqualTo("invalid_client");
    }

    /**
     * What Keycloak 26.7.3 answers without Conduit's filter once the database lookup of the client fails: its own
     * {@code 400 unauthorized_client} or {@code 500 unknown_error} (seen both), never the Keycloak-wide filter's
     * {@code 401 invalid_client}.
     */
    private static void assertStock(HttpResponse<String> answer) {
        String seen = answer.statusCode() + " " + AppTokens.json(answer).path("error").asText();
        assertThat(seen).as(answer.body()).isIn("400 unauthorized_client", "500 unknown_error");
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
