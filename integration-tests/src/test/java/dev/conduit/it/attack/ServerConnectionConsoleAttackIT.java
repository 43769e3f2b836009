package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.KeycloakLogin;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.RealmAdmins;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Attackers at the console's server connections (issue 15). Valerie may only view identity providers (and find the
 * organization): the page shows her the organization's server connections without a control to create, rotate,
 * refresh or disconnect, and the admin API refuses each of those when she calls it herself, changing nothing.
 * Mallory put markup into what the page shows of a connection (a Salesforce "username" that is an element with an
 * onerror handler, as an admin who pasted it or a compromised admin tool would): it renders as text, no element, no
 * script run.
 */
class ServerConnectionConsoleAttackIT {

    private static final String VALERIE = "server-console-valerie";
    private static final String ORGANIZATION = "server-console-attack";
    private static final String MALLORYS_USERNAME = "<img/src=x/onerror=window.conduitPwned=1>@evil.example";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final String password = Secrets.generate();
    private final RealmAdmins admins = new RealmAdmins(env, password);
    private final Organizations organizations = new Organizations(env, password);
    private final VaultApi vault = new VaultApi(env);
    private final ServerConnectionsApi servers = new ServerConnectionsApi(env.admin(), REALM);
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeEach
    void startBrowser() {
        driver = Chromium.start();
        wait = Chromium.waitOnConsole(driver);
    }

    @AfterEach
    void cleanUp() {
        driver.quit();
        String id = organizations.idOf(ORGANIZATION);
        if (id != null) {
            for (JsonNode connection : vault.connectionsOf("ORGANIZATION", id)) {
                vault.disconnect(connection.get("id").asText());
                Await.until("the disconnect sent", () -> vault.connection(connection.get("id").asText()) == null);
            }
            organizations.delete(ORGANIZATION);
        }
        admins.delete(REALM, VALERIE);
    }

    @Test
    @DisplayName("a viewer sees no create, rotate, refresh or disconnect control, the API refuses each, and markup shown stays text")
    void aViewerGetsNoControlsTheApiRefusesHerAndMallorysMarkupStaysText() {
        String organizationId = organizations.idOf(ORGANIZATION) != null ? organizations.idOf(ORGANIZATION)
                : organizations.create(ORGANIZATION, "Server console attack", "server-console-attack.example");
        HttpResponse<String> created = servers.create(organizationId, "salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", "console-attack-" + UUID.randomUUID(), "username", MALLORYS_USERNAME));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = AppTokens.json(created).get("id").asText();
        JsonNode before = vault.connection(id);
        admins.create(REALM, VALERIE, "view-identity-providers", "query-organizations", "view-organizations");

        driver.get(env.realmUrl() + "/conduit-console/?organization=" + ORGANIZATION);
        KeycloakLogin.signIn(driver, wait, VALERIE, password);

        By row = By.cssSelector("#server-connections tbody tr[data-connection-id='" + id + "']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(row));
        Chromium.screenshot(driver, "server-console-7-viewer");
        WebElement shown = driver.findElement(row);
        // Mallory's markup: the very text, in its cell; no element made, nothing run
        assertThat(shown.findElement(By.cssSelector("[data-shown=username]")).getText()).isEqualTo(MALLORYS_USERNAME);
        assertThat(driver.findElements(By.cssSelector("img"))).isEmpty();
        assertThat(((JavascriptExecutor) driver).executeScript("return window.conduitPwned === undefined")).isEqualTo(true);

        // Valerie: the certificate to download, nothing that changes a thing
        assertThat(shown.findElements(By.cssSelector("button[data-action=download-certificate]"))).hasSize(1);
        assertThat(shown.findElements(By.cssSelector("button[data-action=replace-credential], button[data-action=refresh],"
                + " button[data-action=disconnect], button[data-action=drop-previous-key]"))).isEmpty();
        assertThat(driver.findElement(By.id("server-create")).isDisplayed()).as("no create form").isFalse();
        // nor in the page's list of all the organization's connections
        By listed = By.cssSelector("#connections tbody tr[data-connection-id='" + id + "']");
        wait.until(ExpectedConditions.presenceOfElementLocated(listed));
        assertThat(driver.findElement(listed).findElements(By.cssSelector("button"))).as("Refresh, Disconnect").isEmpty();

        // ... and the API refuses her each of them, changing nothing
        String token = admins.token(REALM, VALERIE);
        String base = REALM + "/conduit-vault";
        String body = AdminApi.mapper().valueToTree(Map.of("alias", "hubspot", "kind", "hubspot-private-app",
                "input", Map.of("access_token", "pat-na1-" + UUID.randomUUID(), "scopes", "crm.objects.contacts.read"))).toString();
        assertForbidden(admins.call(token, "POST", base + "/organizations/" + organizationId + "/server-connections", body));
        assertForbidden(admins.call(token, "PUT", base + "/connections/" + id + "/credential",
                "{\"input\":{\"consumer_key\":\"mallory\",\"username\":\"mallory@evil.example\"}}"));
        assertForbidden(admins.call(token, "POST", base + "/connections/" + id + "/refresh", null));
        assertForbidden(admins.call(token, "DELETE", base + "/connections/" + id + "/previous-key", null));
        assertForbidden(admins.call(token, "DELETE", base + "/connections/" + id, null));
        assertThat(vault.connectionsOf("ORGANIZATION", organizationId)).as("no connection added or removed").hasSize(1);
        JsonNode after = vault.connection(id);
        assertThat(after.get("shown")).as("the credential unchanged").isEqualTo(before.get("shown"));
        assertThat(after.get("lastRefreshAt")).isEqualTo(before.get("lastRefreshAt"));
        assertThat(after.get("status")).isEqualTo(before.get("status"));
    }

    /** Keycloak's own refusal of an admin call the roles do not allow. */
    private static void assertForbidden(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
    }
}
