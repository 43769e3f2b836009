package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static dev.conduit.it.support.ServerConnectionsApi.JWT_BEARER_GRANT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.RealmAdmins;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Attacks on server connections (issue 15): Mallory, a member of organization B, asks for organization A's
 * connection; Trudy, with no right to manage identity providers (or an admin of another realm), creates, rotates,
 * reads or downloads. Each is refused and nothing changes: no mint, no new row, the same credential.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerConnectionAttackIT {

    private static final String OTHER_REALM = "conduit-it-s2s-other";
    private static final String ALPHA = "conduit-it-s2s-alpha";
    private static final String BRAVO = "conduit-it-s2s-bravo";
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final ServerConnectionsApi servers = new ServerConnectionsApi(env.admin(), REALM);
    private final String password = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private final RealmAdmins admins = new RealmAdmins(env, password);
    private final SandboxEngine engine = env.sandbox().engine();
    private String alphaId;
    private String bravoId;
    private String connectionId;
    private String consumerKey;
    private final String uploadedKey = ServerConnectionsApi.rsaPrivateKeyPem(2048);
    private final String consumerSecret = Secrets.generate();
    private String privateAppToken;

    @BeforeAll
    void setUp() {
        alphaId = organizations.create(ALPHA, "S2S Alpha", "alpha.s2s.example");
        bravoId = organizations.create(BRAVO, "S2S Bravo", "bravo.s2s.example");
        organizations.createUser("s2s-alpha-member");
        organizations.addMember(alphaId, "s2s-alpha-member");
        organizations.createUser("s2s-mallory");
        organizations.addMember(bravoId, "s2s-mallory");
        consumerKey = "s2s-attack-" + UUID.randomUUID();
        HttpResponse<String> created = servers.create(alphaId, "salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", Accounts.SALESFORCE_ADA.username(), "private_key", uploadedKey));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        privateAppToken = engine.serverToServer().createHubSpotPrivateApp("5151", Set.of("crm.objects.contacts.read"));
        assertThat(servers.create(alphaId, "hubspot", "hubspot-private-app", Map.of("access_token", privateAppToken,
                "scopes", "crm.objects.contacts.read")).statusCode()).isEqualTo(201);
        assertThat(servers.create(bravoId, "salesforce", "salesforce-client-credentials", Map.of("consumer_key",
                "s2s-attack-cc", "consumer_secret", consumerSecret)).statusCode()).isEqualTo(201);
        JsonNode connection = AppTokens.json(created);
        connectionId = connection.get("id").asText();
        engine.serverToServer().registerSalesforceJwtApp(consumerKey, connection.at("/shown/certificate").asText(),
                Set.of("api"), Set.of(Accounts.SALESFORCE_ADA.username()));

        admins.create(REALM, "s2s-trudy-viewer", "view-identity-providers");
        admins.create(REALM, "s2s-trudy");
        env.admin().call("DELETE", OTHER_REALM, null);
        assertThat(env.admin().call("POST", "", Map.of("realm", OTHER_REALM, "enabled", true)).statusCode()).isEqualTo(201);
        admins.create(OTHER_REALM, "s2s-other-admin", "realm-admin");
    }

    @AfterAll
    void tearDown() {
        for (String organization : List.of(alphaId, bravoId)) {
            vault.disconnectAll("ORGANIZATION", organization);
        }
        organizations.delete(ALPHA);
        organizations.delete(BRAVO);
        for (String user : List.of("s2s-alpha-member", "s2s-mallory")) {
            organizations.deleteUser(user);
        }
        admins.delete(REALM, "s2s-trudy-viewer");
        admins.delete(REALM, "s2s-trudy");
        env.admin().call("DELETE", OTHER_REALM, null);
    }

    @Test
    void malloryOfOrganizationBravoGetsNothingOfAlphasConnectionAndCausesNoMint() {
        String alphaToken = apps.exchange(apps.passwordLogin("s2s-alpha-member", password),
                Map.of("audience", "salesforce", "organization", ALPHA, "scope", "crm.contacts.read")).body();
        assertThat(alphaToken).contains("access_token");
        vault.expireAccessToken(connectionId);
        engine.resetCounts();

        String mallory = apps.passwordLogin("s2s-mallory", password);
        for (String reference : List.of(ALPHA, alphaId)) {
            HttpResponse<String> refused = apps.exchange(mallory, Map.of("audience", "salesforce", "organization", reference,
                    "scope", "crm.contacts.read"));
            assertRefused(refused, 400, "invalid_target", "No such organization among the subject's organizations");
        }
        assertThat(engine.tokenCalls(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("no mint for Mallory").isZero();
        assertThat(vault.connection(connectionId).get("expiresAt").asLong()).as("the row untouched").isLessThanOrEqualTo(
                System.currentTimeMillis() / 1000);
    }

    @Test
    void trudyWithoutManageIdentityProvidersOrFromAnotherRealmChangesNothing() {
        String before = AdminApi.mapper().valueToTree(vault.connection(connectionId)).toString();
        String certificate = servers.certificate(connectionId).body();
        String base = REALM + "/conduit-vault";
        String create = "{\"alias\":\"salesforce\",\"kind\":\"salesforce-jwt-bearer\",\"input\":{\"consumer_key\":\"trudy\","
                + "\"username\":\"" + Accounts.SALESFORCE_ADA.username() + "\"}}";
        String rotate = "{\"input\":{\"consumer_key\":\"trudy\",\"username\":\"" + Accounts.SALESFORCE_ADA.username() + "\"}}";

        String viewer = admins.token(REALM, "s2s-trudy-viewer");
        assertThat(admins.call(viewer, "POST", base + "/organizations/" + alphaId + "/server-connections", create).statusCode())
                .isEqualTo(403);
        assertThat(admins.call(viewer, "PUT", base + "/connections/" + connectionId + "/credential", rotate).statusCode())
                .isEqualTo(403);
        assertThat(admins.call(viewer, "DELETE", base + "/connections/" + connectionId + "/previous-key", null).statusCode())
                .isEqualTo(403);

        for (String token : List.of(admins.token(REALM, "s2s-trudy"), admins.token(OTHER_REALM, "s2s-other-admin"))) {
            assertThat(admins.call(token, "POST", base + "/organizations/" + alphaId + "/server-connections", create).statusCode())
                    .isIn(403, 404);
            assertThat(admins.call(token, "PUT", base + "/connections/" + connectionId + "/credential", rotate).statusCode())
                    .isIn(403, 404);
            assertThat(admins.call(token, "GET", base + "/connections/" + connectionId, null).statusCode()).isIn(403, 404);
            HttpResponse<String> download = admins.call(token, "GET", base + "/connections/" + connectionId + "/certificate", null);
            assertThat(download.statusCode()).isIn(403, 404);
            assertThat(download.body()).doesNotContain("CERTIFICATE");
            assertThat(admins.call(token, "GET", base + "/server-kinds", null).statusCode()).isIn(403, 404);
        }

        assertThat(AdminApi.mapper().valueToTree(vault.connection(connectionId)).toString()).as("nothing changed").isEqualTo(before);
        assertThat(servers.certificate(connectionId).body()).isEqualTo(certificate);
        assertThat(vault.connectionsOf("ORGANIZATION", alphaId)).hasSize(2);
    }

    @Test
    void trudyCreatesAlphasServerConnectionThroughTheAppKeycloakLinksToBravo() {
        // Bravo's own Salesforce app registration: an identity provider Keycloak links to organization Bravo
        String bravosApp = "sf-s2s-bravo-app";
        env.admin().call("DELETE", REALM + "/identity-provider/instances/" + bravosApp, null);
        var idp = (com.fasterxml.jackson.databind.node.ObjectNode) env.admin().identityProvider(REALM, "salesforce").deepCopy();
        idp.remove("internalId");
        idp.put("alias", bravosApp);
        env.admin().createIdentityProvider(REALM, idp);
        try {
            HttpResponse<String> linked = env.admin().call("POST", REALM + "/organizations/" + bravoId + "/identity-providers",
                    bravosApp);
            assertThat(linked.statusCode()).as(linked.body()).isEqualTo(204);
            int before = vault.connectionsOf("ORGANIZATION", alphaId).size();

            assertRefused(servers.create(alphaId, bravosApp, "salesforce-jwt-bearer", Map.of("consumer_key", "trudy",
                    "username", Accounts.SALESFORCE_ADA.username())), 400, "invalid_request",
                    "no enabled Conduit identity provider this organization may use");

            assertThat(vault.connection("ORGANIZATION", alphaId, bravosApp)).as("Alpha holds nothing through Bravo's app").isNull();
            assertThat(vault.connectionsOf("ORGANIZATION", alphaId)).hasSize(before);
        } finally {
            env.admin().call("DELETE", REALM + "/identity-provider/instances/" + bravosApp, null);
        }
    }

    @Test
    void noPrivateKeyClientSecretOrPrivateAppTokenIsStoredOrAnsweredInClear() throws Exception {
        List<String> secrets = new java.util.ArrayList<>(ServerConnectionsApi.pemBodyLines(uploadedKey));
        secrets.add(consumerSecret);
        secrets.add(privateAppToken);
        secrets.add("BEGIN PRIVATE KEY");
        secrets.add("BEGIN RSA PRIVATE KEY");
        try (java.sql.Connection db = env.database("the storage scan")) {
            assertThat(new dev.conduit.it.support.StorageScan(db).holding(secrets))
                    .as("columns holding a key, secret or private app token in clear").isEmpty();
        }
        String answers = env.admin().call("GET", REALM + "/conduit-vault/connections?ownerKind=ORGANIZATION", null).body()
                + env.admin().call("GET", REALM + "/conduit-vault/connections/" + connectionId, null).body()
                + servers.certificate(connectionId).body();
        for (String secret : secrets) {
            assertThat(answers).as("admin answers").doesNotContain(secret);
        }
    }
}
