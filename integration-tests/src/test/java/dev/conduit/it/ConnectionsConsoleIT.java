package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.ConsoleSignIn;
import dev.conduit.it.support.KeycloakLogin;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The connections console in a real (headless) Chromium: an admin signs in through Keycloak's own login, finds a
 * user's Salesforce connection, sees its status, forces a refresh and disconnects it (the sandbox sees the refresh
 * and the revocation); an organization admin connects HubSpot for the organization (and confirms on Conduit's page),
 * a member who is not its admin gets no connect action; a person whose connection was
 * revoked reconnects and grants more access; the admin console's own "Identity provider links" tab still unlinks,
 * and that revokes; the Connect buttons and the provider filter are the realm's enabled Conduit brokers, whatever
 * their aliases, and a display name with HTML stays text. Screenshots go to {@code target/screenshots/console-*.png}.
 */
class ConnectionsConsoleIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final String password = Secrets.generate();
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeEach
    void startBrowser() {
        driver = Chromium.start();
        wait = Chromium.wait(driver); // the table is re-rendered after every action
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    @Test
    void anAdminFindsAUsersSalesforceConnectionRefreshesItAndDisconnectsIt() {
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_MARIE.email());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), "salesforce", Accounts.SALESFORCE_MARIE).endedAtApp()).isTrue();
        String userId = env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_MARIE.email());
        String username = env.admin().get(REALM + "/users/" + userId).get("username").asText();
        VaultApi vault = new VaultApi(env);
        assertThat(vault.connectionsOf("USER", userId)).hasSize(1);

        // the master realm's admin manages the demo realm; the console signs in through Keycloak's login page
        driver.get(env.keycloakUrl() + "/realms/master/conduit-console/?realm=" + REALM);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        Chromium.screenshot(driver, "console-1-keycloak-login");
        KeycloakLogin.signInAsMasterAdmin(driver, wait, env);

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Signed in as admin"));
        wait.until(d -> !d.findElements(By.cssSelector(".conduit-count")).isEmpty());
        Chromium.screenshot(driver, "console-2-connections");

        driver.findElement(By.id("filter-user")).sendKeys(username);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#filter-provider option[value=salesforce]")));
        // the demo realm's Conduit brokers (other tests add some of their own to it; exactly: theButtonsAndTheFilter...)
        assertThat(optionValues()).startsWith("").contains("google", "hubspot", "salesforce")
                .doesNotContain(ConduitEnvironment.GOOGLE_STORED_ALIAS);
        new Select(driver.findElement(By.id("filter-provider"))).selectByValue("salesforce");
        driver.findElement(By.id("search")).click();
        By row = By.cssSelector("#connections tbody tr[data-provider=salesforce]");
        // the rows of this search, not of the unfiltered list the page loaded first
        wait.until(d -> String.valueOf(d.findElement(By.id("connections")).getAttribute("data-query")).contains("provider=salesforce")
                && d.findElements(row).size() == 1 && d.findElement(row).getText().contains("user " + username));
        WebElement connection = driver.findElement(row);
        assertThat(connection.findElement(By.cssSelector("[data-field=status]")).getText()).isEqualTo("HEALTHY");
        // the admin view keeps the vault's words (account id, raw scopes) and names the account as Salesforce does
        assertThat(connection.getText()).contains(Accounts.SALESFORCE_MARIE.userId()).contains("api")
                .contains(Accounts.SALESFORCE_MARIE.displayName()).contains(Accounts.SALESFORCE_MARIE.email());
        assertThat(driver.getPageSource()).doesNotContain("refresh_token\":").doesNotContain("access_token\":");
        Chromium.screenshot(driver, "console-3-user-salesforce-connection");

        int refreshesBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        connection.findElement(By.cssSelector("button[data-action=refresh]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-alert=success]")));
        assertThat(driver.findElement(By.id("alerts")).getText()).contains("Refreshed");
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(refreshesBefore + 1);
        wait.until(d -> d.findElements(row).size() == 1);
        Chromium.screenshot(driver, "console-4-refreshed");

        int revocationsBefore = sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE);
        driver.findElement(row).findElement(By.cssSelector("button[data-action=disconnect]")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("alerts"), "Disconnected"));
        wait.until(d -> d.findElements(row).isEmpty() && d.findElement(By.id("empty")).isDisplayed());
        Chromium.screenshot(driver, "console-5-disconnected");
        // sent after the disconnect committed
        Await.until("the revocation reaches Salesforce",
                () -> sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE) >= revocationsBefore + 1);
        assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).isEqualTo(revocationsBefore + 1);
        assertThat(vault.connectionsOf("USER", userId)).isEmpty();

        // the disconnect is an admin event
        assertThat(env.admin().get(REALM + "/admin-events?operationTypes=DELETE&resourceTypes=CUSTOM").toString())
                .contains("conduit-vault/connections/");
    }

    @Test
    void anOrganizationAdminConnectsHubSpotForTheOrganization() {
        Organizations organizations = new Organizations(env, password);
        String organizationId = organizations.create("console-org", "Console Org", "console-org.example");
        organizations.createUser("olivia");
        organizations.addMember(organizationId, "olivia");
        organizations.grantOrgAdmin(organizationId, "olivia");
        try {
            driver.get(env.realmUrl() + "/conduit-console/?organization=console-org");
            signInWithPassword("olivia");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("organization-connect")));
            // an organization admin is no realm admin: the organization's own list (empty yet) and the connect action
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("subtitle"), "You are a Conduit admin"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("mine-empty")));
            Chromium.screenshot(driver, "console-6-organization-connect");

            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("button[data-connect=hubspot]")));
            assertThat(connectButtons()).contains("google", "hubspot", "salesforce")
                    .doesNotContain(ConduitEnvironment.GOOGLE_STORED_ALIAS);
            assertThat(driver.findElement(By.cssSelector("button[data-connect=hubspot]")).getText())
                    .isEqualTo("Connect HubSpot for this organization");
            driver.findElement(By.cssSelector("button[data-connect=hubspot]")).click();
            confirmLinkAndConsent(Accounts.HUBSPOT_EMMY);
            // Conduit's confirmation names the organization, the provider, the account and what it replaces
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("conduit-org-connect")));
            assertThat(driver.findElement(By.id("conduit-organization")).getText()).isEqualTo("Console Org (console-org)");
            assertThat(driver.findElement(By.id("conduit-provider")).getText()).containsIgnoringCase("hubspot");
            assertThat(driver.findElement(By.id("conduit-account")).getText()).contains(Accounts.HUBSPOT_EMMY.userId());
            assertThat(driver.findElement(By.id("conduit-replaces")).getText()).isEqualTo("none");
            Chromium.screenshot(driver, "console-7-organization-confirm");
            driver.findElement(By.id("conduit-confirm")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("alerts"),
                    "Connected HubSpot for organization console-org."));
            wait.until(d -> d.findElements(By.cssSelector("#my-connections tbody tr[data-provider=hubspot]")).size() == 1);
            Chromium.screenshot(driver, "console-7-organization-connected");

            JsonNode connection = new VaultApi(env).connection("ORGANIZATION", organizationId, "hubspot");
            assertThat(connection).isNotNull();
            assertThat(connection.get("accountId").asText()).isEqualTo(Accounts.HUBSPOT_EMMY.userId());
            assertThat(connection.get("status").asText()).isEqualTo("HEALTHY");
        } finally {
            organizations.delete("console-org");
            organizations.deleteUser("olivia");
        }
    }

    @Test
    void aMemberWhoIsNotAConduitAdminOfTheOrganizationGetsNoConnectAction() {
        Organizations organizations = new Organizations(env, password);
        String organizationId = organizations.create("console-org2", "Console Org 2", "console-org2.example");
        organizations.createUser("oscar");
        organizations.addMember(organizationId, "oscar");
        try {
            driver.get(env.realmUrl() + "/conduit-console/?organization=console-org2");
            signInWithPassword("oscar");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("subtitle"), "not a Conduit admin"));
            assertThat(driver.findElement(By.id("organization-connect")).isDisplayed()).isFalse();
            assertThat(driver.findElement(By.id("mine")).isDisplayed()).isFalse();
        } finally {
            organizations.delete("console-org2");
            organizations.deleteUser("oscar");
        }
    }

    @Test
    void aPersonWhoseConnectionWasRevokedSeesReconnectAndReconnects() {
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_ROSALIND.email());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), "salesforce", Accounts.SALESFORCE_ROSALIND).endedAtApp()).isTrue();
        String userId = env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_ROSALIND.email());
        String username = env.admin().get(REALM + "/users/" + userId).get("username").asText();
        env.admin().setPassword(REALM, userId, password);
        VaultApi vault = new VaultApi(env);
        String connectionId = vault.connection("USER", userId, "salesforce").get("id").asText();
        // Salesforce no longer honours the refresh token (revoked there, e.g. by the user in Salesforce's settings)
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.TOKEN, Fault.status(400,
                "{\"error\":\"invalid_grant\",\"error_description\":\"expired access/refresh token\"}"), 1);
        vault.refresh(connectionId);
        assertThat(vault.connection(connectionId).get("status").asText()).isEqualTo("RECONNECT_REQUIRED");

        JsonNode refused = vault.connection(connectionId);
        // the admin API keeps the vault's words: the raw code and scopes, beside the account's name
        assertThat(refused.get("lastError").asText()).startsWith("invalid_grant (HTTP 400)");
        assertThat(refused.get("scopes").toString()).contains("api").contains("refresh_token");
        assertThat(refused.get("accountName").asText()).isEqualTo(Accounts.SALESFORCE_ROSALIND.displayName());
        assertThat(refused.get("accountEmail").asText()).isEqualTo(Accounts.SALESFORCE_ROSALIND.email());
        String refusedOn = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH)
                .format(Instant.ofEpochSecond(refused.get("statusChangedAt").asLong()).atZone(ZoneOffset.UTC));

        // the person's own connections, as the page reads them: in people's words, and never a token
        JsonNode mine = new ConsoleSignIn(env).myConnections(username, password);
        assertThat(mine).hasSize(1);
        JsonNode own = mine.get(0);
        assertThat(own.get("providerName").asText()).isEqualTo("Salesforce");
        assertThat(own.get("accountName").asText()).isEqualTo(Accounts.SALESFORCE_ROSALIND.displayName());
        assertThat(own.get("accountEmail").asText()).isEqualTo(Accounts.SALESFORCE_ROSALIND.email());
        assertThat(own.get("action").asText()).isEqualTo("reconnect");
        assertThat(own.get("permissions").toString()).contains("{\"name\":\"crm.contacts.read\",\"label\":\"Read CRM contacts\"}");
        assertThat(own.get("scopes").toString()).contains("api");
        for (String token : sandbox.issuedTokens()) {
            assertThat(mine.toString().contains(token)).as("my connections' JSON holds an upstream token").isFalse();
        }
        for (String token : sandbox.issuedTokens()) {
            assertThat(refused.toString().contains(token)).as("the admin JSON holds an upstream token").isFalse();
        }
        assertThat(mine.toString()).doesNotContain("accessToken").doesNotContain("refreshToken");

        driver.get(env.realmUrl() + "/conduit-console/?mine");
        signInWithPassword(username);
        By row = By.cssSelector("#my-connections tbody tr[data-provider=salesforce]");
        wait.until(d -> d.findElements(row).size() == 1);
        WebElement mineRow = driver.findElement(row);
        assertThat(mineRow.findElement(By.cssSelector("[data-field=status]")).getText()).isEqualTo("Needs you: reconnect");
        assertThat(mineRow.findElement(By.cssSelector("[data-field=provider-name]")).getText()).isEqualTo("Salesforce");
        assertThat(mineRow.findElement(By.cssSelector(".conduit-mark")).getText()).isEqualTo("S");
        assertThat(mineRow.findElement(By.cssSelector("[data-field=account-name]")).getText())
                .isEqualTo(Accounts.SALESFORCE_ROSALIND.displayName());
        assertThat(mineRow.findElement(By.cssSelector("[data-field=account-email]")).getText())
                .isEqualTo(Accounts.SALESFORCE_ROSALIND.email());
        // what happened and what to do, in place of the vault's code; the account id and raw scopes are tucked away
        assertThat(mineRow.findElement(By.cssSelector("[data-field=summary]")).getText())
                .startsWith("Salesforce stopped accepting this connection on " + refusedOn + " (")
                .contains("Reconnect to continue.");
        WebElement since = mineRow.findElement(By.cssSelector("[data-field=status-since]"));
        assertThat(since.getText()).matches("(\\d+ \\w+ ago|just now)");
        assertThat(since.getAttribute("title")).isNotBlank();
        assertThat(mineRow.findElement(By.cssSelector("[data-permission='crm.contacts.read']")).getText())
                .isEqualTo("Read CRM contacts");
        assertThat(mineRow.getText()).doesNotContain("invalid_grant").doesNotContain(Accounts.SALESFORCE_ROSALIND.userId())
                .doesNotContain("refresh_token");
        assertThat(mineRow.findElement(By.cssSelector("[data-field=last-refresh]")).getText()).matches("(\\d+ \\w+ ago|just now|yesterday|\\w+ ago)");
        assertThat(mineRow.findElement(By.cssSelector("[data-field=last-refresh]")).getAttribute("title")).isNotBlank();
        WebElement reconnectButton = mineRow.findElement(By.cssSelector("button[data-action=reconnect]"));
        assertThat(reconnectButton.isDisplayed()).isTrue();
        assertThat(reconnectButton.getAttribute("class")).contains("pf-m-primary");
        mineRow.findElement(By.cssSelector("[data-field=technical] summary")).click();
        wait.until(d -> d.findElement(row).findElement(By.cssSelector("[data-field=scopes]")).isDisplayed());
        assertThat(driver.findElement(row).findElement(By.cssSelector("[data-field=scopes]")).getText()).contains("api")
                .contains("refresh_token");
        assertThat(driver.findElement(row).findElement(By.cssSelector("[data-field=status-code]")).getText())
                .contains("RECONNECT_REQUIRED").contains("invalid_grant");
        assertThat(driver.findElement(row).findElement(By.name("scopes")).isDisplayed()).isFalse();
        Chromium.screenshot(driver, "console-8-my-connections-reconnect");

        driver.findElement(row).findElement(By.cssSelector("button[data-action=reconnect]")).click();
        confirmLinkAndConsent(Accounts.SALESFORCE_ROSALIND);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("alerts"), "Reconnected Salesforce."));
        wait.until(d -> "Connected".equals(d.findElement(row).findElement(By.cssSelector("[data-field=status]")).getText()));
        wait.until(d -> d.findElement(row).findElement(By.cssSelector("[data-field=summary]")).getText()
                .startsWith("Connected: apps you allow reach Salesforce through it."));
        Chromium.screenshot(driver, "console-9-my-connections-reconnected");
        assertThat(vault.connection(connectionId).get("status").asText()).isEqualTo("HEALTHY");

        // incremental authorization: the person asks Salesforce for one more scope, merged into the record; chatter_api
        // is no Conduit permission's scope, so the administrator allows it on the provider (else it is dropped)
        JsonNode salesforce = env.admin().identityProvider(REALM, "salesforce");
        com.fasterxml.jackson.databind.node.ObjectNode allowing = salesforce.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) allowing.get("config")).put("conduitExtraScopesAllowed", "chatter_api");
        assertThat(env.admin().call("PUT", REALM + "/identity-provider/instances/salesforce", allowing).statusCode()).isEqualTo(204);
        try {
            driver.findElement(row).findElement(By.cssSelector("button[data-action=grant-more]")).click();
            WebElement scopes = driver.findElement(row).findElement(By.name("scopes"));
            wait.until(ExpectedConditions.visibilityOf(scopes)).sendKeys("chatter_api");
            scopes.submit();
            confirmLinkAndConsent(Accounts.SALESFORCE_ROSALIND);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("alerts"), "Asked Salesforce for more access."));
            wait.until(d -> {
                WebElement again = d.findElement(row);
                if (!again.findElement(By.cssSelector("[data-field=scopes]")).isDisplayed()) {
                    again.findElement(By.cssSelector("[data-field=technical] summary")).click();
                }
                return again.findElement(By.cssSelector("[data-field=scopes]")).getText().contains("chatter_api");
            });
        } finally {
            env.admin().call("PUT", REALM + "/identity-provider/instances/salesforce", salesforce);
        }
        Chromium.screenshot(driver, "console-10-my-connections-more-access");
        assertThat(vault.connection(connectionId).get("scopes").toString()).contains("chatter_api").contains("api");
    }

    @Test
    void unlinkingInTheAdminConsolesIdentityProviderLinksTabStillWorksAndRevokes() {
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_LISE.email());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), "salesforce", Accounts.SALESFORCE_LISE).endedAtApp()).isTrue();
        String userId = env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_LISE.email());
        VaultApi vault = new VaultApi(env);
        assertThat(vault.connectionsOf("USER", userId)).hasSize(1);

        driver.get(env.keycloakUrl() + "/admin/master/console/#/" + REALM + "/users/" + userId + "/identity-provider-links");
        KeycloakLogin.signInAsMasterAdmin(driver, wait, env);
        By unlink = By.xpath("//button[normalize-space()='Unlink account']");
        wait.until(ExpectedConditions.elementToBeClickable(unlink));
        Chromium.screenshot(driver, "console-11-admin-console-identity-provider-links");

        int revocationsBefore = sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE);
        driver.findElement(unlink).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[data-testid=confirm]"))).click();
        wait.until(d -> env.admin().federatedIdentities(REALM, userId).isEmpty());
        Chromium.screenshot(driver, "console-12-admin-console-unlinked");
        // sent after the disconnect committed
        Await.until("the revocation reaches Salesforce",
                () -> sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE) >= revocationsBefore + 1);
        assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).isEqualTo(revocationsBefore + 1);
        assertThat(vault.connectionsOf("USER", userId)).isEmpty();
    }

    /**
     * A realm whose Conduit brokers have other aliases than the demo's: {@code sf-eu} (Salesforce, its display name set
     * by Mallory, an identity-provider admin, to HTML), {@code gws} (Google, no display name), {@code hs-off} (HubSpot,
     * disabled) and {@code plain-oidc} (Keycloak's own {@code oidc}). The organization page's Connect buttons and the
     * admin filter list exactly the two enabled Conduit brokers, and Mallory's markup shows as text: no element made.
     */
    @Test
    void theButtonsAndTheFilterAreTheRealmsEnabledConduitBrokersAndAnHtmlDisplayNameStaysText() {
        String realm = "console-aliases";
        String mallorysName = "<img src=x onerror=\"window.conduitPwned=1\">EU";
        env.admin().call("DELETE", realm, null);
        expect201(env.admin().call("POST", "", java.util.Map.of("realm", realm, "enabled", true, "organizationsEnabled", true)));
        try {
            expect201(identityProviderLike(realm, "salesforce", "sf-eu", mallorysName, true));
            expect201(identityProviderLike(realm, "google", "gws", "", true));
            expect201(identityProviderLike(realm, "hubspot", "hs-off", "HubSpot off", false));
            expect201(env.admin().call("POST", realm + "/identity-provider/instances",
                    new dev.conduit.it.support.RealmSetup(env.admin()).plainGoogleProvider("plain-oidc", "plain", "plain-secret")));
            Organizations organizations = new Organizations(env, password, realm);
            String organizationId = organizations.create("aliases-org", "Aliases Org", "aliases-org.example");
            organizations.createUser("ottilie");
            organizations.addMember(organizationId, "ottilie");
            organizations.grantOrgAdmin(organizationId, "ottilie");
            grantRealmManagementRole(realm, "ottilie", "view-identity-providers");

            driver.get(env.keycloakUrl() + "/realms/" + realm + "/conduit-console/?organization=aliases-org");
            signInWithPassword("ottilie");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("organization-connect")));
            wait.until(d -> !connectButtons().isEmpty());
            Chromium.screenshot(driver, "console-13-other-aliases-organization");
            assertThat(connectButtons()).containsExactly("gws", "sf-eu");
            assertThat(driver.findElement(By.cssSelector("button[data-connect=sf-eu]")).getText())
                    .isEqualTo("Connect " + mallorysName + " (sf-eu) for this organization");
            assertThat(driver.findElement(By.cssSelector("button[data-connect=gws]")).getText())
                    .isEqualTo("Connect Google (gws) for this organization");
            assertNothingInjected();

            // Ottilie is also an admin of the realm (view-identity-providers): its connections list and provider filter
            driver.get(env.keycloakUrl() + "/realms/" + realm + "/conduit-console/");
            wait.until(d -> optionValues().size() > 1 || !d.findElements(By.cssSelector("[data-alert]")).isEmpty());
            Chromium.screenshot(driver, "console-14-other-aliases-filter");
            assertThat(driver.findElement(By.id("alerts")).getText()).as("the page's alerts").isEmpty();
            assertThat(optionValues()).containsExactly("", "gws", "sf-eu");
            assertThat(driver.findElement(By.cssSelector("#filter-provider option[value=sf-eu]")).getAttribute("textContent"))
                    .isEqualTo(mallorysName + " (sf-eu)");
            assertNothingInjected();
        } finally {
            env.admin().call("DELETE", realm, null);
        }
    }

    /** Mallory's display name made no element and ran nothing. */
    private void assertNothingInjected() {
        assertThat(driver.findElements(By.cssSelector("img"))).isEmpty();
        assertThat(((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return window.conduitPwned === undefined"))
                .isEqualTo(true);
    }

    /** Creates in {@code realm} a copy of the demo realm's identity provider {@code demoAlias}, under another alias. */
    private HttpResponse<String> identityProviderLike(String realm, String demoAlias, String alias, String displayName,
            boolean enabled) {
        var idp = (com.fasterxml.jackson.databind.node.ObjectNode) env.admin().identityProvider(REALM, demoAlias).deepCopy();
        idp.remove("internalId");
        idp.put("alias", alias);
        idp.put("displayName", displayName);
        idp.put("enabled", enabled);
        return env.admin().call("POST", realm + "/identity-provider/instances", idp);
    }

    private void grantRealmManagementRole(String realm, String username, String role) {
        String management = env.admin().get(realm + "/clients?clientId=realm-management").get(0).get("id").asText();
        JsonNode roleRep = env.admin().get(realm + "/clients/" + management + "/roles/" + role);
        HttpResponse<String> granted = env.admin().call("POST", realm + "/users/" + env.admin().userIdByUsername(realm, username)
                + "/role-mappings/clients/" + management, java.util.List.of(java.util.Map.of("id", roleRep.get("id").asText(),
                "name", role)));
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(204);
    }

    private static void expect201(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private java.util.List<String> connectButtons() {
        return driver.findElements(By.cssSelector("#organization-connect-actions button[data-connect]")).stream()
                .map(button -> button.getAttribute("data-connect")).toList();
    }

    private java.util.List<String> optionValues() {
        return new Select(driver.findElement(By.id("filter-provider"))).getOptions().stream()
                .map(option -> option.getAttribute("value")).toList();
    }

    /** Keycloak's login for a realm user: identity-first (username, then password) or both at once. */
    private void signInWithPassword(String username) {
        KeycloakLogin.signIn(driver, wait, username, password);
    }

    /** Keycloak may confirm the link first; then the provider's consent as {@code account}. */
    private void confirmLinkAndConsent(Account account) {
        wait.until(d -> !d.findElements(By.id("consent")).isEmpty() || !d.findElements(By.id("kc-continue")).isEmpty());
        if (!driver.findElements(By.id("kc-continue")).isEmpty()) {
            driver.findElement(By.id("kc-continue")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("consent")));
        }
        new Select(driver.findElement(By.id("account"))).selectByValue(account.userId());
        driver.findElement(By.id("allow")).click();
    }

    @Test
    void theConsolePageIsLockedDownAndTheClientOnlyRedirectsToIt() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(env.keycloakUrl() + "/realms/" + REALM + "/conduit-console/")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        // Keycloak adds the realm's own policy as well; a browser enforces both
        assertThat(page.headers().allValues("Content-Security-Policy"))
                .anySatisfy(policy -> assertThat(policy).contains("script-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(page.headers().allValues("Content-Security-Policy")).as("the realm's policy does not replace the page's").hasSize(1);
        assertThat(page.body()).contains("data-client-id=\"conduit-console\"");

        var client = env.admin().get(REALM + "/clients?clientId=conduit-console").get(0);
        assertThat(client.get("publicClient").asBoolean()).isTrue();
        assertThat(client.get("directAccessGrantsEnabled").asBoolean()).isFalse();
        assertThat(client.get("attributes").get("pkce.code.challenge.method").asText()).isEqualTo("S256");
        // Keycloak refuses a login that would send the code anywhere else
        HttpResponse<String> foreign = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                env.realmUrl() + "/protocol/openid-connect/auth?client_id=conduit-console&response_type=code"
                        + "&redirect_uri=https%3A%2F%2Fattacker.example%2F&code_challenge=abc&code_challenge_method=S256"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(foreign.body()).contains("Invalid parameter: redirect_uri");

        // a person's own connections are readable only with a token of theirs issued to their own pages, or to a
        // client given conduit.own-connections.read (the demo app; any other app: OwnConnectionsClientAttackIT)
        String mine = env.realmUrl() + "/conduit-my-connections";
        assertThat(get(mine, null).statusCode()).isEqualTo(401);
        assertThat(get(mine, "not-a-token").statusCode()).isEqualTo(401);
        String appToken = new AppTokens(env).passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());
        assertThat(get(mine, appToken).statusCode()).as("the demo app, which has the attribute").isEqualTo(200);
    }

    private static HttpResponse<String> get(String url, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
