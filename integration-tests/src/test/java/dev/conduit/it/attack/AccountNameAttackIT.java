package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.ConsoleSignIn;
import dev.conduit.it.support.KeycloakLogin;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Attacker: Eve, a realm user who controls her own Salesforce account's name. She names it with markup
 * ({@code <img src=x onerror=...>}), a right-to-left override, an isolate, a newline and 400 more characters, and links
 * it from the connections console. The name is the provider's text: Conduit keeps it without control or bidi
 * characters and bounded, shows it on her page and in the admin view as text (no element of hers in the page, no
 * script of hers run), and never writes it raw into Keycloak's log. Nothing else of hers changes: her connection is
 * an ordinary one.
 */
class AccountNameAttackIT {

    private static final String USERNAME = "eve-hostile";
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final Account eve = Accounts.SALESFORCE_EVE_HOSTILE;
    private final String password = Secrets.generate();
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeEach
    void startBrowser() {
        driver = Chromium.start();
        wait = Chromium.wait(driver);
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    @Test
    @DisplayName("Eve's Salesforce account named <img onerror> with bidi and newline characters reaches pages as text, cleaned and bounded, never raw in the log")
    void eveCannotInjectMarkupOrControlCharactersThroughHerAccountsName() throws IOException {
        String userId = createEve();
        long logBefore = Files.size(env.logFile());

        // Eve links her Salesforce account from the console (kc_action=idp_link), as its Connect buttons do
        ConsoleSignIn console = new ConsoleSignIn(env);
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = console.logIn(browser, browser.open(console.authorizationUrl("&kc_action=idp_link:salesforce")),
                USERNAME, password);
        if (page.document().selectFirst("button#kc-continue") != null) {
            page = browser.submit(page, "form:has(button#kc-continue)", Map.of("continue", ""));
        }
        assertThat(page.document().selectFirst("form#consent")).as("the sandbox's consent page (%s)", page.uri()).isNotNull();
        page = browser.submit(page, "form#consent", Map.of("account", eve.userId(), "decision", "allow"));
        assertThat(ConsoleSignIn.parameter(page.uri(), "kc_action_status")).as("linked (%s)", page.uri()).isEqualTo("success");

        // stored and served cleaned: no control, bidi or line-breaking character, bounded, the markup only as text
        String expectedStart = "<img src=x onerror=\"document.title='pwned'\"> conduit-hostile-name Admin";
        JsonNode admin = new VaultApi(env).connection("USER", userId, "salesforce");
        JsonNode own = console.myConnections(console.accessToken(page)).get(0);
        for (JsonNode connection : List.of(admin, own)) {
            String name = connection.get("accountName").asText();
            assertThat(name).startsWith(expectedStart).endsWith("\u2026").doesNotContain("\u202e").doesNotContain("\u2066")
                    .doesNotContain("\n");
            assertThat(name.length()).isLessThanOrEqualTo(200);
            assertThat(connection.get("accountEmail").asText()).isEqualTo(eve.email());
            assertThat(connection.get("accountId").asText()).isEqualTo(eve.userId());
        }
        assertThat(own.get("status").asText()).isEqualTo("HEALTHY");

        // her page: the name as text, no element or script of hers
        driver.get(env.realmUrl() + "/conduit-console/?mine");
        signIn(USERNAME, password);
        By row = By.cssSelector("#my-connections tbody tr[data-provider=salesforce]");
        wait.until(d -> d.findElements(row).size() == 1);
        WebElement shown = driver.findElement(row).findElement(By.cssSelector("[data-field=account-name]"));
        assertThat(shown.getText()).startsWith(expectedStart);
        assertHarmless("#my-connections");
        Chromium.screenshot(driver, "attack-account-name-mine");

        // the admin view: the same name, as text too
        driver.manage().deleteAllCookies();
        driver.get(env.keycloakUrl() + "/realms/master/conduit-console/?realm=" + REALM + "&user=" + userId);
        signIn("admin", env.adminPassword());
        By adminRow = By.cssSelector("#connections tbody tr[data-provider=salesforce]");
        wait.until(d -> d.findElements(adminRow).size() == 1);
        assertThat(driver.findElement(adminRow).findElement(By.cssSelector("[data-field=account-name]")).getText())
                .startsWith(expectedStart);
        assertThat(driver.findElement(adminRow).getText()).contains(eve.userId());
        assertHarmless("#connections");

        // the log: never the raw name (Conduit logs ids, not names); any line naming it holds it escaped and bounded
        for (String line : appendedLog(logBefore)) {
            assertThat(line).doesNotContain("\u202e").doesNotContain("\u2066");
            if (line.contains("conduit-hostile-name")) {
                assertThat(line).doesNotContain("B".repeat(300));
            }
        }
    }

    private void assertHarmless(String table) {
        assertThat(driver.findElements(By.cssSelector(table + " img"))).as("an element of Eve's in the page").isEmpty();
        assertThat(driver.getTitle()).isEqualTo("Conduit connections");
        Object injected = ((JavascriptExecutor) driver).executeScript(
                "return document.querySelectorAll('" + table + " [onerror]').length;");
        assertThat(((Number) injected).intValue()).isZero();
    }

    private String createEve() {
        String existing = env.admin().userIdByUsername(REALM, USERNAME);
        if (existing != null) {
            env.admin().call("DELETE", REALM + "/users/" + existing, null);
        }
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of(
                "username", USERNAME, "email", USERNAME + "@members.example", "emailVerified", true, "enabled", true,
                "firstName", "Eve", "lastName", "Hostile",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return env.admin().userIdByUsername(REALM, USERNAME);
    }

    private void signIn(String username, String secret) {
        KeycloakLogin.signIn(driver, wait, username, secret);
    }

    private List<String> appendedLog(long from) throws IOException {
        byte[] all = Files.readAllBytes(env.logFile());
        int start = (int) Math.min(from, all.length);
        List<String> lines = new ArrayList<>();
        for (String line : new String(all, start, all.length - start, StandardCharsets.UTF_8).split("\n", -1)) {
            lines.add(line);
        }
        return lines;
    }
}
