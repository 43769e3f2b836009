package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.ConduitEnvironment;
import org.junit.jupiter.api.Test;

/** The demo realm export imports into the real server as a working realm, with no secret in clear. */
class DemoRealmIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();

    @Test
    void realmFileHoldsNoClientSecretInClear() throws IOException {
        JsonNode realm = AdminApi.mapper().readTree(Files.readString(
                Path.of(System.getProperty("conduit.realm.file", "../realm-exports/conduit-demo-realm.json"))));
        for (JsonNode idp : realm.get("identityProviders")) {
            assertThat(idp.get("config").get("clientSecret").asText()).as(idp.get("alias").asText()).startsWith("${vault.");
            assertThat(idp.get("storeToken").asBoolean()).isFalse();
        }
        for (JsonNode client : realm.get("clients")) {
            assertThat(client.has("secret")).as(client.get("clientId").asText()).isFalse();
        }
        for (JsonNode user : realm.get("users")) {
            assertThat(user.has("credentials")).isFalse();
        }
    }

    @Test
    void importedRealmHasTheThreeConduitBrokersTheOrganizationAndTheInternalClient() {
        JsonNode idps = env.admin().get(REALM + "/identity-provider/instances");
        assertThat(idps.findValuesAsText("providerId")).contains("conduit-salesforce", "conduit-hubspot", "conduit-google");

        JsonNode orgs = env.admin().get(REALM + "/organizations?search=acme");
        assertThat(orgs.findValuesAsText("alias")).contains("acme");
        String acme = orgs.get(0).get("id").asText();
        assertThat(env.admin().get(REALM + "/organizations/" + acme + "/groups?search=conduit-admins&exact=true")
                .findValuesAsText("name")).as("the organization group of acme's Conduit admins").containsExactly("conduit-admins");
        assertThat(env.admin().call("GET", REALM + "/roles/conduit-org-admin", null).statusCode()).isEqualTo(404);

        JsonNode clients = env.admin().get(REALM + "/clients?clientId=conduit-internal-app");
        assertThat(clients).hasSize(1);
        assertThat(clients.get(0).get("publicClient").asBoolean()).isFalse();
        assertThat(clients.get(0).get("serviceAccountsEnabled").asBoolean()).isTrue();
    }

    @Test
    void theDemoAppClientReturnsToTheDemoAppAndMayReadPeoplesOwnConnections() {
        JsonNode app = env.admin().get(REALM + "/clients?clientId=" + ConduitEnvironment.APP_CLIENT).get(0);
        assertThat(app.get("publicClient").asBoolean()).isTrue();
        assertThat(app.get("directAccessGrantsEnabled").asBoolean()).isFalse();
        assertThat(app.get("attributes").get("pkce.code.challenge.method").asText()).isEqualTo("S256");
        assertThat(app.get("redirectUris")).extracting(JsonNode::asText).contains("http://localhost:8090/callback");
        assertThat(app.get("attributes").get("conduit.own-connections.read").asText()).isEqualTo("true");
        assertThat(app.get("optionalClientScopes")).extracting(JsonNode::asText).contains("organization");
        // the internal client, which holds a secret, reads nobody's connections list
        JsonNode internal = env.admin().get(REALM + "/clients?clientId=conduit-internal-app").get(0);
        assertThat(internal.get("attributes").has("conduit.own-connections.read")).isFalse();
    }

    /**
     * The second Salesforce identity provider, for the Acme organization's client credentials connection (the vault
     * holds one connection per organization and alias; {@code salesforce} holds its JWT bearer one): its login host is
     * the org's My Domain (client credentials work there only), it stays off the login page, and the internal app may
     * exchange for it.
     */
    @Test
    void salesforceSyncIsASecondSalesforceAtTheOrgsMyDomainForServerConnections() {
        JsonNode sync = env.admin().identityProvider(REALM, "salesforce-sync");
        assertThat(sync.get("providerId").asText()).isEqualTo("conduit-salesforce");
        assertThat(sync.get("enabled").asBoolean()).isTrue();
        assertThat(sync.get("hideOnLogin").asBoolean()).as("not a login button").isTrue();
        assertThat(sync.at("/config/loginHost").asText()).endsWith("/salesforce/my/acme");
        JsonNode internal = env.admin().get(REALM + "/clients?clientId=conduit-internal-app").get(0);
        assertThat(internal.at("/attributes/conduit.exchange.providers").asText().split(" "))
                .contains("salesforce", "salesforce-sync", "hubspot", "google");
    }

    @Test
    void brokersAreListedWithTheirSettingsForTheAdminConsole() {
        JsonNode providers = env.admin().get(REALM + "/identity-provider/providers/conduit-salesforce");
        assertThat(providers.toString()).contains("loginHost", "Login host");
    }
}
