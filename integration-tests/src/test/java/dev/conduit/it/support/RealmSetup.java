package dev.conduit.it.support;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The demo realm's clients, client scopes and mappers as tests set them up and look them up, through the admin API. */
public final class RealmSetup {

    private final AdminApi admin;

    public RealmSetup(AdminApi admin) {
        this.admin = admin;
    }

    /**
     * A plain Keycloak {@code oidc} identity provider at the sandbox's Google (the demo realm's {@code google} broker's
     * endpoints), with Keycloak's own token storage on (Store Tokens) and offline access asked for; callers add what
     * their case needs and create it.
     */
    public ObjectNode plainGoogleProvider(String alias, String clientId, String clientSecret) {
        JsonNode google = admin.identityProvider(REALM, "google").get("config");
        ObjectNode idp = AdminApi.mapper().createObjectNode();
        idp.put("alias", alias);
        idp.put("providerId", "oidc");
        idp.put("enabled", true);
        idp.put("trustEmail", false);
        idp.put("storeToken", true);
        idp.put("firstBrokerLoginFlowAlias", "first broker login");
        ObjectNode config = idp.putObject("config");
        config.put("clientId", clientId);
        config.put("clientSecret", clientSecret);
        config.put("clientAuthMethod", "client_secret_basic");
        config.put("authorizationUrl", google.get("authorizationUrl").asText() + "?access_type=offline");
        config.put("tokenUrl", google.get("tokenUrl").asText());
        config.put("userInfoUrl", google.get("userInfoUrl").asText());
        config.put("jwksUrl", google.get("jwksUrl").asText());
        config.put("useJwksUrl", "true");
        config.put("validateSignature", "true");
        config.put("issuer", google.get("issuer").asText());
        config.put("defaultScope", "openid email profile");
        config.put("syncMode", "IMPORT");
        return idp;
    }

    public String clientUuid(String clientId) {
        String id = clientUuidOrNull(clientId);
        assertThat(id).as("client " + clientId).isNotNull();
        return id;
    }

    public String clientUuidOrNull(String clientId) {
        JsonNode found = admin.get(REALM + "/clients?clientId=" + clientId);
        return found.size() == 0 ? null : found.get(0).get("id").asText();
    }

    /** Deletes a client of that client id if there is one, then creates it from {@code representation}; returns its id. */
    public String recreateClient(Map<String, Object> representation) {
        String clientId = (String) representation.get("clientId");
        String existing = clientUuidOrNull(clientId);
        if (existing != null) {
            admin.call("DELETE", REALM + "/clients/" + existing, null);
        }
        expect(201, admin.call("POST", REALM + "/clients", representation));
        return clientUuid(clientId);
    }

    public String scopeId(String name) {
        String id = scopeIdOrNull(name);
        assertThat(id).as("client scope " + name).isNotNull();
        return id;
    }

    public String scopeIdOrNull(String name) {
        for (JsonNode scope : admin.get(REALM + "/client-scopes")) {
            if (name.equals(scope.get("name").asText())) {
                return scope.get("id").asText();
            }
        }
        return null;
    }

    /** Creates an OIDC client scope in the token's scope and off the consent screen, with these attributes; returns its id. */
    public String createClientScope(String name, Map<String, String> conduitAttributes) {
        Map<String, String> attributes = new LinkedHashMap<>(conduitAttributes);
        attributes.put("include.in.token.scope", "true");
        attributes.put("display.on.consent.screen", "false");
        HttpResponse<String> created = admin.call("POST", REALM + "/client-scopes",
                Map.of("name", name, "protocol", "openid-connect", "attributes", attributes));
        expect(201, created);
        String location = created.headers().firstValue("Location").orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** Adds an audience mapper named {@code name} to the client unless it has one of that name. */
    public void addAudienceMapper(String clientUuid, String name, String audience) {
        for (JsonNode mapper : admin.get(REALM + "/clients/" + clientUuid + "/protocol-mappers/models")) {
            if (name.equals(mapper.get("name").asText())) {
                return;
            }
        }
        expect(201, admin.call("POST", REALM + "/clients/" + clientUuid + "/protocol-mappers/models", Map.of(
                "name", name, "protocol", "openid-connect", "protocolMapper", "oidc-audience-mapper",
                "config", Map.of("included.client.audience", audience, "access.token.claim", "true",
                        "id.token.claim", "false", "introspection.token.claim", "true"))));
    }

    /** Adds Conduit's connection-claim mapper unless the client has one; whether it added it. */
    public boolean addClaimMapper(String clientUuid) {
        for (JsonNode mapper : admin.get(REALM + "/clients/" + clientUuid + "/protocol-mappers/models")) {
            if ("conduit-connection-claim".equals(mapper.get("protocolMapper").asText())) {
                return false;
            }
        }
        expect(201, admin.call("POST", REALM + "/clients/" + clientUuid + "/protocol-mappers/models", Map.of(
                "name", "conduit connection binding", "protocol", "openid-connect",
                "protocolMapper", "conduit-connection-claim", "config", Map.of())));
        return true;
    }

    public static HttpResponse<String> expect(int status, HttpResponse<String> response) {
        assertThat(response.statusCode()).as(AppTokens.redacted(response)).isEqualTo(status);
        return response;
    }
}
