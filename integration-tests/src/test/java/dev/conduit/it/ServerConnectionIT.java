package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.concurrently;
import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static dev.conduit.it.support.ServerConnectionsApi.JWT_BEARER_GRANT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.StorageScan;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import dev.conduit.sandbox.ServerToServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Server connections (issue 15): an admin creates an organization's connection through the vault's admin API, with no
 * browser consent; the organization's members get its tokens through the exchange ({@code organization=}); one mint
 * however many callers; a mint the provider refuses is a status with the provider's reason, not retried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerConnectionIT {

    private static final String SALESFORCE_QUERY = "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact";
    static final String MEMBER = "s2s-member";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final ServerConnectionsApi servers = new ServerConnectionsApi(env.admin(), REALM);
    private final String password = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private final SandboxEngine engine = env.sandbox().engine();
    private final ServerToServer s2s = engine.serverToServer();
    private final List<String> organizationAliases = new ArrayList<>();
    private final List<String> googleUsers = new ArrayList<>();
    private String subject;

    @BeforeAll
    void member() {
        organizations.createUser(MEMBER);
    }

    @AfterAll
    void cleanUp() {
        for (String alias : organizationAliases) {
            vault.disconnectAll("ORGANIZATION", organizations.idOf(alias));
            organizations.delete(alias);
        }
        organizations.deleteUser(MEMBER);
        googleUsers.forEach(organizations::deleteUser);
    }

    /** A fresh organization with the member in it: one connection per organization and alias. */
    private String organization(String name) {
        String alias = "conduit-it-s2s-" + name;
        organizationAliases.add(alias);
        String id = organizations.create(alias, "S2S " + name, name + ".s2s.example");
        organizations.addMember(id, MEMBER);
        subject = apps.passwordLogin(MEMBER, password);
        return id;
    }

    private HttpResponse<String> exchange(String alias, String organizationId) {
        return apps.exchange(subject, Map.of("audience", alias, "organization", organizationId, "scope", "crm.contacts.read"));
    }

    private JsonNode created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return AppTokens.json(response);
    }

    @Test
    void salesforceJwtBearerMintsOnceForManyCallersAndServesTheOrganizationsMembers() throws Exception {
        String organizationId = organization("jwt");
        String consumerKey = "s2s-jwt-" + UUID.randomUUID();
        String username = Accounts.SALESFORCE_ADA.username();
        HttpResponse<String> response = servers.create(organizationId, "salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", username));
        JsonNode connection = created(response);
        String id = connection.get("id").asText();
        assertThat(connection.get("grantKind").asText()).isEqualTo("salesforce-jwt-bearer");
        assertThat(connection.get("ownerKind").asText()).isEqualTo("ORGANIZATION");
        assertThat(connection.get("status").asText()).isEqualTo("HEALTHY");
        assertThat(connection.at("/shown/certificate").asText()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(connection.at("/shown/key_origin").asText()).isEqualTo("generated");
        assertThat(response.body()).doesNotContain("PRIVATE KEY");

        HttpResponse<String> certificate = servers.certificate(id);
        assertThat(certificate.statusCode()).isEqualTo(200);
        assertThat(certificate.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-pem-file");
        assertThat(certificate.body()).isEqualTo(connection.at("/shown/certificate").asText());
        s2s.registerSalesforceJwtApp(consumerKey, certificate.body(), Set.of("api"), Set.of(username));
        engine.resetCounts();

        List<JsonNode> answers = concurrently(20, () -> ok(exchange("salesforce", organizationId)));
        Set<String> tokens = new HashSet<>();
        answers.forEach(answer -> tokens.add(answer.get("access_token").asText()));
        assertThat(tokens).as("one token for every caller").hasSize(1);
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("mints for 20 concurrent exchanges").isEqualTo(1);
        String token = tokens.iterator().next();
        assertThat(answers.get(0).get("instance_url").asText()).isEqualTo(engine.instanceUrl());
        assertThat(answers.get(0).get("scope").asText()).isEqualTo("api");
        assertThat(ServerConnectionsApi.apiCall(engine.instanceUrl() + SALESFORCE_QUERY, token)).isEqualTo(200);

        vault.expireAccessToken(id);
        String second = ok(exchange("salesforce", organizationId)).get("access_token").asText();
        ok(exchange("salesforce", organizationId));
        assertThat(second).isNotEqualTo(token);
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("one more mint after the expiry").isEqualTo(2);

        // the admin's answers never carry the token or the key
        String listing = env.admin().call("GET", REALM + "/conduit-vault/connections?ownerId=" + organizationId, null).body();
        assertThat(listing).contains(id).doesNotContain(second).doesNotContain("PRIVATE KEY");
        assertThat(env.admin().call("GET", REALM + "/conduit-vault/connections/" + id, null).body())
                .doesNotContain(second).doesNotContain("PRIVATE KEY");
    }

    @Test
    void aRefusedMintIsAStatusWithSalesforcesReasonAndIsNotRetriedUntilAnAdminActs() {
        String organizationId = organization("refused");
        String consumerKey = "s2s-refused-" + UUID.randomUUID();
        String username = Accounts.SALESFORCE_CHARLES.username();
        JsonNode connection = created(servers.create(organizationId, "salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", username)));
        String id = connection.get("id").asText();
        s2s.registerSalesforceJwtApp(consumerKey, connection.at("/shown/certificate").asText(), Set.of("api"), Set.of());
        engine.resetCounts();

        JsonNode answer = assertConduitRefused(exchange("salesforce", organizationId), 400, "invalid_target",
                "action_required", "has not approved this app");
        assertThat(answer.has("connect_uri")).as("no consent to offer for a server connection").isFalse();
        JsonNode refused = vault.connection(id);
        assertThat(refused.get("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(refused.get("lastError").asText()).startsWith("user_not_pre_authorized: Salesforce says");
        assertThat(refused.path("nextRefreshAt").isMissingNode() || refused.get("nextRefreshAt").isNull()).as("not retried").isTrue();
        int calls = engine.tokenCalls(Provider.SALESFORCE, JWT_BEARER_GRANT);
        assertThat(calls).as("one attempt: an admin's refusal is not retried inline").isEqualTo(1);

        assertConduitRefused(exchange("salesforce", organizationId), 400, "invalid_target", "action_required",
                "has not approved this app");
        vault.refreshDue();
        assertThat(engine.tokenCalls(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("no mint until an admin acts").isEqualTo(calls);

        s2s.preAuthorizeSalesforceUser(consumerKey, username);
        vault.refresh(id);
        assertThat(vault.connection(id).get("status").asText()).isEqualTo("HEALTHY");
        String token = ok(exchange("salesforce", organizationId)).get("access_token").asText();
        assertThat(ServerConnectionsApi.apiCall(engine.instanceUrl() + SALESFORCE_QUERY, token)).isEqualTo(200);
    }

    /**
     * An app whose API calls keep being refused with each fresh token reports them (RefusedTokenIT's storm, on a server
     * connection): three re-mints within the window, then the connection needs its administrator, not a consent
     * nobody can give: ACTION_REQUIRED, no connect_uri, no further mint until an admin's refresh.
     */
    @Test
    void aServerConnectionWhoseFreshTokensKeepBeingRefusedNeedsItsAdministratorNotAConsent() throws InterruptedException {
        String organizationId = organization("storm");
        String consumerKey = "s2s-storm-" + UUID.randomUUID();
        String username = Accounts.SALESFORCE_ADA.username();
        JsonNode connection = created(servers.create(organizationId, "salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", username)));
        String id = connection.get("id").asText();
        s2s.registerSalesforceJwtApp(consumerKey, connection.at("/shown/certificate").asText(), Set.of("api"), Set.of(username));
        String current = ok(exchange("salesforce", organizationId)).get("access_token").asText();
        engine.resetCounts();
        for (int round = 1; round <= 3; round++) {
            String fresh = ok(refusedReport(organizationId, current)).get("access_token").asText();
            assertThat(fresh).as("round %d replaced the reported token", round).isNotEqualTo(current);
            current = fresh;
            Thread.sleep(6_000); // the refusal spacing of the test server (5 s)
        }
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("re-mints for three reports").isEqualTo(3);

        JsonNode marked = assertConduitRefused(refusedReport(organizationId, current), 400, "invalid_target",
                "action_required", "refused_by_provider");
        assertThat(marked.has("connect_uri")).as("no consent to offer for a server connection").isFalse();
        JsonNode row = vault.connection(id);
        assertThat(row.get("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(row.get("lastError").asText()).startsWith("refused_by_provider").contains("integration account");
        assertConduitRefused(exchange("salesforce", organizationId), 400, "invalid_target", "action_required",
                "until an administrator acts");
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("no mint once marked").isEqualTo(3);

        vault.refresh(id);
        assertThat(vault.connection(id).get("status").asText()).isEqualTo("HEALTHY");
        assertThat(ok(exchange("salesforce", organizationId)).get("access_token").asText()).isNotEqualTo(current);
    }

    private HttpResponse<String> refusedReport(String organizationId, String refusedToken) {
        Map<String, String> form = new java.util.LinkedHashMap<>(Map.of("audience", "salesforce", "organization",
                organizationId, "scope", "crm.contacts.read"));
        form.put(dev.conduit.api.vault.RefusedToken.PARAMETER, RefusedTokenIT.sha256(refusedToken));
        return apps.exchange(subject, form);
    }

    @Test
    void anUnknownCertificateIsRefusedInWordsAndAnUploadedKeyNeverReachesStorageInClear() throws Exception {
        String organizationId = organization("upload");
        String consumerKey = "s2s-upload-" + UUID.randomUUID();
        String privateKey = ServerConnectionsApi.rsaPrivateKeyPem(2048);
        HttpResponse<String> response = servers.create(organizationId, "salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", Accounts.SALESFORCE_ADA.username(), "private_key", privateKey));
        JsonNode connection = created(response);
        assertThat(connection.at("/shown/key_origin").asText()).isEqualTo("uploaded");
        for (String line : ServerConnectionsApi.pemBodyLines(privateKey)) {
            assertThat(response.body()).doesNotContain(line);
        }
        // the app knows another certificate only
        s2s.registerSalesforceJwtApp(consumerKey, dev.conduit.sandbox.SandboxKeys.selfSignedCertificatePem(dev.conduit.sandbox.SandboxKeys.rsaKeyPair(), "another"), Set.of("api"),
                Set.of(Accounts.SALESFORCE_ADA.username()));

        assertConduitRefused(exchange("salesforce", organizationId), 400, "invalid_target", "action_required",
                "upload this connection's certificate");
        assertThat(vault.connection(connection.get("id").asText()).get("lastError").asText()).startsWith("assertion_refused");

        try (Connection db = env.database("the storage scan")) {
            List<String> secrets = new ArrayList<>(ServerConnectionsApi.pemBodyLines(privateKey));
            secrets.add("BEGIN PRIVATE KEY");
            secrets.add("BEGIN RSA PRIVATE KEY");
            assertThat(new StorageScan(db).holding(secrets)).as("columns holding a private key in clear").isEmpty();
        }
    }

    @Test
    void badUploadsAre400sThatSayWhatIsWrongAndRepeatNothing() {
        String organizationId = organization("bad");
        Map<String, String> base = Map.of("consumer_key", "s2s-bad", "username", Accounts.SALESFORCE_ADA.username());
        String ecKey = ServerConnectionsApi.pem("PRIVATE KEY", ServerConnectionsApi.keyPair("EC", 256).getPrivate().getEncoded());
        String smallKey = ServerConnectionsApi.rsaPrivateKeyPem(1024);
        Map<String, String> cases = Map.of(
                ecKey, "not an RSA private key",
                smallKey, "has 1024 bits",
                "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n", "",
                "x".repeat(70_000), "larger than");
        cases.forEach((key, words) -> {
            Map<String, String> input = new java.util.LinkedHashMap<>(base);
            input.put("private_key", key);
            HttpResponse<String> refused = servers.create(organizationId, "salesforce", "salesforce-jwt-bearer", input);
            assertRefused(refused, 400, "invalid_request", words);
            assertThat(refused.body()).as(words).doesNotContain("bm90IGEga2V5");
            for (String line : ServerConnectionsApi.pemBodyLines(key)) {
                assertThat(refused.body()).doesNotContain(line);
            }
        });
        assertRefused(servers.createRaw(organizationId, "{\"alias\": \"salesforce\", "), 400, "invalid_request", "not JSON");
        assertRefused(servers.create(organizationId, "salesforce", "salesforce-jwt-bearer", Map.of("username", "a@b.c")),
                400, "invalid_request", "consumer_key is required");
        assertRefused(servers.create(organizationId, "salesforce", "no-such-kind", base), 400, "invalid_request",
                "kind is not one salesforce offers");
        assertRefused(servers.create(organizationId, "google", "google-service-account", Map.of("domain", "acme.example",
                "scopes", "openid", "service_account_key", "{\"type\": \"service_account\"")), 400, "invalid_request", "");
        assertRefused(servers.create("no-such-organization", "salesforce", "salesforce-jwt-bearer", base), 404,
                "invalid_request", "Organization not found");
        assertThat(vault.connectionsOf("ORGANIZATION", organizationId)).as("nothing stored").isEmpty();
    }

    @Test
    void hubSpotPrivateAppServesItsStaticTokenAndAnAdminReplacesItWhenHubSpotRefusesIt() {
        String organizationId = organization("hubspot");
        String token = s2s.createHubSpotPrivateApp("4242", Set.of("crm.objects.contacts.read"));
        HttpResponse<String> response = servers.create(organizationId, "hubspot", "hubspot-private-app",
                Map.of("access_token", token, "scopes", "crm.objects.contacts.read"));
        JsonNode connection = created(response);
        String id = connection.get("id").asText();
        assertThat(response.body()).doesNotContain(token);
        assertThat(connection.at("/shown/region").asText()).isEqualTo("na1");

        JsonNode served = ok(exchange("hubspot", organizationId));
        assertThat(served.get("access_token").asText()).isEqualTo(token);
        assertThat(ServerConnectionsApi.apiCall(env.sandbox().baseUrl() + "/hubspot/account-info/v3/details", token))
                .isEqualTo(200);
        assertConduitRefused(apps.exchange(subject, Map.of("audience", "hubspot", "organization", organizationId,
                "scope", "crm.deals.read")), 400, "invalid_scope", "insufficient_scope", "crm.objects.deals.read");
        assertThat(vault.refresh(id).get("refreshed").asInt()).as("the health check").isEqualTo(1);
        assertThat(vault.connection(id).get("status").asText()).isEqualTo("HEALTHY");

        String rotated = s2s.rotateHubSpotPrivateAppToken(token, Duration.ZERO);
        vault.refresh(id); // the health check
        JsonNode refused = vault.connection(id);
        assertThat(refused.get("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(refused.get("lastError").asText()).startsWith("token_refused: HubSpot refused the private app token");
        assertConduitRefused(exchange("hubspot", organizationId), 400, "invalid_target", "action_required",
                "HubSpot refused the private app token");

        HttpResponse<String> replaced = servers.replace(id, Map.of("access_token", rotated, "scopes", "crm.objects.contacts.read"));
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.body()).doesNotContain(rotated);
        assertThat(AppTokens.json(replaced).get("status").asText()).isEqualTo("HEALTHY");
        assertThat(ok(exchange("hubspot", organizationId)).get("access_token").asText()).isEqualTo(rotated);
        assertThat(servers.certificate(id).statusCode()).as("no certificate for a static token").isEqualTo(404);
    }

    @Test
    void aConsentConnectionIsNotReplacedByAServerOne() {
        String organizationId = organization("clash");
        String token = s2s.createHubSpotPrivateApp("4343", Set.of("crm.objects.contacts.read"));
        created(servers.create(organizationId, "hubspot", "hubspot-private-app",
                Map.of("access_token", token, "scopes", "crm.objects.contacts.read")));

        assertRefused(servers.create(organizationId, "hubspot", "hubspot-private-app",
                Map.of("access_token", token, "scopes", "crm.objects.contacts.read")), 409, "invalid_request",
                "disconnect it first");
        JsonNode kinds = servers.kinds();
        assertThat(kinds.toString()).contains("salesforce-jwt-bearer", "salesforce-client-credentials",
                "hubspot-private-app", "google-service-account", "consumer_key");
    }

    @Test
    void aNewKeyPairOverlapsWithThePreviousOneUntilItsCertificateIsUploaded() {
        String organizationId = organization("rotate");
        String consumerKey = "s2s-rotate-" + UUID.randomUUID();
        String username = Accounts.SALESFORCE_MARGARET.username();
        Map<String, String> input = Map.of("consumer_key", consumerKey, "username", username);
        JsonNode connection = created(servers.create(organizationId, "salesforce", "salesforce-jwt-bearer", input));
        String id = connection.get("id").asText();
        String oldCertificate = connection.at("/shown/certificate").asText();
        s2s.registerSalesforceJwtApp(consumerKey, oldCertificate, Set.of("api"), Set.of(username));
        String first = ok(exchange("salesforce", organizationId)).get("access_token").asText();

        HttpResponse<String> rotated = servers.replace(id, input);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.body()).doesNotContain("PRIVATE KEY");
        JsonNode view = AppTokens.json(rotated);
        String newCertificate = view.at("/shown/certificate").asText();
        assertThat(newCertificate).startsWith("-----BEGIN CERTIFICATE-----").isNotEqualTo(oldCertificate);
        assertThat(view.at("/shown/previous_certificate_sha256").asText())
                .isEqualTo(connection.at("/shown/certificate_sha256").asText());
        engine.resetCounts();

        // the new certificate is not at Salesforce yet: the previous key still mints
        String second = ok(exchange("salesforce", organizationId)).get("access_token").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(engine.tokenCalls(Provider.SALESFORCE, JWT_BEARER_GRANT)).as("the new key, then the previous").isEqualTo(2);
        assertThat(engine.mints(Provider.SALESFORCE, JWT_BEARER_GRANT)).isEqualTo(1);
        assertThat(vault.connection(id).at("/shown/previous_certificate_sha256").isMissingNode()).as("kept").isFalse();

        s2s.addSalesforceCertificate(consumerKey, newCertificate);
        vault.expireAccessToken(id);
        ok(exchange("salesforce", organizationId));
        assertThat(vault.connection(id).at("/shown/previous_certificate_sha256").isMissingNode())
                .as("dropped once the new key minted").isTrue();
        s2s.removeSalesforceCertificate(consumerKey, oldCertificate);
        vault.expireAccessToken(id);
        String alone = ok(exchange("salesforce", organizationId)).get("access_token").asText();
        assertThat(ServerConnectionsApi.apiCall(engine.instanceUrl() + SALESFORCE_QUERY, alone)).isEqualTo(200);
        assertThat(servers.dropPreviousKey(id).statusCode()).as("no previous key left").isEqualTo(404);
    }

    @Test
    void salesforceClientCredentialsMintOnlyAtTheOrgsMyDomain() {
        String organizationId = organization("cc");
        String consumerKey = "s2s-cc-" + UUID.randomUUID();
        String secret = Secrets.generate();
        s2s.registerSalesforceClientCredentialsApp(consumerKey, secret, Accounts.SALESFORCE_HEDY.username(), Set.of("api"));
        Map<String, String> input = Map.of("consumer_key", consumerKey, "consumer_secret", secret);

        // through the realm's login host (a generic one): Salesforce refuses, in words naming the fix
        HttpResponse<String> response = servers.create(organizationId, "salesforce", "salesforce-client-credentials", input);
        JsonNode generic = created(response);
        assertThat(response.body()).doesNotContain(secret);
        assertConduitRefused(exchange("salesforce", organizationId), 400, "invalid_target", "action_required", "My Domain");
        assertThat(vault.connection(generic.get("id").asText()).get("lastError").asText()).startsWith("not_my_domain");
        vault.disconnect(generic.get("id").asText());

        String alias = "salesforce-s2s-mydomain";
        String myDomain = s2s.registerSalesforceMyDomain("s2s-acme");
        env.admin().call("DELETE", REALM + "/identity-provider/instances/" + alias, null);
        HttpResponse<String> provider = env.admin().call("POST", REALM + "/identity-provider/instances", Map.of(
                "alias", alias, "providerId", "conduit-salesforce", "enabled", true, "config", Map.of(
                        "clientId", "unused-for-client-credentials", "clientSecret", "unused", "loginHost", myDomain,
                        "sessionLifetimeSeconds", "7200")));
        assertThat(provider.statusCode()).as(provider.body()).isEqualTo(201);
        String allowed = internalAppAttribute("conduit.exchange.providers");
        apps.setInternalAppAttribute("conduit.exchange.providers", allowed + " " + alias);
        try {
            JsonNode connection = created(servers.create(organizationId, alias, "salesforce-client-credentials", input));
            engine.resetCounts();
            JsonNode served = ok(exchange(alias, organizationId));
            assertThat(engine.mints(Provider.SALESFORCE, "client_credentials")).isEqualTo(1);
            assertThat(ServerConnectionsApi.apiCall(served.get("instance_url").asText() + SALESFORCE_QUERY,
                    served.get("access_token").asText())).isEqualTo(200);
            vault.disconnect(connection.get("id").asText());
            Await.until("the disconnect sent", () -> vault.connection(connection.get("id").asText()) == null);
            assertThat(engine.accessTokenActive(served.get("access_token").asText())).as("revoked").isFalse();
        } finally {
            apps.setInternalAppAttribute("conduit.exchange.providers", allowed);
            env.admin().call("DELETE", REALM + "/identity-provider/instances/" + alias, null);
        }
    }

    @Test
    void googleDelegationMintsOncePerWorkspaceUserAndRefusesUsersOutsideTheDomain() throws Exception {
        String organizationId = organization("google");
        String scope = "https://www.googleapis.com/auth/calendar.readonly";
        var serviceAccount = s2s.registerGoogleServiceAccount("s2s-" + UUID.randomUUID().toString().substring(0, 8),
                "conduit", "acme.example", Set.of(scope));
        HttpResponse<String> response = servers.create(organizationId, "google", "google-service-account",
                Map.of("service_account_key", serviceAccount.jsonKeyFile(), "domain", "acme.example", "scopes", scope));
        JsonNode connection = created(response);
        String id = connection.get("id").asText();
        assertThat(response.body()).doesNotContain("PRIVATE KEY");
        assertThat(connection.at("/shown/client_email").asText()).isEqualTo(serviceAccount.clientEmail());

        Map<String, String> calendar = Map.of("audience", "google", "organization", organizationId, "scope", "calendar.read");
        String inDomain = workspaceMember("s2s-google-betty", Accounts.GOOGLE_BETTY.email(), organizationId);
        engine.resetCounts();
        List<JsonNode> answers = concurrently(20, () -> ok(apps.exchange(inDomain, calendar)));
        Set<String> tokens = new HashSet<>();
        answers.forEach(answer -> tokens.add(answer.get("access_token").asText()));
        assertThat(tokens).as("one token for the user").hasSize(1);
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER_GRANT)).as("mints for 20 concurrent exchanges").isEqualTo(1);
        assertThat(answers.get(0).get("account_id").asText()).isEqualTo(Accounts.GOOGLE_BETTY.email());
        assertThat(ServerConnectionsApi.apiCall(env.sandbox().baseUrl() + "/google/calendar/v3/calendars/primary/events",
                tokens.iterator().next())).isEqualTo(200);

        // another Workspace user gets a token of their own
        String other = workspaceMember("s2s-google-chien", Accounts.GOOGLE_CHIEN.email(), organizationId);
        assertThat(ok(apps.exchange(other, calendar)).get("access_token").asText()).isNotIn(tokens);
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER_GRANT)).isEqualTo(2);

        // a member outside the Workspace domain is refused before any mint; one Google does not know, by Google
        String outside = workspaceMember("s2s-google-outsider", "outsider@elsewhere.example", organizationId);
        assertConduitRefused(apps.exchange(outside, calendar), 400, "invalid_target", "not_connected",
                "outside the Workspace domain acme.example");
        String unknown = workspaceMember("s2s-google-unknown", "nobody@acme.example", organizationId);
        assertConduitRefused(apps.exchange(unknown, calendar), 400, "invalid_target", "not_connected",
                "Google does not know this Workspace user");
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER_GRANT)).isEqualTo(2);
        assertThat(vault.connection(id).get("status").asText()).as("the others are served still").isEqualTo("HEALTHY");
        assertThat(ok(apps.exchange(inDomain, calendar)).get("access_token").asText()).isIn(tokens);

        // the delegation withdrawn in the Workspace admin console: an admin must act
        s2s.delegateGoogleScopes(serviceAccount.clientEmail(), Set.of());
        String third = workspaceMember("s2s-google-alonzo", Accounts.GOOGLE_ALONZO.email(), organizationId);
        assertConduitRefused(apps.exchange(third, calendar), 400, "invalid_target", "action_required",
                "Google refused the delegation");
        assertThat(vault.connection(id).get("status").asText()).isEqualTo("ACTION_REQUIRED");
        try (Connection db = env.database("the storage scan")) {
            List<String> secrets = new ArrayList<>(tokens);
            secrets.addAll(ServerConnectionsApi.pemBodyLines(ServerConnectionsApi.pem("PRIVATE KEY",
                    serviceAccount.privateKey().getEncoded())));
            assertThat(new StorageScan(db).holding(secrets)).as("columns holding a Google token or key in clear").isEmpty();
        }
    }

    /** A member of the organization with this verified e-mail; their access token. */
    private String workspaceMember(String username, String email, String organizationId) {
        googleUsers.add(username);
        organizations.deleteUser(username);
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of(
                "username", username, "email", email, "emailVerified", true, "enabled", true,
                "firstName", username, "lastName", "Test",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        organizations.addMember(organizationId, username);
        return apps.passwordLogin(username, password);
    }

    private String internalAppAttribute(String name) {
        String id = env.admin().get(REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
        return env.admin().get(REALM + "/clients/" + id).path("attributes").path(name).asText();
    }

}
