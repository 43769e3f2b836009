package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium, with the flags that keep it off the closed network. No registry
 * ships Chromium, so on a machine without it the first browser test installs Debian's packages (as root, through
 * apt-get, saying so in one line); where it cannot, it fails saying what to install. Never a silent skip.
 */
public final class Chromium {

    private static final String DEFAULT_CHROMIUM = "/usr/bin/chromium";
    private static final String DEFAULT_DRIVER = "/usr/bin/chromedriver";
    private static boolean present;

    private Chromium() {
    }

    public static WebDriver start() {
        return start(null);
    }

    /** A browser that saves downloads into {@code downloads} without asking (null: Chromium's default). */
    public static WebDriver start(Path downloads) {
        String chromium = System.getProperty("conduit.chromium", DEFAULT_CHROMIUM);
        String chromedriver = System.getProperty("conduit.chromedriver", DEFAULT_DRIVER);
        ensurePresent(Path.of(chromium), Path.of(chromedriver));
        System.setProperty("webdriver.chrome.driver", chromedriver);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1280,900");
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        if (downloads != null) {
            options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory", downloads.toString(),
                    "download.prompt_for_download", false));
        }
        WebDriver driver = new ChromeDriver(options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    /**
     * A wait of up to a minute whose every check looks its elements up again: one found on a page that the app or the
     * console just re-rendered is stale, and is found anew instead of failing the wait.
     */
    public static WebDriverWait wait(WebDriver driver) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /**
     * {@link #wait(WebDriver)} on the connections console: a wait that times out says what the page shows (its alerts,
     * subtitle, whether the server connections section is shown, its address and the browser console's lines).
     */
    public static WebDriverWait waitOnConsole(WebDriver driver) {
        WebDriverWait wait = wait(driver);
        wait.withMessage(() -> "the page's alerts: " + driver.findElements(By.id("alerts")).stream()
                .map(WebElement::getText).toList() + ", subtitle: " + driver.findElements(By.id("subtitle")).stream()
                .map(WebElement::getText).toList() + ", server section shown: " + driver.findElements(By.id("server")).stream()
                .map(WebElement::isDisplayed).toList() + ", at " + driver.getCurrentUrl() + ", console: " + consoleLines(driver));
        return wait;
    }

    private static synchronized void ensurePresent(Path chromium, Path chromedriver) {
        if (present || (Files.isExecutable(chromium) && Files.isExecutable(chromedriver))) {
            present = true;
            return;
        }
        String install = "apt-get install chromium chromium-driver";
        boolean defaults = chromium.toString().equals(DEFAULT_CHROMIUM) && chromedriver.toString().equals(DEFAULT_DRIVER);
        if (defaults && "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            System.out.println("[conduit] browser tests: installing Debian's chromium and chromium-driver (apt-get, about a minute)");
            apt("update", "-qq");
            apt("install", "-y", "-qq", "chromium", "chromium-driver");
        }
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            throw new IllegalStateException("The browser tests need Chromium at " + chromium + " and ChromeDriver at "
                    + chromedriver + ": run '" + install + "' as root (or set -Dconduit.chromium and -Dconduit.chromedriver)");
        }
        present = true;
    }

    private static void apt(String... arguments) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("/usr/bin/apt-get"));
        command.addAll(java.util.List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        try {
            Process process = builder.start();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("apt-get " + arguments[0] + " took more than 10 minutes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing Chromium", e);
        }
    }

    /** The browser console's lines so far (errors of the page's scripts, failed loads), for a failure message. */
    public static java.util.List<String> consoleLines(WebDriver driver) {
        return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .map(entry -> entry.getLevel() + " " + entry.getMessage()).toList();
    }

    /** Saves a PNG of the page as {@code target/screenshots/<name>.png}; a name may hold a folder ({@code demo-app/1-x}). */
    public static void screenshot(WebDriver driver, String name) {
        Path dir = Path.of(System.getProperty("conduit.screenshots", "target/screenshots"));
        try {
            Path file = dir.resolve(name + ".png");
            Files.createDirectories(file.getParent());
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
