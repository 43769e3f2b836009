package dev.conduit.broker.support;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.util.JsonSerialization;

/**
 * What every Conduit broker does the same way: keep Keycloak's plaintext token storage off, and read token
 * responses without ever echoing their body (which holds tokens) into an exception or a log line.
 */
public final class BrokerHardening {

    private BrokerHardening() {
    }

    /** Upstream tokens go to the Conduit vault, never into FEDERATED_IDENTITY.TOKEN or session notes. */
    public static void apply(IdentityProviderModel config) {
        config.setStoreToken(false);
        config.getConfig().put("storeTokenInSession", "false");
    }

    public static JsonNode parseTokenResponse(String response) {
        if (response == null || !response.trim().startsWith("{")) {
            throw new IdentityBrokerException("Token response is not a JSON object");
        }
        try {
            JsonNode node = JsonSerialization.mapper.readTree(response);
            if (node == null || !node.isObject()) {
                throw new IdentityBrokerException("Token response is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IdentityBrokerException("Token response is not valid JSON");
        }
    }

    public static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            throw new IdentityBrokerException("Token response has no '" + field + "'");
        }
        return value.asText();
    }
}
