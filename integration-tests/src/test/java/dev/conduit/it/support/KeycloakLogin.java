package dev.conduit.it.support;

import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Keycloak's own login page in the browser: identity-first (username, then password, as the demo realm asks) or both
 * fields at once (the master realm's admin).
 */
public final class KeycloakLogin {

    private KeycloakLogin() {
    }

    /** Waits for the login form and signs {@code username} in. */
    public static void signIn(WebDriver driver, WebDriverWait wait, String username, String password) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        driver.findElement(By.id("username")).sendKeys(username);
        if (driver.findElements(By.id("password")).isEmpty()) {
            driver.findElement(By.id("kc-login")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("password")));
        }
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
    }

    /** Signs the master realm's admin in ({@code admin}, the test server's generated password). */
    public static void signInAsMasterAdmin(WebDriver driver, WebDriverWait wait, ConduitEnvironment env) {
        signIn(driver, wait, "admin", env.adminPassword());
    }
}
