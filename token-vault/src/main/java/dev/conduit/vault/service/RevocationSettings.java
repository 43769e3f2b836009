package dev.conduit.vault.service;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conduit.api.grant.UpstreamClient;

/**
 * What a revocation needs of a removed identity provider, kept (sealed) after it is gone: the broker's revocation
 * method and endpoint, the client id, how the client authenticates, and the client secret as resolved at the removal
 * (a {@code ${vault.x}} reference resolved through Keycloak's vault then). {@link #toString()} never shows the secret.
 */
public record RevocationSettings(String providerId, String alias, UpstreamClient.Revocation revocation, String revocationUrl,
        String clientId, String clientSecret, boolean basicAuth) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static RevocationSettings of(UpstreamClient client, String resolvedSecret) {
        return new RevocationSettings(client.providerId(), client.alias(), client.revocation(), client.revocationUrl(),
                client.clientId(), resolvedSecret, client.basicAuth());
    }

    /** The broker's client as far as a revocation uses it (no token endpoint; the secret travels apart). */
    UpstreamClient client() {
        return new UpstreamClient(providerId, alias, null, clientId, null, basicAuth, revocation, revocationUrl, 0);
    }

    String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("providerId", providerId);
        json.put("alias", alias);
        json.put("revocation", revocation.name());
        json.put("revocationUrl", revocationUrl);
        json.put("clientId", clientId);
        json.put("clientSecret", clientSecret);
        json.put("basicAuth", basicAuth);
        try {
            return JSON.writeValueAsString(json);
        } catch (IOException e) {
            throw new IllegalStateException("revocation settings could not be written", e);
        }
    }

    /** @throws IllegalArgumentException when the opened settings are not what {@link #toJson()} wrote */
    static RevocationSettings fromJson(String text) {
        try {
            JsonNode json = JSON.readTree(text);
            String revocation = json == null ? null : text(json, "revocation");
            if (revocation == null) {
                throw new IllegalArgumentException("revocation settings are malformed");
            }
            return new RevocationSettings(text(json, "providerId"), text(json, "alias"),
                    UpstreamClient.Revocation.valueOf(revocation), text(json, "revocationUrl"),
                    text(json, "clientId"), text(json, "clientSecret"), json.path("basicAuth").asBoolean());
        } catch (IOException e) {
            throw new IllegalArgumentException("revocation settings are malformed");
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    @Override
    public String toString() {
        return "RevocationSettings[" + alias + " (" + providerId + "), " + revocation + ", clientId=" + clientId + "]";
    }
}
