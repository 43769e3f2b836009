package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium driven by Selenium, with the flags that keep it off the closed network. */
public final class Chromium {

    private Chromium() {
    }

    public static WebDriver start() {
        System.setProperty("webdriver.chrome.driver", System.getProperty("conduit.chromedriver", "/usr/bin/chromedriver"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("conduit.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1280,900");
        WebDriver driver = new ChromeDriver(options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    public static void screenshot(WebDriver driver, String name) {
        Path dir = Path.of(System.getProperty("conduit.screenshots", "target/screenshots"));
        try {
            Files.createDirectories(dir);
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(dir.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
