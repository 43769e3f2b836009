package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static dev.conduit.it.support.ServerConnectionsApi.JWT_BEARER_GRANT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.RealmAdmins;
import dev.conduit.it.support.RealmSetup;
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
 * Attacks on the realm's own server connection (issue 15), which only the service account of a client an admin allowed
 * ({@code conduit.exchange.realm-connections=true}) may use with {@code connection_owner=realm}. Mallory tries as a
 * person through the allowed app; through her own app, whose service account nobody allowed (it has the provider and
 * the permission, so the attribute is all that refuses it); through the allowed app
 * with her app's service-account token (its audience names the allowed app); Oscar, a member of an organization, tries
 * too; and the allowed app's own service account tries with a token it narrowed to the connection (bound). Each is
 * {@code invalid_target}, and nothing is touched: the connection's row is the same and Salesforce saw no token call
 * (its access token was expired first, so a served exchange would mint). Trudy, who may only view identity providers,
 * cannot create one. The allowed service account is served (the baseline that makes the refusals mean something).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealmConnectionAttackIT {

    private static final String ATTRIBUTE = "conduit.exchange.realm-connections";
    private static final String MALLORYS_APP = "conduit-it-realm-mallory-app";
    private static final String ORGANIZATION = "conduit-it-realm-attack-org";
    private static final String NOT_ALLOWED = "The realm's connections are for the service account of a client an"
            + " administrator allowed them";
    private static final Map<String, String> REALM_SALESFORCE = Map.of("audience", "salesforce", "connection_owner", "realm",
            "scope", "crm.contacts.read");

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final RealmSetup setup = new RealmSetup(env.admin());
    private final ServerConnectionsApi servers = new ServerConnectionsApi(env.admin(), REALM);
    private final String password = Secrets.generate();
    private final String mallorysSecret = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private final RealmAdmins admins = new RealmAdmins(env, password);
    private final SandboxEngine engine = env.sandbox().engine();
    private String realmId;
    private String connectionId;
    private String organizationId;
    private boolean addedClaimMapper;

    @BeforeAll
    void setUp() {
        realmId = env.admin().get(REALM).get("id").asText();
        vault.disconnectAll("REALM", realmId);
        String consumerKey = "realm-attack-" + UUID.randomUUID();
        HttpResponse<String> created = servers.createForRealm("salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", Accounts.SALESFORCE_ADA.username()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode connection = AppTokens.json(created);
        connectionId = connection.get("id").asText();
        engine.serverToServer().registerSalesforceJwtApp(consumerKey, connection.at("/shown/certificate").asText(),
                Set.of("api"), Set.of(Accounts.SALESFORCE_ADA.username()));
        apps.setInternalAppAttribute(ATTRIBUTE, "true");
        addedClaimMapper = setup.addClaimMapper(setup.clientUuid(AppTokens.INTERNAL_APP));

        // Mallory's own app: a confidential client with a service account and every provider, but not allowed the
        // realm's connections; its tokens name the internal app in their audience
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", MALLORYS_APP);
        client.put("publicClient", false);
        client.put("secret", mallorysSecret);
        client.put("serviceAccountsEnabled", true);
        client.put("standardFlowEnabled", false);
        client.put("attributes", Map.of("standard.token.exchange.enabled", "true", "conduit.exchange.providers", "*"));
        String mallorysAppId = setup.recreateClient(client);
        // the permission too, so that the attribute is all that stands between her app and the realm's connection
        RealmSetup.expect(204, env.admin().call("PUT", REALM + "/clients/" + mallorysAppId + "/default-client-scopes/"
                + setup.scopeId("crm.contacts.read"), null));
        setup.addAudienceMapper(mallorysAppId, "realm attack audience", AppTokens.INTERNAL_APP);

        organizations.createUser("realm-mallory");
        organizations.createUser("realm-oscar");
        organizationId = organizations.create(ORGANIZATION, "Realm Attack", "realm-attack.example");
        organizations.addMember(organizationId, "realm-oscar");
        admins.create(REALM, "realm-trudy-viewer", "view-identity-providers");
    }

    @AfterAll
    void tearDown() {
        apps.setInternalAppAttribute(ATTRIBUTE, "");
        vault.disconnectAll("REALM", realmId);
        String mallorysApp = setup.clientUuidOrNull(MALLORYS_APP);
        if (mallorysApp != null) {
            env.admin().call("DELETE", REALM + "/clients/" + mallorysApp, null);
        }
        if (addedClaimMapper) {
            String internal = setup.clientUuid(AppTokens.INTERNAL_APP);
            for (JsonNode mapper : env.admin().get(REALM + "/clients/" + internal + "/protocol-mappers/models")) {
                if ("conduit-connection-claim".equals(mapper.get("protocolMapper").asText())) {
                    env.admin().call("DELETE", REALM + "/clients/" + internal + "/protocol-mappers/models/"
                            + mapper.get("id").asText(), null);
                }
            }
        }
        organizations.delete(ORGANIZATION);
        organizations.deleteUser("realm-mallory");
        organizations.deleteUser("realm-oscar");
        admins.delete(REALM, "realm-trudy-viewer");
    }

    @Test
    void theServiceAccountOfTheAllowedAppIsServed() {
        vault.expireAccessToken(connectionId);
        engine.resetCounts();
        HttpResponse<String> served = apps.exchange(apps.serviceAccountToken(), REALM_SALESFORCE);
        assertThat(served.statusCode()).as(AppTokens.redacted(served)).isEqualTo(200);
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).isEqualTo(1);
    }

    @Test
    void malloryAsAPersonThroughTheAllowedAppGetsNothingAndDoesNotSeeTheConnection() {
        String mallory = apps.passwordLogin("realm-mallory", password);
        refusedWithNothingTouched(() -> apps.exchange(mallory, REALM_SALESFORCE), NOT_ALLOWED);
        // nor does she see the realm's connection among her own
        HttpResponse<String> own = getWithBearer(env.realmUrl() + "/conduit-my-connections", mallory);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).doesNotContain(connectionId);
    }

    @Test
    void mallorysOwnAppsServiceAccountWithoutTheAttributeGetsNothing() {
        String mallorysServiceAccount = mallorysServiceAccountToken();
        refusedWithNothingTouched(() -> apps.post(env.realmUrl() + "/protocol/openid-connect/token",
                AppTokens.exchangeForm(mallorysServiceAccount, REALM_SALESFORCE), AppTokens.basic(MALLORYS_APP, mallorysSecret)),
                NOT_ALLOWED);
    }

    @Test
    void theAllowedAppExchangingMallorysServiceAccountTokenGetsNothing() {
        String mallorysServiceAccount = mallorysServiceAccountToken();
        refusedWithNothingTouched(() -> apps.exchange(mallorysServiceAccount, REALM_SALESFORCE), NOT_ALLOWED);
    }

    @Test
    void oscarAMemberOfAnOrganizationGetsNothing() {
        String oscar = apps.passwordLogin("realm-oscar", password);
        refusedWithNothingTouched(() -> apps.exchange(oscar, REALM_SALESFORCE), NOT_ALLOWED);
        // naming his organization as well is a malformed request, not a way around
        HttpResponse<String> both = apps.exchange(oscar, Map.of("audience", "salesforce", "connection_owner", "realm",
                "organization", ORGANIZATION, "scope", "crm.contacts.read"));
        assertRefused(both, 400, "invalid_request", "drop organization=");
    }

    @Test
    void theAllowedAppsServiceAccountTokenNarrowedToTheConnectionGetsNothing() {
        HttpResponse<String> narrowing = apps.exchange(apps.serviceAccountToken(), Map.of("conduit_connection", "salesforce",
                "scope", "crm.contacts.read"));
        assertThat(narrowing.statusCode()).as(AppTokens.redacted(narrowing)).isEqualTo(200);
        String bound = AppTokens.json(narrowing).get("access_token").asText();
        refusedWithNothingTouched(() -> apps.exchange(bound, REALM_SALESFORCE), "The subject token is bound to another connection");
    }

    @Test
    void trudyWhoMayOnlyViewIdentityProvidersCannotCreateOne() {
        String viewer = admins.token(REALM, "realm-trudy-viewer");
        String body = "{\"alias\":\"hubspot\",\"kind\":\"hubspot-private-app\",\"input\":{\"access_token\":\""
                + Secrets.generate() + "\",\"scopes\":\"crm.objects.contacts.read\"}}";
        assertThat(admins.call(viewer, "POST", REALM + "/conduit-vault/server-connections", body).statusCode()).isEqualTo(403);
        assertThat(vault.connectionsOf("REALM", realmId)).as("only the Salesforce connection").hasSize(1);
    }

    private String mallorysServiceAccountToken() {
        HttpResponse<String> answer = apps.post(env.realmUrl() + "/protocol/openid-connect/token",
                Map.of("grant_type", "client_credentials"), AppTokens.basic(MALLORYS_APP, mallorysSecret));
        assertThat(answer.statusCode()).as(AppTokens.redacted(answer)).isEqualTo(200);
        return AppTokens.json(answer).get("access_token").asText();
    }

    /** The attempt is an invalid_target with these words, Salesforce saw no token call and the row did not change. */
    private void refusedWithNothingTouched(Supplier<HttpResponse<String>> attempt, String words) {
        vault.expireAccessToken(connectionId);
        String before = vault.connection(connectionId).toString();
        engine.resetCounts();
        HttpResponse<String> refused = attempt.get();
        assertRefused(refused, 400, "invalid_target", words);
        assertThat(engine.tokenCalls(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("token calls at Salesforce").isZero();
        assertThat(vault.connection(connectionId).toString()).as("the realm's connection untouched").isEqualTo(before);
        assertThat(vault.connectionsOf("REALM", realmId)).hasSize(1);
    }

    private static HttpResponse<String> getWithBearer(String url, String token) {
        try {
            return java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build()
                    .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", "Bearer " + token)
                            .timeout(java.time.Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
