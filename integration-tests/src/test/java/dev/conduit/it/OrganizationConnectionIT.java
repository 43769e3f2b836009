package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An organization admin connects Salesforce once for the organization (account linking with
 * {@code conduit_organization}); members' apps then get that connection's tokens through the exchange,
 * non-members do not, and the connection outlives the admin who made it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrganizationConnectionIT {

    private static final Map<String, String> ACME_SALESFORCE = Map.of("audience", "salesforce", "organization", "acme");

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final String password = Secrets.generate();
    private String organizationId;

    @BeforeAll
    void people() {
        for (JsonNode organization : env.admin().get(REALM + "/organizations")) {
            if ("acme".equals(organization.get("alias").asText())) {
                organizationId = organization.get("id").asText();
            }
        }
        assertThat(organizationId).as("the demo realm's organization acme").isNotNull();
        for (String name : List.of("org-admin", "member-one", "member-two", "outsider", "plain-member")) {
            deleteUser(name);
            createUser(name);
        }
        grantOrgAdmin("org-admin");
        for (String name : List.of("org-admin", "member-one", "member-two", "plain-member")) {
            addMember(name);
        }
    }

    @AfterAll
    void cleanUp() {
        for (String name : List.of("org-admin", "member-one", "member-two", "outsider", "plain-member")) {
            deleteUser(name);
        }
    }

    @Test
    void anOrganizationConnectionServesMembersOnlyAndSurvivesTheAdminsRemoval() {
        BrowserSession.Page end = linkForOrganization("org-admin", Accounts.SALESFORCE_ANNIE);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        String adminId = env.admin().userIdByUsername(REALM, "org-admin");

        JsonNode connection = vault.connection("ORGANIZATION", organizationId, "salesforce");
        assertThat(connection).isNotNull();
        assertThat(connection.get("connectedBy").asText()).isEqualTo(adminId);
        assertThat(connection.get("accountId").asText()).isEqualTo(Accounts.SALESFORCE_ANNIE.userId());
        assertThat(vault.connection("USER", adminId, "salesforce")).as("not the admin's own connection").isNull();

        String one = ok(apps.exchange(apps.passwordLogin("member-one", password), ACME_SALESFORCE)).get("access_token").asText();
        String two = ok(apps.exchange(apps.passwordLogin("member-two", password), ACME_SALESFORCE)).get("access_token").asText();
        assertThat(one).isEqualTo(two);
        assertThat(env.sandbox().engine().accessTokenActive(one)).isTrue();

        HttpResponse<String> outsider = apps.exchange(apps.passwordLogin("outsider", password), ACME_SALESFORCE);
        assertThat(outsider.statusCode()).isEqualTo(400);
        assertThat(AppTokens.json(outsider).get("error").asText()).isEqualTo("invalid_target");
        assertThat(outsider.body()).doesNotContain(one);

        // the internal app's own service account reaches the organization's connection only once an admin allowed it
        String serviceToken = AppTokens.json(apps.post(env.realmUrl() + "/protocol/openid-connect/token",
                Map.of("grant_type", "client_credentials"), AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret())))
                .get("access_token").asText();
        assertThat(apps.exchange(serviceToken, ACME_SALESFORCE).statusCode()).isEqualTo(400);
        setInternalAppAttribute("conduit.exchange.organizations", "acme");
        try {
            assertThat(ok(apps.exchange(serviceToken, ACME_SALESFORCE)).get("access_token").asText()).isEqualTo(one);
            assertThat(apps.exchange(serviceToken, Map.of("audience", "salesforce", "organization", "globex")).statusCode())
                    .isEqualTo(400);
        } finally {
            setInternalAppAttribute("conduit.exchange.organizations", "");
        }

        HttpResponse<String> ownInstead = apps.exchange(apps.passwordLogin("member-one", password), Map.of("audience", "salesforce"));
        assertThat(ownInstead.statusCode()).isEqualTo(400);
        assertThat(AppTokens.json(ownInstead).get("conduit_error").asText()).isEqualTo("not_connected");

        env.admin().call("DELETE", REALM + "/users/" + adminId, null);

        assertThat(vault.connection(connection.get("id").asText())).as("survives the admin's removal").isNotNull();
        vault.expireAccessToken(connection.get("id").asText());
        env.sandbox().engine().resetCounts();
        String afterRemoval = ok(apps.exchange(apps.passwordLogin("member-two", password), ACME_SALESFORCE))
                .get("access_token").asText();
        assertThat(afterRemoval).isNotEqualTo(one);
        assertThat(env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(1);
    }

    @Test
    void aMemberWithoutTheOrgAdminRoleCannotConnectForTheOrganization() {
        BrowserSession.Page end = linkForOrganization("plain-member", Accounts.SALESFORCE_KATHERINE);

        assertThat(end.endedAtApp() && end.callbackParameter("code") != null).isFalse();
        assertThat(end.body()).doesNotContain("Exception");
        String userId = env.admin().userIdByUsername(REALM, "plain-member");
        assertThat(vault.connection("USER", userId, "salesforce")).isNull();
        for (JsonNode connection : vault.connectionsOf("ORGANIZATION", organizationId)) {
            assertThat(connection.get("connectedBy").asText()).isNotEqualTo(userId);
        }
    }

    private BrowserSession.Page linkForOrganization(String username, Account account) {
        return linkForOrganization(username, "salesforce", "acme", account);
    }

    private BrowserSession.Page linkForOrganization(String username, String alias, String organization, Account account) {
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = browser.open(env.appLoginUrl(null) + "&kc_action=idp_link:" + alias
                + "&conduit_organization=" + organization);
        for (int step = 0; step < 3 && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", username, "password", password));
        }
        if (page.document().selectFirst("button#kc-continue") != null) {
            page = browser.submit(page, "form:has(button#kc-continue)", Map.of("continue", ""));
        }
        assertThat(page.document().selectFirst("form#consent")).as(page.body()).isNotNull();
        return new BrokerFlows(env).allow(browser, page, account);
    }

    @Test
    void deletingAnOrganizationRevokesItsConnectionAtTheProvider() {
        String alias = "conduit-it-globex";
        HttpResponse<String> created = env.admin().call("POST", REALM + "/organizations", Map.of(
                "name", "Globex", "alias", alias, "enabled", true,
                "domains", List.of(Map.of("name", "globex.example"))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String globexId = created.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1)).orElseThrow();
        deleteUser("globex-admin");
        createUser("globex-admin");
        grantOrgAdmin("globex-admin");
        HttpResponse<String> added = env.admin().call("POST", REALM + "/organizations/" + globexId + "/members",
                env.admin().userIdByUsername(REALM, "globex-admin"));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        var engine = env.sandbox().engine();
        java.util.Set<String> before = new java.util.HashSet<>(engine.issuedTokens());

        assertThat(linkForOrganization("globex-admin", "hubspot", alias, Accounts.HUBSPOT_FRANCES).endedAtApp()).isTrue();
        JsonNode connection = vault.connection("ORGANIZATION", globexId, "hubspot");
        assertThat(connection).isNotNull();
        assertThat(connection.get("organizationId").asText()).as("the HubSpot hub id").isEqualTo(Accounts.HUBSPOT_HUB);
        String refreshToken = engine.issuedTokens().stream().filter(t -> !before.contains(t) && t.startsWith("na1-"))
                .findFirst().orElseThrow();
        engine.resetCounts();

        assertThat(env.admin().call("DELETE", REALM + "/organizations/" + globexId, null).statusCode()).isEqualTo(204);

        assertThat(engine.calls(Provider.HUBSPOT, dev.conduit.sandbox.Endpoint.REVOKE)).isEqualTo(1);
        assertThat(engine.refreshTokenActive(refreshToken)).isFalse();
        assertThat(vault.connection(connection.get("id").asText())).isNull();
        deleteUser("globex-admin");
    }

    @SuppressWarnings("unchecked")
    private void setInternalAppAttribute(String name, String value) {
        String id = env.admin().get(REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
        Map<String, Object> client = AdminApi.mapper().convertValue(env.admin().get(REALM + "/clients/" + id), Map.class);
        Map<String, Object> attributes = new java.util.LinkedHashMap<>((Map<String, Object>) client.get("attributes"));
        attributes.put(name, value);
        client.put("attributes", attributes);
        assertThat(env.admin().call("PUT", REALM + "/clients/" + id, client).statusCode()).isEqualTo(204);
    }

    private void createUser(String name) {
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of(
                "username", name, "email", name + "@members.example", "emailVerified", true, "enabled", true,
                "firstName", name, "lastName", "Test",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private void deleteUser(String name) {
        String id = env.admin().userIdByUsername(REALM, name);
        if (id != null) {
            env.admin().call("DELETE", REALM + "/users/" + id, null);
        }
    }

    private void grantOrgAdmin(String name) {
        JsonNode role = env.admin().get(REALM + "/roles/conduit-org-admin");
        HttpResponse<String> granted = env.admin().call("POST", REALM + "/users/" + env.admin().userIdByUsername(REALM, name)
                + "/role-mappings/realm", List.of(AdminApiMaps.of(role)));
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(204);
    }

    private void addMember(String name) {
        HttpResponse<String> added = env.admin().call("POST", REALM + "/organizations/" + organizationId + "/members",
                env.admin().userIdByUsername(REALM, name));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    }

    private static final class AdminApiMaps {
        static Map<String, Object> of(JsonNode role) {
            return Map.of("id", role.get("id").asText(), "name", role.get("name").asText());
        }
    }
}
