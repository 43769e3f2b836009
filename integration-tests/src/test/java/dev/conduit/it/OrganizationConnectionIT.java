package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
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
    private final Organizations organizations = new Organizations(env, password);
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
            organizations.createUser(name);
        }
        for (String name : List.of("org-admin", "member-one", "member-two", "plain-member")) {
            organizations.addMember(organizationId, name);
        }
        organizations.grantOrgAdmin(organizationId, "org-admin");
    }

    @AfterAll
    void cleanUp() {
        for (String name : List.of("org-admin", "member-one", "member-two", "outsider", "plain-member")) {
            organizations.deleteUser(name);
        }
    }

    @Test
    void anOrganizationConnectionServesMembersOnlyAndSurvivesTheAdminsRemoval() {
        BrowserSession.Page end = organizations.connect("org-admin", "salesforce", "acme", Accounts.SALESFORCE_ANNIE);
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
        assertRefused(outsider, 400, "invalid_target", "No such organization among the subject's organizations");
        assertThat(outsider.body()).doesNotContain(one);

        // the internal app's own service account reaches the organization's connection only once an admin allowed it
        String serviceToken = AppTokens.json(apps.post(env.realmUrl() + "/protocol/openid-connect/token",
                Map.of("grant_type", "client_credentials"), AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret())))
                .get("access_token").asText();
        assertRefused(apps.exchange(serviceToken, ACME_SALESFORCE), 400, "invalid_target",
                "No such organization among the subject's organizations");
        apps.setInternalAppAttribute("conduit.exchange.organizations", "acme");
        try {
            assertThat(ok(apps.exchange(serviceToken, ACME_SALESFORCE)).get("access_token").asText()).isEqualTo(one);
            assertRefused(apps.exchange(serviceToken, Map.of("audience", "salesforce", "organization", "globex")), 400,
                    "invalid_target", "No such organization among the subject's organizations");
        } finally {
            apps.setInternalAppAttribute("conduit.exchange.organizations", "");
        }

        HttpResponse<String> ownInstead = apps.exchange(apps.passwordLogin("member-one", password), Map.of("audience", "salesforce"));
        assertConduitRefused(ownInstead, 400, "invalid_target", "not_connected", "No salesforce connection for this user; connect it first");

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
    void aMemberWhoIsNotAConduitAdminOfTheOrganizationCannotConnectForIt() {
        BrowserSession.Page end = organizations.connect("plain-member", "salesforce", "acme", Accounts.SALESFORCE_KATHERINE);

        assertThat(end.endedAtApp() && end.callbackParameter("code") != null).isFalse();
        assertThat(end.body()).doesNotContain("Exception");
        String userId = env.admin().userIdByUsername(REALM, "plain-member");
        assertThat(vault.connection("USER", userId, "salesforce")).isNull();
        for (JsonNode connection : vault.connectionsOf("ORGANIZATION", organizationId)) {
            assertThat(connection.get("connectedBy").asText()).isNotEqualTo(userId);
        }
    }

    @Test
    void deletingAnOrganizationRevokesItsConnectionAtTheProvider() {
        String alias = "conduit-it-globex";
        String globexId = organizations.create(alias, "Globex", "globex.example");
        organizations.createUser("globex-admin");
        organizations.addMember(globexId, "globex-admin");
        organizations.grantOrgAdmin(globexId, "globex-admin");
        var engine = env.sandbox().engine();
        java.util.Set<String> before = new java.util.HashSet<>(engine.issuedTokens());

        assertThat(organizations.connect("globex-admin", "hubspot", alias, Accounts.HUBSPOT_FRANCES).endedAtApp()).isTrue();
        JsonNode connection = vault.connection("ORGANIZATION", globexId, "hubspot");
        assertThat(connection).isNotNull();
        assertThat(connection.get("organizationId").asText()).as("the HubSpot hub id").isEqualTo(Accounts.HUBSPOT_HUB);
        String refreshToken = engine.issuedTokens().stream().filter(t -> !before.contains(t) && t.startsWith("na1-"))
                .findFirst().orElseThrow();
        engine.resetCounts();

        assertThat(env.admin().call("DELETE", REALM + "/organizations/" + globexId, null).statusCode()).isEqualTo(204);

        // parked by the removal, sent by the scheduled task (the admin refresh runs the same retry)
        assertThat(engine.calls(Provider.HUBSPOT, dev.conduit.sandbox.Endpoint.REVOKE)).as("no call during the removal").isZero();
        assertThat(engine.refreshTokenActive(refreshToken)).isTrue();
        vault.refresh(connection.get("id").asText());
        assertThat(engine.calls(Provider.HUBSPOT, dev.conduit.sandbox.Endpoint.REVOKE)).isEqualTo(1);
        assertThat(engine.refreshTokenActive(refreshToken)).isFalse();
        assertThat(vault.connection(connection.get("id").asText())).isNull();
        organizations.deleteUser("globex-admin");
    }


}
