package dev.conduit.vault.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of a switch to a Conduit broker, {@code {"providerId": "conduit-salesforce", "config": {...}}}: the Conduit
 * broker's settings as a whole, as its admin form would send them. What the switch keeps from the old provider's settings
 * when the body leaves it out: the app registration ({@code clientId}, and {@code clientSecret} when absent or sent masked
 * as the admin API shows it), which the stored refresh tokens are bound to, and the organization settings ({@code kc.org.*}).
 */
record BrokerSwitchRequest(String providerId, Map<String, String> config) {

    static final String CLIENT_ID = "clientId";
    static final String CLIENT_SECRET = "clientSecret";
    /** What Keycloak's admin API shows in place of a secret ({@code ComponentRepresentation.SECRET_VALUE}). */
    static final String MASKED = "**********";
    private static final String ORGANIZATION_PREFIX = "kc.org.";

    /** @throws IllegalArgumentException naming the field that is missing or not of the right kind */
    static BrokerSwitchRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object with providerId and config");
        }
        JsonNode providerId = body.get("providerId");
        if (providerId == null || !providerId.isTextual() || providerId.asText().isBlank()) {
            throw new IllegalArgumentException("providerId is required (the Conduit broker, e.g. conduit-salesforce)");
        }
        JsonNode config = body.get("config");
        Map<String, String> settings = new LinkedHashMap<>();
        if (config != null && !config.isNull()) {
            if (!config.isObject()) {
                throw new IllegalArgumentException("config must be a JSON object of settings");
            }
            for (Map.Entry<String, JsonNode> field : config.properties()) {
                JsonNode value = field.getValue();
                if (value.isNull()) {
                    continue;
                }
                if (!value.isValueNode()) {
                    throw new IllegalArgumentException("config." + field.getKey() + " must be a text, number or boolean");
                }
                settings.put(field.getKey(), value.asText());
            }
        }
        return new BrokerSwitchRequest(providerId.asText().trim(), settings);
    }

    /**
     * The new provider's settings: this request's, plus what is kept from {@code old} (see the class comment).
     *
     * @throws IllegalArgumentException when neither names a client id
     */
    Map<String, String> configOver(Map<String, String> old) {
        Map<String, String> previous = old == null ? Map.of() : old;
        Map<String, String> merged = new LinkedHashMap<>(config);
        keep(merged, previous, CLIENT_ID);
        keep(merged, previous, CLIENT_SECRET);
        previous.forEach((key, value) -> {
            if (key.startsWith(ORGANIZATION_PREFIX)) {
                merged.putIfAbsent(key, value);
            }
        });
        if (blank(merged.get(CLIENT_ID))) {
            throw new IllegalArgumentException("config.clientId is required (the provider's app registration)");
        }
        return merged;
    }

    private static void keep(Map<String, String> merged, Map<String, String> previous, String key) {
        String sent = merged.get(key);
        if (blank(sent) || MASKED.equals(sent)) {
            String kept = previous.get(key);
            if (blank(kept)) {
                merged.remove(key);
            } else {
                merged.put(key, kept);
            }
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
