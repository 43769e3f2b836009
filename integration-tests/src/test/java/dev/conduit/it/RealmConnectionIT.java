package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.concurrently;
import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static dev.conduit.it.support.ServerConnectionsApi.JWT_BEARER_GRANT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.GoogleServiceAccount;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import dev.conduit.sandbox.ServerToServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The realm's own server connections (issue 15: "owned by the realm for the realm's own integrations"): an admin
 * creates one through {@code POST conduit-vault/server-connections}, with no organization; the service account of a
 * client an admin allowed ({@code conduit.exchange.realm-connections=true}) gets its tokens with
 * {@code connection_owner=realm}; the admin lists them with {@code ownerKind=REALM} and disconnects them like any other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealmConnectionIT {

    static final String ATTRIBUTE = "conduit.exchange.realm-connections";
    private static final String SALESFORCE_QUERY = "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final ServerConnectionsApi servers = new ServerConnectionsApi(env.admin(), REALM);
    private final SandboxEngine engine = env.sandbox().engine();
    private final ServerToServer s2s = engine.serverToServer();
    private String realmId;

    @BeforeAll
    void allowTheInternalApp() {
        realmId = env.admin().get(REALM).get("id").asText();
        vault.disconnectAll("REALM", realmId);
        apps.setInternalAppAttribute(ATTRIBUTE, "true");
    }

    @AfterEach
    void disconnect() {
        vault.disconnectAll("REALM", realmId);
    }

    @AfterAll
    void disallow() {
        apps.setInternalAppAttribute(ATTRIBUTE, "");
    }

    private HttpResponse<String> realmExchange(String alias, String scope) {
        return apps.exchange(apps.serviceAccountToken(), Map.of("audience", alias, "connection_owner", "realm", "scope", scope));
    }

    private static JsonNode created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return AppTokens.json(response);
    }

    @Test
    void aRealmHubSpotPrivateAppServesTheAllowedServiceAccountIsListedAsTheRealmsAndDisconnects() {
        String token = s2s.createHubSpotPrivateApp("7171", Set.of("crm.objects.contacts.read"));
        Map<String, String> input = Map.of("access_token", token, "scopes", "crm.objects.contacts.read");
        HttpResponse<String> response = servers.createForRealm("hubspot", "hubspot-private-app", input);
        JsonNode connection = created(response);
        String id = connection.get("id").asText();
        assertThat(connection.get("ownerKind").asText()).isEqualTo("REALM");
        assertThat(connection.get("ownerId").asText()).isEqualTo(realmId);
        assertThat(connection.get("grantKind").asText()).isEqualTo("hubspot-private-app");
        assertThat(response.body()).doesNotContain(token);
        assertRefused(servers.createForRealm("hubspot", "hubspot-private-app", input), 409, "invalid_request",
                "The realm has a server connection through hubspot already");
        assertRefused(servers.createForRealm("no-such-provider", "hubspot-private-app", input), 400, "invalid_request",
                "no enabled Conduit identity provider of this realm");

        // listed as the realm's, not as any organization's; never with its token
        assertThat(ids(vault.connectionsOf("REALM", realmId))).containsExactly(id);
        String realms = env.admin().call("GET", REALM + "/conduit-vault/connections?ownerKind=REALM", null).body();
        assertThat(realms).contains(id).doesNotContain(token);
        assertThat(env.admin().call("GET", REALM + "/conduit-vault/connections?ownerKind=ORGANIZATION", null).body())
                .doesNotContain(id);

        JsonNode served = ok(realmExchange("hubspot", "crm.contacts.read"));
        assertThat(served.get("access_token").asText()).isEqualTo(token);
        assertThat(served.get("identity_provider").asText()).isEqualTo("hubspot");
        assertThat(ServerConnectionsApi.apiCall(env.sandbox().baseUrl() + "/hubspot/account-info/v3/details",
                served.get("access_token").asText())).isEqualTo(200);
        assertEvents(id);
        // the permission check is the organization's: a permission the private app was not granted is refused
        JsonNode beyond = assertConduitRefused(realmExchange("hubspot", "crm.deals.read"), 400, "invalid_scope",
                "insufficient_scope", "crm.objects.deals.read");
        assertThat(beyond.has("connect_uri")).as("no consent widens an admin's connection").isFalse();
        // without connection_owner the service account asks for a connection of its own, which it has not
        assertConduitRefused(apps.exchange(apps.serviceAccountToken(), Map.of("audience", "hubspot", "scope",
                "crm.contacts.read")), 400, "invalid_target", "not_connected", "No hubspot connection");

        HttpResponse<String> disconnected = vault.disconnect(id);
        assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(204);
        assertThat(vault.connectionsOf("REALM", realmId)).as("the realm holds none").isEmpty();
        Await.until("the disconnect sent", () -> vault.connection(id) == null);
        JsonNode gone = assertConduitRefused(realmExchange("hubspot", "crm.contacts.read"), 400, "invalid_target",
                "not_connected", "No hubspot connection for this realm");
        assertThat(gone.has("connect_uri")).as("an admin creates the realm's connection, no user").isFalse();
    }

    @Test
    void aRealmSalesforceJwtBearerConnectionMintsOnceForTheServiceAccountAndIsRevokedOnDisconnect() throws Exception {
        String consumerKey = "realm-jwt-" + UUID.randomUUID();
        String username = Accounts.SALESFORCE_ADA.username();
        JsonNode connection = created(servers.createForRealm("salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", username)));
        String id = connection.get("id").asText();
        assertThat(connection.get("ownerKind").asText()).isEqualTo("REALM");
        String certificate = servers.certificate(id).body();
        assertThat(certificate).startsWith("-----BEGIN CERTIFICATE-----");
        s2s.registerSalesforceJwtApp(consumerKey, certificate, Set.of("api"), Set.of(username));
        engine.resetCounts();

        List<JsonNode> answers = concurrently(10, () -> ok(realmExchange("salesforce", "crm.contacts.read")));
        Set<String> tokens = new HashSet<>();
        answers.forEach(answer -> tokens.add(answer.get("access_token").asText()));
        assertThat(tokens).as("one token for every caller").hasSize(1);
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("mints for 10 concurrent exchanges").isEqualTo(1);
        assertThat(answers.get(0).get("instance_url").asText()).isEqualTo(engine.instanceUrl());
        assertThat(answers.get(0).get("scope").asText()).isEqualTo("api");
        String token = tokens.iterator().next();
        assertThat(ServerConnectionsApi.apiCall(engine.instanceUrl() + SALESFORCE_QUERY, token)).isEqualTo(200);

        // the existing per-connection routes work for the realm's: an expired token re-mints, a refresh reports
        vault.expireAccessToken(id);
        assertThat(ok(realmExchange("salesforce", "crm.contacts.read")).get("access_token").asText()).isNotEqualTo(token);
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).isEqualTo(2);
        assertThat(vault.connection(id).get("status").asText()).isEqualTo("HEALTHY");

        String current = ok(realmExchange("salesforce", "crm.contacts.read")).get("access_token").asText();
        assertThat(vault.disconnect(id).statusCode()).isEqualTo(204);
        Await.until("the disconnect sent", () -> vault.connection(id) == null);
        assertThat(engine.accessTokenActive(current)).as("revoked at Salesforce").isFalse();
        assertConduitRefused(realmExchange("salesforce", "crm.contacts.read"), 400, "invalid_target", "not_connected",
                "No salesforce connection for this realm");
    }

    @Test
    void theAllowedServiceAccountNamesTheWorkspaceUserItActsAsOnTheRealmsGoogleConnection() {
        String scope = "https://www.googleapis.com/auth/calendar.readonly";
        GoogleServiceAccount account = s2s.registerGoogleServiceAccount("realm-" + UUID.randomUUID().toString().substring(0, 8),
                "conduit", "acme.example", Set.of(scope));
        created(servers.createForRealm("google", "google-service-account", Map.of("service_account_key",
                account.jsonKeyFile(), "domain", "acme.example", "scopes", scope, "subject_clients", AppTokens.INTERNAL_APP)));
        engine.resetCounts();

        JsonNode served = ok(apps.exchange(apps.serviceAccountToken(), Map.of("audience", "google", "connection_owner", "realm",
                "scope", "calendar.read", "requested_subject", Accounts.GOOGLE_BETTY.email())));
        assertThat(served.get("account_id").asText()).isEqualTo(Accounts.GOOGLE_BETTY.email());
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER_GRANT)).isEqualTo(1);
        assertThat(ServerConnectionsApi.apiCall(env.sandbox().baseUrl() + "/google/calendar/v3/calendars/primary/events",
                served.get("access_token").asText())).isEqualTo(200);
        assertConduitRefused(apps.exchange(apps.serviceAccountToken(), Map.of("audience", "google", "connection_owner", "realm",
                "scope", "calendar.read", "requested_subject", "ceo@elsewhere.example")), 400, "invalid_target",
                "not_connected", "outside the Workspace domain acme.example");
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER_GRANT)).isEqualTo(1);
    }

    @Test
    void aBadConnectionOwnerIsAnInvalidRequest() {
        String subject = apps.serviceAccountToken();
        String tokenUrl = env.realmUrl() + "/protocol/openid-connect/token";
        String authorization = AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret());
        for (String value : List.of("REALM", "organization", "", "realm ")) {
            assertRefused(apps.exchange(subject, Map.of("audience", "hubspot", "connection_owner", value)), 400,
                    "invalid_request", "connection_owner must be realm");
        }
        String duplicated = AppTokens.formBody(List.of(Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                Map.entry("subject_token", subject), Map.entry("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                Map.entry("audience", "hubspot"), Map.entry("connection_owner", "realm"), Map.entry("connection_owner", "realm")));
        // Keycloak's token endpoint refuses any duplicated parameter before the exchange (ours refuses it too)
        assertRefused(apps.postBody(tokenUrl, duplicated, authorization), 400, "invalid_request", "duplicated parameter");
        assertRefused(apps.exchange(subject, Map.of("audience", "hubspot", "connection_owner", "realm", "organization", "acme")),
                400, "invalid_request", "drop organization=");
    }

    /** The connect, the exchange and the admin's create are recorded, naming the realm as owner and no organization. */
    private void assertEvents(String id) {
        JsonNode connects = env.admin().get(REALM + "/events?type=FEDERATED_IDENTITY_LINK&max=100");
        assertThat(connects).as("the connect event").anySatisfy(event -> {
            assertThat(event.at("/details/connection_id").asText()).isEqualTo(id);
            assertThat(event.at("/details/owner_kind").asText()).isEqualTo("REALM");
            assertThat(event.at("/details/organization_id").isMissingNode()).isTrue();
        });
        JsonNode exchanges = env.admin().get(REALM + "/events?type=TOKEN_EXCHANGE&client=" + AppTokens.INTERNAL_APP + "&max=100");
        assertThat(exchanges).as("the exchange event").anySatisfy(event -> {
            assertThat(event.at("/details/connection_id").asText()).isEqualTo(id);
            assertThat(event.at("/details/connection_owner").asText()).isEqualTo("realm");
        });
        JsonNode creates = env.admin().get(REALM + "/admin-events?operationTypes=CREATE&resourceTypes=CUSTOM&max=100");
        assertThat(creates).as("the admin's create").anySatisfy(event ->
                assertThat(event.get("resourcePath").asText()).endsWith("conduit-vault/server-connections"));
    }

    private static List<String> ids(JsonNode connections) {
        List<String> ids = new java.util.ArrayList<>();
        connections.forEach(connection -> ids.add(connection.get("id").asText()));
        return ids;
    }
}
