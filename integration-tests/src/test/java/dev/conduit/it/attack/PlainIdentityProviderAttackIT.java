package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxClient;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Trudy runs an internal app that the administrator allowed a new identity provider of the realm. That provider is a
 * plain Keycloak {@code oidc} broker with Store Tokens on, not a Conduit broker: Keycloak keeps Grace's Google tokens
 * from her login. Trudy's app holds Grace's Keycloak token and asks the upstream-token exchange for the provider's token
 * ({@code requested_issuer}, RFC 8693 {@code resource}, {@code audience}), hoping Conduit serves it like a connection's.
 * Conduit takes an exchange only for its own brokers (ConduitBrokers): the stock exchange refuses the
 * {@code requested_issuer} form, Conduit refuses the one naming a connection, and nothing is handed out or stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlainIdentityProviderAttackIT {

    private static final Account GRACE = Accounts.GOOGLE_GRACE_H;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final String alias = "plain-oidc-" + Secrets.generate().substring(0, 8).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "x");
    private String internalAppId;
    private String allowedBefore;
    private String graceToken;
    private String graceId;
    private List<String> storedUpstreamTokens;

    @BeforeAll
    void setUp() {
        SandboxClient client = new SandboxClient(Provider.GOOGLE, alias + ".apps.sandbox", Secrets.generate(),
                List.of(env.keycloakUrl() + "/realms/" + REALM + "/broker/" + alias + "/endpoint"));
        sandbox.register(client);
        createPlainOidcProvider(client);
        internalAppId = env.admin().get(REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
        allowedBefore = env.admin().get(REALM + "/clients/" + internalAppId).get("attributes").get("conduit.exchange.providers").asText();
        setAllowedProviders(allowedBefore + " " + alias);

        env.admin().deleteUserByEmail(REALM, GRACE.email());
        Set<String> issuedBefore = Set.copyOf(sandbox.issuedTokens());
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), alias, GRACE);
        assertThat(end.endedAtApp()).as("Grace's login through " + alias + " ended at the app").isTrue();
        graceToken = apps.accessToken(end);
        graceId = env.admin().userIdByEmail(REALM, GRACE.email());
        storedUpstreamTokens = new ArrayList<>(sandbox.issuedTokens());
        storedUpstreamTokens.removeAll(issuedBefore);
        assertThat(storedUpstreamTokens).as("the sandbox issued Grace's Google tokens, which Keycloak stored").isNotEmpty();
    }

    @AfterAll
    void tearDown() {
        if (internalAppId != null && allowedBefore != null) {
            setAllowedProviders(allowedBefore);
        }
        env.admin().deleteUserByEmail(REALM, GRACE.email());
        env.admin().call("DELETE", REALM + "/identity-provider/instances/" + alias, null);
    }

    @Test
    void trudysAppGetsNoTokenOfAPlainOidcProviderAndNothingIsStored() {
        JsonNode connectionsBefore = vault.connectionsOf("USER", graceId);
        int googleTokenCalls = sandbox.calls(Provider.GOOGLE, Endpoint.TOKEN);

        // not a Conduit broker: Conduit leaves the request to Keycloak's standard exchange, which takes no requested_issuer
        HttpResponse<String> issuer = apps.exchange(graceToken, Map.of("requested_issuer", alias));
        assertRefused(issuer, 400, "invalid_request", "Parameter 'requested_issuer' is not supported for standard token exchange");
        // naming it as a Conduit connection: Conduit's own refusal
        HttpResponse<String> resource = apps.exchange(graceToken, Map.of("resource", "urn:conduit:connection:" + alias));
        assertRefused(resource, 400, "invalid_target", "No Conduit provider '" + alias + "' in this realm");
        // as an audience it is no Conduit target either: Keycloak's exchange finds no client of that name
        HttpResponse<String> audience = apps.exchange(graceToken, Map.of("audience", alias));
        assertRefused(audience, 400, "invalid_client", "Audience not found");

        for (HttpResponse<String> answer : List.of(issuer, resource, audience)) {
            for (String stored : storedUpstreamTokens) {
                assertThat(answer.body().contains(stored)).as("a refusal carries Grace's stored Google token").isFalse();
            }
        }
        assertThat(vault.connection("USER", graceId, alias)).as("no connection row for the plain provider").isNull();
        assertThat(vault.connectionsOf("USER", graceId)).isEqualTo(connectionsBefore).isEmpty();
        assertThat(sandbox.calls(Provider.GOOGLE, Endpoint.TOKEN)).as("no call to Google's token endpoint").isEqualTo(googleTokenCalls);
    }

    /** Keycloak's own {@code oidc} broker at the sandbox's Google, storing the tokens of a login (Store Tokens). */
    private void createPlainOidcProvider(SandboxClient client) {
        ObjectNode idp = new RealmSetup(env.admin()).plainGoogleProvider(alias, client.clientId(), client.clientSecret());
        HttpResponse<String> created = env.admin().call("POST", REALM + "/identity-provider/instances", idp);
        assertThat(created.statusCode()).as("create " + alias + ": " + created.body()).isEqualTo(201);
    }

    @SuppressWarnings("unchecked")
    private void setAllowedProviders(String value) {
        Map<String, Object> client = AdminApi.mapper().convertValue(env.admin().get(REALM + "/clients/" + internalAppId), Map.class);
        Map<String, Object> attributes = new LinkedHashMap<>((Map<String, Object>) client.get("attributes"));
        attributes.put("conduit.exchange.providers", value);
        client.put("attributes", attributes);
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/clients/" + internalAppId, client);
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);
    }
}
