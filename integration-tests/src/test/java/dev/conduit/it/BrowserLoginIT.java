package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person in a real (headless) Chromium: the account console's login page shows the three providers; a click,
 * the sandbox's consent, and they are in their account console with the provider linked.
 */
class BrowserLoginIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final VaultApi vault = new VaultApi(env);
    private WebDriver driver;

    @BeforeEach
    void startBrowser() {
        driver = Chromium.start();
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    static Stream<Arguments> providers() {
        return Stream.of(
                Arguments.of("salesforce", "Salesforce", Accounts.SALESFORCE_CHARLES),
                Arguments.of("hubspot", "HubSpot", Accounts.HUBSPOT_GRACE),
                Arguments.of("google", "Google", Accounts.GOOGLE_ALAN));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("providers")
    void personLogsInToTheAccountConsoleThroughTheProvider(String alias, String displayName, Account account) {
        env.admin().deleteUserByEmail(REALM, account.email());
        WebDriverWait wait = Chromium.wait(driver);

        driver.get(env.realmUrl() + "/account");
        WebElement button = wait.until(ExpectedConditions.elementToBeClickable(By.id("social-" + alias)));
        assertThat(button.getText()).contains(displayName);
        Chromium.screenshot(driver, alias + "-1-keycloak-login");
        button.click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("consent")));
        assertThat(driver.getCurrentUrl()).startsWith(env.sandbox().baseUrl() + "/" + alias);
        new Select(driver.findElement(By.id("account"))).selectByValue(account.userId());
        Chromium.screenshot(driver, alias + "-2-provider-consent");
        driver.findElement(By.id("allow")).click();

        // Google may ask once more for consent (no refresh token held); HubSpot gives no names, so Keycloak
        // asks the person to complete the profile.
        for (int step = 0; step < 3 && !inAccountConsole(); step++) {
            wait.until(d -> inAccountConsole() || !d.findElements(By.id("consent")).isEmpty()
                    || !d.findElements(By.name("firstName")).isEmpty());
            if (!driver.findElements(By.id("consent")).isEmpty()) {
                new Select(driver.findElement(By.id("account"))).selectByValue(account.userId());
                driver.findElement(By.id("allow")).click();
            } else if (!driver.findElements(By.name("firstName")).isEmpty()) {
                fill("firstName", account.givenName());
                fill("lastName", account.familyName());
                Chromium.screenshot(driver, alias + "-3-review-profile");
                driver.findElement(By.cssSelector("form [type=submit]")).click();
            }
        }

        wait.until(d -> inAccountConsole());
        // the account console (a React app) has rendered the signed-in person's page
        wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath("//*[contains(text(), 'Personal info')]")));
        Chromium.screenshot(driver, alias + "-4-account-console");
        String userId = env.admin().userIdByEmail(REALM, account.email());
        assertThat(userId).isNotNull();
        assertThat(env.admin().federatedIdentities(REALM, userId).findValuesAsText("identityProvider")).contains(alias);
        assertThat(vault.connection("USER", userId, alias)).isNotNull();
    }

    private boolean inAccountConsole() {
        String url = driver.getCurrentUrl();
        return url.startsWith(env.realmUrl() + "/account") && !url.contains("/login-actions/");
    }

    private void fill(String name, String value) {
        WebElement field = driver.findElement(By.name(name));
        field.clear();
        field.sendKeys(value);
    }
}
