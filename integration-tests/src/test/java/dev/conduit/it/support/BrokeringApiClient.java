package dev.conduit.it.support;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The internal app as a V2 client: {@code external.token.enabled} and the aliases in {@code external.token.idp}
 * (Keycloak's multivalued attribute, {@code ##}-separated), restored after the test.
 */
public final class BrokeringApiClient {

    static final String EXTERNAL_TOKEN_ENABLED = "external.token.enabled";
    static final String EXTERNAL_TOKEN_IDP = "external.token.idp";
    static final String EXCHANGE_PROVIDERS = "conduit.exchange.providers";

    private final ConduitEnvironment env;
    private final AppTokens apps;
    private final String uuid;
    private final JsonNode original;

    private BrokeringApiClient(ConduitEnvironment env, String uuid, JsonNode original) {
        this.env = env;
        this.apps = new AppTokens(env);
        this.uuid = uuid;
        this.original = original;
    }

    public static BrokeringApiClient allow(ConduitEnvironment env, String... aliases) {
        String uuid = env.admin().get(REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
        JsonNode original = env.admin().get(REALM + "/clients/" + uuid);
        BrokeringApiClient client = new BrokeringApiClient(env, uuid, original);
        client.set(aliases.length > 0, String.join("##", aliases));
        return client;
    }

    /**
     * {@link #allow} for new aliases the internal app may also exchange for (added to its
     * {@code conduit.exchange.providers}); {@link #restore()} puts both back.
     */
    public static BrokeringApiClient allowWithExchange(ConduitEnvironment env, String... aliases) {
        BrokeringApiClient client = allow(env, aliases);
        ObjectNode changed = env.admin().get(REALM + "/clients/" + client.uuid).deepCopy();
        ObjectNode attributes = (ObjectNode) changed.get("attributes");
        attributes.put(EXCHANGE_PROVIDERS, attributes.path(EXCHANGE_PROVIDERS).asText("") + " " + String.join(" ", aliases));
        client.put(changed);
        return client;
    }

    void set(boolean enabled, String aliases) {
        ObjectNode changed = original.deepCopy();
        ObjectNode attributes = (ObjectNode) changed.get("attributes");
        attributes.put(EXTERNAL_TOKEN_ENABLED, Boolean.toString(enabled));
        attributes.put(EXTERNAL_TOKEN_IDP, aliases);
        put(changed);
    }

    private void put(ObjectNode changed) {
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/clients/" + uuid, changed);
        assertThat(updated.statusCode()).as("update " + AppTokens.INTERNAL_APP).isEqualTo(204);
    }

    public void restore() {
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/clients/" + uuid, original);
        assertThat(updated.statusCode()).as("restore " + AppTokens.INTERNAL_APP).isEqualTo(204);
    }

    /** What an app sends: its client credentials (client_secret_basic) and the user's access token as {@code token}. */
    public HttpResponse<String> retrieve(String alias, String userToken) {
        return apps.post(env.realmUrl() + "/broker/" + alias + "/token", Map.of("token", userToken),
                AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret()));
    }
}
