package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.KeycloakLogin;
import dev.conduit.it.support.StoredTokenRealms;
import dev.conduit.it.support.StoredTokenSeed;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The connections console's "Migrate stored tokens" in a real (headless) Chromium: in a realm of its own, a storing
 * {@code oidc} broker switched to the Conduit Salesforce broker, two users linked with stored tokens; the master admin
 * signs in to the console (whose tokens carry manage-identity-providers, never manage-realm) and clicks the broker's button; the page shows the run's figures (waited for on the page,
 * whether the answer comes at once or is polled), and the columns are cleared. Screenshot:
 * {@code target/screenshots/console-migrate-*.png}.
 */
class StoredTokenMigrationConsoleIT {

    private static final int USERS = 2;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final StoredTokenRealms realms = new StoredTokenRealms(env);
    private WebDriver driver;

    @BeforeEach
    void startBrowser() {
        driver = Chromium.start();
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    @Test
    void anAdminMigratesABrokersStoredTokensFromTheConsole() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String realm = "s27swc-" + tag;
        String alias = "salesforce";
        HttpResponse<String> created = env.admin().call("POST", "", Map.of("realm", realm, "enabled", true));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String realmId = env.admin().get(realm).get("id").asText();
        try (Connection db = realms.database()) {
            realms.plainOidcWithStoreTokens(realm, alias);
            List<String> userIds = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                String userId = realms.createUser(realm, "s27swc-" + i + "-" + tag, "s27swc-" + UUID.randomUUID());
                realms.link(realm, userId, alias, i == 0 ? Accounts.SALESFORCE_MARGARET : Accounts.SALESFORCE_KATHERINE);
                StoredTokenRealms.setStoredToken(db, userId, alias,
                        realms.tokenResponse("s27swc-at-" + i + "-" + tag, "s27swc-rt-" + i + "-" + tag));
                userIds.add(userId);
            }
            realms.switchToConduitSalesforce(realm, alias);

            // the master's console client reaches a realm created after it, also when it signed someone in before
            // (ServerConnectionsConsoleIT's sign-in used to leave it without this realm's roles)
            String consoleId = env.admin().get("master/clients?clientId=conduit-console").get(0).get("id").asText();
            String realmAdminClient = env.admin().get("master/clients?clientId=" + realm + "-realm").get(0).get("id").asText();
            Await.until("the master console's scope in " + realm, Duration.ofSeconds(10),
                    () -> env.admin().get("master/clients/" + consoleId + "/scope-mappings/clients/" + realmAdminClient)
                            .findValuesAsText("name").contains("manage-identity-providers"));
            driver.get(env.keycloakUrl() + "/realms/master/conduit-console/?realm=" + realm);
            WebDriverWait wait = Chromium.wait(driver);
            KeycloakLogin.signInAsMasterAdmin(driver, wait, env);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "Signed in as admin"));

            By migrate = By.cssSelector("#stored-tokens button[data-alias=" + alias + "]");
            try {
                wait.until(ExpectedConditions.elementToBeClickable(migrate)).click();
            } catch (org.openqa.selenium.TimeoutException e) {
                Chromium.screenshot(driver, "console-migrate-0-no-button");
                throw new AssertionError("no Migrate button for " + alias + "; the page shows: " + figuresText(driver), e);
            }
            // the figures on the page: "2 migrated ... 0 remaining" (or "Migrated: 2"), as an answer or once polled
            wait.withMessage(() -> "the figures, on a page showing: " + figuresText(driver))
                    .until(d -> shows(d, "migrated", USERS) && shows(d, "remaining", 0));
            Chromium.screenshot(driver, "console-migrate-1-figures");

            for (String userId : userIds) {
                assertThat(StoredTokenRealms.storedToken(db, userId, alias)).as("the column of " + userId).isNull();
            }
            JsonNode progress = env.admin().get(realm + "/conduit-vault/stored-tokens/" + alias);
            assertThat(progress.get("state").asText()).isEqualTo("FINISHED");
            assertThat(progress.get("migrated").asLong()).isEqualTo(USERS);
            assertThat(progress.get("remaining").asLong()).isZero();
            assertThat(driver.getPageSource()).doesNotContain("s27swc-at-", "s27swc-rt-");
        } finally {
            env.admin().call("DELETE", realm, null);
            // the removal parked the made-up tokens' revocations: not for later suites to send
            try (Connection db = realms.database()) {
                StoredTokenSeed.forgetParkedRevocations(db, realmId);
            }
        }
    }

    /** Whether the stored-token section or the alerts show {@code count} next to {@code word}, either way round. */
    private static boolean shows(WebDriver page, String word, int count) {
        String text = figuresText(page);
        return Pattern.compile("(?i)(\\b" + count + "\\s+" + word + "\\b|\\b" + word + "\\W{0,3}" + count + "\\b)").matcher(text).find();
    }

    private static String figuresText(WebDriver page) {
        return page.findElement(By.id("alerts")).getText() + "\n" + page.findElement(By.id("stored-tokens")).getText();
    }
}
