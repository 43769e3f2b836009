package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.Ports;
import dev.conduit.it.support.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The README's first command as a newcomer runs it: {@code ./demo.sh} (here {@code --no-build}, on the jars this
 * build just made, on free ports and in a folder of its own) brings up Keycloak on its default H2 database with
 * the demo realm, the provider sandbox and the demo app; the README's five clicks as ada in Chromium show her
 * Salesforce contacts, then (a member of Acme) the Acme organization's through its server connection;
 * {@code ./demo.sh token salesforce} then gets her Salesforce token from the shell without printing any client
 * secret; Acme's server connections (issue 15) are there and serve her ({@code ./demo.sh token <provider> acme});
 * {@code ./demo.sh stop} stops it all. The only suite that runs Keycloak on H2.
 * <p>
 * The tests are the README's walk in order, on the one demo the class starts: the token one-liner gets the token of
 * the Salesforce connection ada made in the five clicks, and {@code stop} comes last, as the README has it. Each
 * step is its own test so a failure names the step; the demo's folder, ports and passwords are the class's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoScriptIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEMO = Path.of("target/demo-script").toAbsolutePath();

    private final int keycloakPort = Ports.free();
    private final int sandboxPort = Ports.free();
    private final int appPort = Ports.free();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String started;
    /** ada's own Salesforce token, from the token one-liner. */
    private String adasOwnToken;

    @BeforeAll
    void startDemo() throws IOException, InterruptedException {
        if (Files.exists(DEMO)) {
            TestFiles.deleteTree(DEMO);
        }
        Result result = demo(Duration.ofMinutes(6), "--no-build");
        started = result.output();
        // its output holds the demo's generated passwords: only the log's name goes into a failure message
        assertThat(result.exitCode()).as("./demo.sh --no-build; its output is in target/demo-script-no-build.log").isZero();
    }

    @AfterAll
    void stopDemo() throws IOException, InterruptedException {
        demo(Duration.ofMinutes(1), "stop");
    }

    @Test
    @Order(1)
    void demoComesUpOnH2WithTheAppFirst() throws IOException, InterruptedException {
        String block = started.substring(started.indexOf("Conduit demo is running"));
        List<String> urls = new ArrayList<>();
        var matcher = java.util.regex.Pattern.compile("http://localhost:\\d+\\S*").matcher(block);
        while (matcher.find()) {
            urls.add(matcher.group());
        }
        assertThat(urls).as("the URLs demo.sh prints, in order").isNotEmpty();
        assertThat(urls.get(0)).as("the first URL printed is the demo app's").startsWith("http://localhost:" + appPort);

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(appUrl())).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"sign-in\"");

        // the demo's database is Keycloak's H2, in the demo's folder
        assertThat(DEMO.resolve("keycloak/data/h2")).isDirectory();
        assertThat(Files.readString(DEMO.resolve("keycloak.log"))).contains("jdbc-h2");
    }

    @Test
    @Order(2)
    void theReadmesFiveClicksShowAdasSalesforceContacts() throws IOException {
        WebDriver driver = Chromium.start();
        try {
            WebDriverWait wait = Chromium.wait(driver);
            driver.get(appUrl());
            wait.until(ExpectedConditions.elementToBeClickable(By.id("sign-in"))).click();             // 1
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys("ada\n");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("password")))
                    .sendKeys(Files.readString(DEMO.resolve("ada-password")).trim() + "\n");
            wait.until(ExpectedConditions.elementToBeClickable(By.id("connect-salesforce"))).click();  // 2
            wait.until(ExpectedConditions.elementToBeClickable(By.id("kc-continue"))).click();         // 3
            wait.until(ExpectedConditions.elementToBeClickable(By.id("allow"))).click();               // 4
            wait.until(ExpectedConditions.elementToBeClickable(By.id("fetch-salesforce"))).click();    // 5
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#records tr.record")));
            Chromium.screenshot(driver, "demo-script/salesforce-contacts");
            assertThat(driver.findElements(By.cssSelector("#records tr.record"))).isNotEmpty();
            String exchange = driver.findElement(By.id("exchange")).getText();
            assertThat(exchange).contains("urn:ietf:params:oauth:grant-type:token-exchange").contains("salesforce");
            // ada is a member of Acme: its Salesforce server connection (JWT bearer) serves her too
            wait.until(ExpectedConditions.elementToBeClickable(By.id("fetch-acme-salesforce"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#result h2"), "acme's connection"));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#records tr.record")));
            Chromium.screenshot(driver, "demo-script/acme-salesforce-contacts");
            assertThat(driver.findElement(By.id("exchange")).getText()).contains("organization");
            for (String secret : secrets()) {
                assertThat(driver.getPageSource().contains(secret)).as("a client secret on the app's page").isFalse();
            }
        } finally {
            driver.quit();
        }
    }

    @Test
    @Order(3)
    void tokenOneLinerGetsAdasSalesforceTokenWithoutPrintingASecret() throws IOException, InterruptedException {
        Result result = demo(Duration.ofMinutes(1), "token", "salesforce");
        assertThat(result.exitCode()).as("./demo.sh token salesforce").isZero();
        String output = result.output();
        assertThat(output).contains("Running it:");
        JsonNode answer = new ObjectMapper().readTree(output.substring(output.indexOf("Running it:") + "Running it:".length()));
        assertThat(answer.path("identity_provider").asText()).isEqualTo("salesforce");
        assertThat(answer.path("issued_token_type").asText()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(answer.path("access_token").asText()).isNotBlank();
        adasOwnToken = answer.path("access_token").asText();
        assertThat(answer.path("instance_url").asText()).startsWith("http://localhost:" + sandboxPort);
        for (String secret : secrets()) {
            assertThat(output.contains(secret)).as("a client secret in ./demo.sh token's output").isFalse();
            assertThat(started.contains(secret)).as("a client secret in ./demo.sh's output").isFalse();
        }
    }

    /**
     * The Acme organization's server connections (issue 15), made by demo.sh through the vault's admin API against the
     * apps the sandbox registered at start: each kind this build serves is there, minted once, and serves ada (a
     * member) through {@code ./demo.sh token <provider> acme}; a kind the vault does not serve yet (Google's, until its
     * per-subject minting lands) is refused with the vault's words. No secret the sandbox handed over is printed.
     */
    @Test
    @Order(4)
    void acmesServerConnectionsAreThereAndServeAdaAsAMember() throws IOException, InterruptedException {
        JsonNode uploaded = new ObjectMapper().readTree(Files.readString(DEMO.resolve("server-connections.json")));
        assertThat(uploaded.findValuesAsText("kind")).containsExactly("salesforce-jwt-bearer",
                "salesforce-client-credentials", "google-service-account", "hubspot-private-app");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(DEMO.resolve("server-connections.json")))).isEqualTo("rw-------");
        boolean googleServed = servedKind("google-service-account");
        String acme = admin("/organizations?search=acme").get(0).get("id").asText();
        JsonNode connections = admin("/conduit-vault/connections?ownerKind=ORGANIZATION&ownerId=" + acme);
        List<String> kinds = new ArrayList<>(connections.findValuesAsText("grantKind"));
        java.util.Collections.sort(kinds);
        assertThat(kinds).as("Acme's server connections").isEqualTo(googleServed
                ? List.of("google-service-account", "hubspot-private-app", "salesforce-client-credentials", "salesforce-jwt-bearer")
                : List.of("hubspot-private-app", "salesforce-client-credentials", "salesforce-jwt-bearer"));
        for (JsonNode connection : connections) {
            assertThat(connection.get("status").asText()).as(connection.get("grantKind").asText()).isEqualTo("HEALTHY");
        }
        assertThat(started).contains("Acme's server connections")
                .contains("salesforce (salesforce-jwt-bearer): HEALTHY")
                .contains("salesforce-sync (salesforce-client-credentials): HEALTHY")
                .contains("hubspot (hubspot-private-app): HEALTHY")
                .contains(googleServed ? "google (google-service-account): HEALTHY"
                        : "google (google-service-account): not created: HTTP 400, google-service-account connections are not served yet");

        String hubspotToken = uploaded.get(3).at("/input/access_token").asText();
        List<String> handedOver = new ArrayList<>(List.of(uploaded.get(1).at("/input/consumer_secret").asText(), hubspotToken));
        for (JsonNode pem : List.of(uploaded.get(0).at("/input/private_key"),
                new ObjectMapper().readTree(uploaded.get(2).at("/input/service_account_key").asText()).path("private_key"))) {
            pem.asText().lines().filter(line -> line.length() >= 40).forEach(handedOver::add);
        }
        for (String secret : handedOver) {
            assertThat(started.contains(secret)).as("a secret the sandbox handed over in ./demo.sh's output").isFalse();
        }

        // the console URL demo.sh prints for them: the master realm's admin sees Acme's server connections
        var consoleUrl = java.util.regex.Pattern.compile("(http://localhost:\\d+/realms/master/conduit-console/\\?realm=conduit-demo"
                + "&organization=acme)").matcher(started);
        assertThat(consoleUrl.find()).as("demo.sh prints the console's Acme URL").isTrue();
        WebDriver driver = Chromium.start();
        try {
            WebDriverWait wait = Chromium.wait(driver);
            driver.get(consoleUrl.group(1));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys("admin");
            driver.findElement(By.id("password")).sendKeys(adminPassword() + "\n");
            wait.until(d -> d.findElements(By.cssSelector("#server-connections tbody tr")).size() == kinds.size());
            Chromium.screenshot(driver, "demo-script/acme-server-connections");
            assertThat(driver.findElements(By.cssSelector("#server-connections tbody tr")).stream()
                    .map(row -> row.getAttribute("data-kind")).sorted().toList()).isEqualTo(kinds);
        } finally {
            driver.quit();
        }

        List<String> providers = new ArrayList<>(List.of("salesforce", "salesforce-sync", "hubspot"));
        if (googleServed) {
            providers.add("google");
        }
        for (String provider : providers) {
            Result result = demo(Duration.ofMinutes(1), "token", provider, "acme");
            assertThat(result.exitCode()).as("./demo.sh token " + provider + " acme").isZero();
            String output = result.output();
            assertThat(output).contains("the Acme organization's (ada is a member) " + provider + " token");
            JsonNode answer = new ObjectMapper().readTree(output.substring(output.indexOf("Running it:") + "Running it:".length()));
            assertThat(answer.path("access_token").asText()).as(provider).isNotBlank();
            assertThat(answer.path("identity_provider").asText()).isEqualTo(provider);
            assertThat(answer.path("access_token").asText()).as("Acme's connection, not ada's own").isNotEqualTo(adasOwnToken);
            if (provider.equals("hubspot")) {
                assertThat(answer.path("access_token").asText()).as("the private app's token").isEqualTo(hubspotToken);
            } else {
                assertThat(output).doesNotContain(hubspotToken);
            }
            if (provider.startsWith("salesforce")) {
                assertThat(answer.path("instance_url").asText()).startsWith("http://localhost:" + sandboxPort);
            }
            for (String secret : handedOver.subList(2, handedOver.size())) {
                assertThat(output.contains(secret)).as("a private key in ./demo.sh token's output").isFalse();
            }
            assertThat(output).doesNotContain(handedOver.get(0));
        }
    }

    private boolean servedKind(String kind) throws IOException, InterruptedException {
        for (JsonNode provider : admin("/conduit-vault/server-kinds")) {
            for (JsonNode each : provider.path("kinds")) {
                if (each.path("id").asText().equals(kind)) {
                    return each.path("served").asBoolean();
                }
            }
        }
        return false;
    }

    /** The demo's admin password, as demo.sh printed it. */
    private String adminPassword() {
        var password = java.util.regex.Pattern.compile("admin / (\\S+)").matcher(started);
        assertThat(password.find()).as("demo.sh prints the admin's password").isTrue();
        return password.group(1);
    }

    /** A GET of the demo realm's admin API as the demo's admin. */
    private JsonNode admin(String path) throws IOException, InterruptedException {
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + keycloakPort
                        + "/realms/master/protocol/openid-connect/token")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=admin-cli&username=admin&password="
                        + java.net.URLEncoder.encode(adminPassword(), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(200);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + keycloakPort
                        + "/admin/realms/conduit-demo" + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + new ObjectMapper().readTree(token.body()).get("access_token").asText())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        return new ObjectMapper().readTree(answer.body());
    }

    @Test
    @Order(5)
    void stopStopsEverythingItStarted() throws IOException, InterruptedException {
        List<Long> pids = new ArrayList<>();
        for (String name : List.of("keycloak.pid", "sandbox.pid", "demo-app.pid")) {
            Path file = DEMO.resolve(name);
            assertThat(file).as(name).exists();
            pids.add(Long.parseLong(Files.readString(file).trim()));
        }
        Result result = demo(Duration.ofMinutes(1), "stop");
        assertThat(result.exitCode()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process %d after stop", pid).isFalse();
        }
        for (int port : List.of(keycloakPort, sandboxPort, appPort)) {
            assertThat(Ports.inUse(port)).as("port %d after stop", port).isFalse();
        }
    }

    /** The provider client secrets and the internal app's secret the demo generated or fetched. */
    private List<String> secrets() throws IOException {
        List<String> secrets = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEMO.resolve("vault"))) {
            for (Path file : files.toList()) {
                secrets.add(Files.readString(file).trim());
            }
        }
        secrets.add(Files.readString(DEMO.resolve("internal-app-secret")).trim());
        assertThat(secrets).hasSizeGreaterThanOrEqualTo(4).allSatisfy(s -> assertThat(s).hasSizeGreaterThan(15));
        return secrets;
    }

    private String appUrl() {
        return "http://localhost:" + appPort + "/";
    }

    private record Result(int exitCode, String output) {
    }

    private Result demo(Duration timeout, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("demo.sh").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(Map.of(
                "CONDUIT_DEMO_DIR", DEMO.toString(),
                "CONDUIT_DEMO_KEYCLOAK_PORT", Integer.toString(keycloakPort),
                "CONDUIT_DEMO_SANDBOX_PORT", Integer.toString(sandboxPort),
                "CONDUIT_DEMO_APP_PORT", Integer.toString(appPort)));
        // the token command's output holds an upstream token: kept in memory, never written to a file
        boolean logged = !"token".equals(arguments[0]);
        Path log = Files.createDirectories(Path.of("target")).resolve("demo-script-" + String.join("-", arguments)
                .replaceAll("^-+", "") + ".log");
        if (logged) {
            builder.redirectOutput(log.toFile());
        }
        Process process = builder.start();
        var output = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                process.getInputStream().transferTo(output);
            } catch (IOException e) {
                // the process ended; what was read stays
            }
        });
        reader.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            throw new AssertionError("./demo.sh " + String.join(" ", arguments) + " took more than " + timeout
                    + (logged ? "; output in " + log : ""));
        }
        reader.join(10_000);
        return new Result(process.exitValue(), logged ? Files.readString(log, StandardCharsets.UTF_8)
                : output.toString(StandardCharsets.UTF_8));
    }

}
