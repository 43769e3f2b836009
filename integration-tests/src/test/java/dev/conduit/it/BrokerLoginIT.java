package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.Test;

/**
 * Logins through each provider, browser-style, against the real Keycloak distribution and the sandbox: a new
 * user gets a Keycloak session and a federated link, and the upstream grant reaches Conduit's handover.
 */
class BrokerLoginIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final VaultApi vault = new VaultApi(env);
    private final BrokerFlows flows = new BrokerFlows(env);

    private BrowserSession.Page freshLogin(String alias, Account account) {
        env.admin().deleteUserByEmail(REALM, account.email());
        return flows.login(new BrowserSession(), alias, account);
    }

    private String linkedUser(String alias, Account account) {
        String userId = env.admin().userIdByEmail(REALM, account.email());
        assertThat(userId).as("Keycloak user for %s", account.email()).isNotNull();
        JsonNode links = env.admin().federatedIdentities(REALM, userId);
        assertThat(links.findValuesAsText("identityProvider")).contains(alias);
        for (JsonNode link : links) {
            if (alias.equals(link.get("identityProvider").asText())) {
                assertThat(link.get("userId").asText()).isEqualTo(account.userId());
            }
        }
        return userId;
    }

    @Test
    void salesforceLoginCreatesLinkedUserAndKeepsOrgIdAndInstanceUrl() {
        int codeRedemptions = env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code");
        BrowserSession browser = new BrowserSession();
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_CHARLES.email());
        BrowserSession.Page consent = flows.openConsent(browser, "salesforce");
        assertThat(consent.uri().getQuery()).contains("code_challenge_method=S256").contains("code_challenge=")
                .contains("scope=api+refresh_token+openid").doesNotContain("full");

        BrowserSession.Page end = flows.completeKeycloakPages(browser,
                flows.allow(browser, consent, Accounts.SALESFORCE_CHARLES), Accounts.SALESFORCE_CHARLES);

        assertThat(end.endedAtApp()).as("login ended at the app").isTrue();
        assertThat(end.callbackParameter("code")).isNotBlank();
        assertThat(env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code")).isEqualTo(codeRedemptions + 1);
        String userId = linkedUser("salesforce", Accounts.SALESFORCE_CHARLES);
        JsonNode connection = vault.connection("USER", userId, "salesforce");
        assertThat(connection).isNotNull();
        assertThat(connection.get("organizationId").asText()).isEqualTo(Accounts.SALESFORCE_ORG);
        assertThat(connection.get("accountId").asText()).isEqualTo(Accounts.SALESFORCE_CHARLES.userId());
        assertThat(connection.get("instanceUrl").asText()).isEqualTo(env.sandbox().engine().instanceUrl());
        assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();
        assertThat(connection.get("expiresAt").asLong() - connection.get("issuedAt").asLong()).isEqualTo(7200);
        assertThat(connection.get("scopes").toString()).contains("api", "refresh_token");
        assertThat(connection.toString()).doesNotContain("access_token").doesNotContain("refreshToken\"");
    }

    @Test
    void hubspotLoginCreatesLinkedUserWithHubIdAndGrantedScopesReadBack() {
        BrowserSession browser = new BrowserSession();
        env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_GRACE.email());
        BrowserSession.Page consent = flows.openConsent(browser, "hubspot");
        assertThat(consent.uri().getQuery()).contains("optional_scope=crm.objects.deals.read+crm.schemas.deals.read");

        BrowserSession.Page end = flows.completeKeycloakPages(browser,
                flows.allow(browser, consent, Accounts.HUBSPOT_GRACE), Accounts.HUBSPOT_GRACE);

        assertThat(end.endedAtApp()).isTrue();
        String userId = linkedUser("hubspot", Accounts.HUBSPOT_GRACE);
        JsonNode connection = vault.connection("USER", userId, "hubspot");
        assertThat(connection.get("organizationId").asText()).isEqualTo(Accounts.HUBSPOT_HUB);
        assertThat(connection.get("scopes").toString())
                .contains("crm.objects.contacts.read", "crm.objects.deals.read")
                .doesNotContain("crm.schemas.deals.read");
        assertThat(connection.get("expiresAt").asLong() - connection.get("issuedAt").asLong()).isEqualTo(1800);
        assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();
    }

    @Test
    void googleLoginAsksOfflineAccessAndKeepsWorkspaceDomainAndRefreshToken() {
        BrowserSession browser = new BrowserSession();
        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_ALAN.email());
        BrowserSession.Page consent = flows.openConsent(browser, "google");
        assertThat(consent.uri().getQuery()).contains("access_type=offline", "include_granted_scopes=true",
                "code_challenge_method=S256", "nonce=");

        BrowserSession.Page page = flows.allow(browser, consent, Accounts.GOOGLE_ALAN);
        if (page.document().selectFirst("form#consent") != null) {
            // the sandbox already issued a refresh token to this account earlier in the run: Conduit asks again
            page = flows.allow(browser, page, Accounts.GOOGLE_ALAN);
        }
        BrowserSession.Page end = flows.completeKeycloakPages(browser, page, Accounts.GOOGLE_ALAN);

        assertThat(end.endedAtApp()).isTrue();
        String userId = linkedUser("google", Accounts.GOOGLE_ALAN);
        JsonNode connection = vault.connection("USER", userId, "google");
        assertThat(connection.get("organizationId").asText()).isEqualTo("acme.example");
        assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();
        assertThat(connection.get("scopes").toString()).contains("openid", "email", "profile");
    }

    @Test
    void googleReconsentYieldsARefreshTokenWhenConduitHoldsNone() {
        // Deleting the user revokes Conduit's grant at Google, which ends the consent too. The account then consents
        // once more outside Keycloak (Google records that a refresh token was issued), so the next login through
        // Keycloak gets none unless Conduit, holding none for this user, asks with prompt=consent.
        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_ALAN.email());
        consentAtGoogleOutsideKeycloak(Accounts.GOOGLE_ALAN);
        int prompts = env.sandbox().engine().consentPrompts(Provider.GOOGLE);
        BrowserSession browser = new BrowserSession();

        BrowserSession.Page again = flows.allow(browser, flows.openConsent(browser, "google"), Accounts.GOOGLE_ALAN);

        assertThat(again.document().selectFirst("form#consent")).as("asked for consent again").isNotNull();
        assertThat(again.uri().getQuery()).contains("prompt=consent");
        assertThat(env.sandbox().engine().consentPrompts(Provider.GOOGLE)).isEqualTo(prompts + 1);
        BrowserSession.Page end = flows.completeKeycloakPages(browser, flows.allow(browser, again, Accounts.GOOGLE_ALAN),
                Accounts.GOOGLE_ALAN);
        assertThat(end.endedAtApp()).isTrue();
        String userId = linkedUser("google", Accounts.GOOGLE_ALAN);
        assertThat(vault.connection("USER", userId, "google").get("hasRefreshToken").asBoolean()).isTrue();
    }

    private void consentAtGoogleOutsideKeycloak(Account account) {
        var client = env.client(Provider.GOOGLE);
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page consent = browser.openOnce(env.sandbox().baseUrl() + "/google/o/oauth2/v2/auth?response_type=code"
                + "&client_id=" + URLEncoder.encode(client.clientId(), StandardCharsets.UTF_8)
                + "&redirect_uri=" + URLEncoder.encode(client.redirectUris().get(0), StandardCharsets.UTF_8)
                + "&scope=openid%20email%20profile&access_type=offline&state=elsewhere");
        BrowserSession.Page answer = browser.submitOnce(consent, "form#consent", Map.of("account", account.userId(),
                "decision", "allow"));
        assertThat(answer.redirectedTo()).contains("code=");
    }
}
