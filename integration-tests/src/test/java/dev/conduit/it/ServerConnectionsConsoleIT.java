package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.KeycloakLogin;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.SandboxEngine;
import dev.conduit.sandbox.ServerToServer;
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
 * The console's server connections (issue 15) in a real Chromium against real Keycloak and the sandbox: the master
 * realm's admin opens an organization, creates a Salesforce JWT bearer connection (the certificate the page offers is
 * the one registered at the sandbox's app), sees a refused mint as ACTION_REQUIRED with Salesforce's words, refreshes
 * it once fixed, and a member's exchange gets a token; a HubSpot private app created and rotated from the page. No
 * secret is ever in the page. Screenshots: {@code target/screenshots/server-console-*.png}.
 */
class ServerConnectionsConsoleIT {

    static final String MEMBER = "server-console-member";
    private static final String SALESFORCE_QUERY = "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine engine = env.sandbox().engine();
    private final ServerToServer s2s = engine.serverToServer();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final String password = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private Path downloads;
    private WebDriver driver;
    private WebDriverWait wait;
    private String organizationAlias;

    @BeforeEach
    void startBrowser() throws Exception {
        downloads = Files.createTempDirectory("server-console-downloads");
        driver = Chromium.start(downloads);
        wait = Chromium.waitOnConsole(driver);
    }

    @AfterEach
    void cleanUp() {
        driver.quit();
        if (organizationAlias != null) {
            removeOrganization(env, vault, organizations, organizationAlias);
        }
        organizations.deleteUser(MEMBER);
    }

    static void removeOrganization(ConduitEnvironment env, VaultApi vault, Organizations organizations, String alias) {
        String id = organizations.idOf(alias);
        if (id == null) {
            return;
        }
        for (JsonNode connection : vault.connectionsOf("ORGANIZATION", id)) {
            vault.disconnect(connection.get("id").asText());
            Await.until("the disconnect of " + connection.get("id").asText() + " sent",
                    () -> vault.connection(connection.get("id").asText()) == null);
        }
        organizations.delete(alias);
    }

    /** A fresh organization with the member in it; answers its id. */
    private String organization(String name) {
        organizationAlias = "server-console-" + name;
        String id = organizations.create(organizationAlias, "Server console " + name, name + ".server-console.example");
        organizations.createUser(MEMBER);
        organizations.addMember(id, MEMBER);
        return id;
    }

    private HttpResponse<String> exchange(String alias, String organizationId) {
        return apps.exchange(apps.passwordLogin(MEMBER, password),
                Map.of("audience", alias, "organization", organizationId, "scope", "crm.contacts.read"));
    }

    /** The master console's page of the test's organization, the master realm's admin signed in. */
    private void openAsMasterAdmin() {
        openAsMasterAdmin("?realm=" + REALM + "&organization=" + organizationAlias);
    }

    private void openAsMasterAdmin(String consoleQuery) {
        driver.get(env.keycloakUrl() + "/realms/master/conduit-console/" + consoleQuery);
        KeycloakLogin.signInAsMasterAdmin(driver, wait, env);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("server-create")));
    }

    private void choose(String alias, String kind) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#server-kind option[value='" + alias + " " + kind + "']")));
        new Select(driver.findElement(By.id("server-kind"))).selectByValue(alias + " " + kind);
    }

    private WebElement field(String within, String name) {
        return driver.findElement(By.cssSelector(within + " input[data-field-name=" + name + "]"));
    }

    private By row(String kind) {
        return By.cssSelector("#server-connections tbody tr[data-kind=" + kind + "]");
    }

    private String status(String kind) {
        return driver.findElement(row(kind)).findElement(By.cssSelector("[data-field=status]")).getText();
    }

    private void awaitAlert(String kind, String words) {
        wait.until(d -> !d.findElements(By.cssSelector("[data-alert=" + kind + "]")).isEmpty()
                && d.findElement(By.id("alerts")).getText().contains(words));
    }

    private void clickInRow(String kind, String action) {
        driver.findElement(row(kind)).findElement(By.cssSelector("button[data-action=" + action + "]")).click();
    }

    @Test
    void anAdminCreatesASalesforceJwtBearerConnectionFromTheConsoleAndAMemberGetsAToken() throws Exception {
        String organizationId = organization("jwt");
        String consumerKey = "console-jwt-" + UUID.randomUUID();
        String username = Accounts.SALESFORCE_KATHERINE.username();
        openAsMasterAdmin();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("server-empty")));
        // the kind chooser is GET server-kinds: every kind, Google's not offered until it is served
        List<String> kinds = new Select(driver.findElement(By.id("server-kind"))).getOptions().stream()
                .map(option -> option.getAttribute("value")).toList();
        assertThat(kinds).contains("salesforce salesforce-jwt-bearer", "salesforce salesforce-client-credentials",
                "hubspot hubspot-private-app", "google google-service-account");

        choose("salesforce", "salesforce-jwt-bearer");
        assertThat(field("#server-create", "private_key").getAttribute("type")).as("a PEM file picker").isEqualTo("file");
        field("#server-create", "consumer_key").sendKeys(consumerKey);
        field("#server-create", "username").sendKeys(username);
        Chromium.screenshot(driver, "server-console-1-create-jwt-bearer");
        driver.findElement(By.id("server-create-submit")).click();
        awaitAlert("success", "upload its certificate");
        wait.until(d -> d.findElements(row("salesforce-jwt-bearer")).size() == 1);
        JsonNode connection = vault.connection("ORGANIZATION", organizationId, "salesforce");
        String id = connection.get("id").asText();
        assertThat(connection.get("grantKind").asText()).isEqualTo("salesforce-jwt-bearer");

        // the certificate the page offers (shown, and downloaded) is the connection's
        WebElement created = driver.findElement(row("salesforce-jwt-bearer"));
        String offered = created.findElement(By.cssSelector("pre[data-field=certificate]")).getAttribute("textContent");
        String certificate = new ServerConnectionsApi(env.admin(), REALM).certificate(id).body();
        assertThat(offered).startsWith("-----BEGIN CERTIFICATE-----").isEqualTo(certificate);
        assertThat(created.findElement(By.cssSelector("[data-shown=certificate_sha256]")).getText())
                .isEqualTo(connection.at("/shown/certificate_sha256").asText());
        assertThat(created.findElement(By.cssSelector("[data-shown=username]")).getText()).isEqualTo(username);
        clickInRow("salesforce-jwt-bearer", "download-certificate");
        Path downloaded = downloads.resolve("conduit-salesforce-" + id + ".crt");
        Await.until("the certificate downloaded", () -> downloaded.toFile().length() > 0);
        assertThat(Files.readString(downloaded)).isEqualTo(certificate);
        assertThat(driver.getPageSource()).doesNotContain("PRIVATE KEY");

        // the app knows the certificate but the user is not pre-authorized: a refused mint, in Salesforce's words
        s2s.registerSalesforceJwtApp(consumerKey, Files.readString(downloaded), Set.of("api"), Set.of());
        assertThat(exchange("salesforce", organizationId).statusCode()).isEqualTo(400);
        driver.navigate().refresh();
        wait.until(d -> d.findElements(row("salesforce-jwt-bearer")).size() == 1 && status("salesforce-jwt-bearer").equals("ACTION_REQUIRED"));
        assertThat(driver.findElement(row("salesforce-jwt-bearer")).findElement(By.cssSelector("[data-field=last-error]")).getText())
                .contains("has not approved this app");
        Chromium.screenshot(driver, "server-console-2-action-required");

        // fixed at Salesforce, refreshed from the page: the member's exchange gets a working token
        s2s.preAuthorizeSalesforceUser(consumerKey, username);
        clickInRow("salesforce-jwt-bearer", "refresh");
        awaitAlert("success", "Refreshed");
        wait.until(d -> status("salesforce-jwt-bearer").equals("HEALTHY"));
        HttpResponse<String> served = exchange("salesforce", organizationId);
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        String token = AppTokens.json(served).get("access_token").asText();
        assertThat(ServerConnectionsApi.apiCall(engine.instanceUrl() + SALESFORCE_QUERY, token)).isEqualTo(200);
        Chromium.screenshot(driver, "server-console-3-healthy");

        // rotation: a new key pair, its certificate shown, the previous one kept until dropped from the page
        clickInRow("salesforce-jwt-bearer", "replace-credential");
        WebElement form = wait.until(d -> d.findElement(By.cssSelector("form[data-form=replace]")));
        assertThat(form.findElement(By.cssSelector("input[data-field-name=consumer_key]")).getAttribute("value")).isEqualTo(consumerKey);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        awaitAlert("success", "upload the new certificate");
        wait.until(d -> !d.findElement(row("salesforce-jwt-bearer")).findElements(By.cssSelector("button[data-action=drop-previous-key]")).isEmpty());
        String rotated = driver.findElement(row("salesforce-jwt-bearer")).findElement(By.cssSelector("pre[data-field=certificate]"))
                .getAttribute("textContent");
        assertThat(rotated).startsWith("-----BEGIN CERTIFICATE-----").isNotEqualTo(certificate);
        assertThat(driver.findElement(row("salesforce-jwt-bearer")).findElement(By.cssSelector("[data-shown=previous_certificate_sha256]"))
                .getText()).isEqualTo(connection.at("/shown/certificate_sha256").asText());
        clickInRow("salesforce-jwt-bearer", "drop-previous-key");
        awaitAlert("success", "Dropped the previous key");
        wait.until(d -> d.findElement(row("salesforce-jwt-bearer")).findElements(By.cssSelector("button[data-action=drop-previous-key]")).isEmpty());
        assertThat(vault.connection(id).at("/shown/previous_certificate_sha256").isMissingNode()).isTrue();
        s2s.addSalesforceCertificate(consumerKey, rotated);
        vault.expireAccessToken(id);
        assertThat(exchange("salesforce", organizationId).statusCode()).as("the new key mints").isEqualTo(200);

        // disconnect from the page
        clickInRow("salesforce-jwt-bearer", "disconnect");
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        awaitAlert("success", "Disconnected");
        wait.until(d -> d.findElements(row("salesforce-jwt-bearer")).isEmpty());
        Await.until("the disconnect sent", () -> vault.connection(id) == null);
    }

    @Test
    void aHubSpotPrivateAppIsCreatedAndRotatedFromTheConsoleAndItsTokenNeverShows() throws Exception {
        String organizationId = organization("hubspot");
        String token = s2s.createHubSpotPrivateApp("5151", Set.of("crm.objects.contacts.read"));
        openAsMasterAdmin();
        choose("hubspot", "hubspot-private-app");
        assertThat(field("#server-create", "access_token").getAttribute("type")).isEqualTo("password");
        field("#server-create", "access_token").sendKeys(token);
        field("#server-create", "scopes").sendKeys("crm.objects.contacts.read");
        driver.findElement(By.id("server-create-submit")).click();
        awaitAlert("success", "Created the hubspot hubspot-private-app connection");
        wait.until(d -> d.findElements(row("hubspot-private-app")).size() == 1);
        assertThat(status("hubspot-private-app")).isEqualTo("HEALTHY");
        assertThat(driver.findElement(row("hubspot-private-app")).findElement(By.cssSelector("[data-shown=region]")).getText())
                .isEqualTo("na1");
        assertThat(driver.findElements(By.cssSelector("input")).stream().map(input -> input.getDomProperty("value")))
                .as("no input holds the token any more").noneMatch(value -> value != null && value.contains(token));
        assertThat(driver.getPageSource()).doesNotContain(token);
        Chromium.screenshot(driver, "server-console-4-hubspot");
        HttpResponse<String> served = exchange("hubspot", organizationId);
        assertThat(AppTokens.json(served).get("access_token").asText()).as(served.body()).isEqualTo(token);

        // rotated at HubSpot past its overlap: the health check ("Refresh now") says so in words
        String rotated = s2s.rotateHubSpotPrivateAppToken(token, Duration.ZERO);
        clickInRow("hubspot-private-app", "refresh");
        awaitAlert("warning", "The provider refused");
        wait.until(d -> status("hubspot-private-app").equals("ACTION_REQUIRED"));
        assertThat(driver.findElement(row("hubspot-private-app")).findElement(By.cssSelector("[data-field=last-error]")).getText())
                .contains("HubSpot refused the private app token");
        Chromium.screenshot(driver, "server-console-5-hubspot-refused");

        clickInRow("hubspot-private-app", "replace-credential");
        WebElement form = wait.until(d -> d.findElement(By.cssSelector("form[data-form=replace]")));
        WebElement secret = form.findElement(By.cssSelector("input[data-field-name=access_token]"));
        assertThat(secret.getAttribute("type")).isEqualTo("password");
        assertThat(secret.getAttribute("value")).as("a secret is never filled in").isEmpty();
        secret.sendKeys(rotated);
        form.findElement(By.cssSelector("input[data-field-name=scopes]")).sendKeys("crm.objects.contacts.read");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        awaitAlert("success", "Replaced the credential");
        wait.until(d -> status("hubspot-private-app").equals("HEALTHY"));
        assertThat(driver.getPageSource()).doesNotContain(token).doesNotContain(rotated);
        assertThat(AppTokens.json(exchange("hubspot", organizationId)).get("access_token").asText()).isEqualTo(rotated);

        // a refusal's words: a second HubSpot connection for the organization is a 409
        choose("hubspot", "hubspot-private-app");
        field("#server-create", "access_token").sendKeys(rotated);
        field("#server-create", "scopes").sendKeys("crm.objects.contacts.read");
        driver.findElement(By.id("server-create-submit")).click();
        awaitAlert("danger", "has a server connection through hubspot already");
        // and a 400: a key file of the wrong type, through the file picker, read in the browser; not repeated
        String ecKey = ServerConnectionsApi.pem("PRIVATE KEY", ServerConnectionsApi.keyPair("EC", 256).getPrivate().getEncoded());
        Path keyFile = downloads.resolve("ec-key.pem");
        Files.writeString(keyFile, ecKey);
        choose("salesforce", "salesforce-jwt-bearer");
        field("#server-create", "consumer_key").sendKeys("console-bad-key");
        field("#server-create", "username").sendKeys(Accounts.SALESFORCE_ADA.username());
        field("#server-create", "private_key").sendKeys(keyFile.toString());
        driver.findElement(By.id("server-create-submit")).click();
        awaitAlert("danger", "not an RSA private key");
        for (String line : ServerConnectionsApi.pemBodyLines(ecKey)) {
            assertThat(driver.getPageSource()).doesNotContain(line);
        }
        assertThat(vault.connection("ORGANIZATION", organizationId, "salesforce")).as("nothing created").isNull();
        Chromium.screenshot(driver, "server-console-6-refusal-in-words");

        // an RSA key of the admin's own through the file picker: used, never shown, never in the page
        String rsaKey = ServerConnectionsApi.rsaPrivateKeyPem(2048);
        Files.writeString(keyFile, rsaKey);
        field("#server-create", "consumer_key").sendKeys("console-own-key");
        field("#server-create", "username").sendKeys(Accounts.SALESFORCE_ADA.username());
        field("#server-create", "private_key").sendKeys(keyFile.toString());
        driver.findElement(By.id("server-create-submit")).click();
        awaitAlert("success", "upload its certificate");
        wait.until(d -> d.findElements(row("salesforce-jwt-bearer")).size() == 1);
        assertThat(driver.findElement(row("salesforce-jwt-bearer")).findElement(By.cssSelector("[data-shown=key_origin]"))
                .getText()).isEqualTo("uploaded");
        for (String line : ServerConnectionsApi.pemBodyLines(rsaKey)) {
            assertThat(driver.getPageSource()).doesNotContain(line);
        }
        assertThat(vault.connection("ORGANIZATION", organizationId, "salesforce").at("/shown/key_origin").asText())
                .isEqualTo("uploaded");
    }

    /**
     * The two other kinds from the page: a Google service account's JSON key file through the file picker (read in
     * the browser, never shown), acting as a Workspace member; Salesforce client credentials at the org's My Domain
     * (a second Salesforce identity provider, as the vault keeps one connection per organization and alias).
     */
    @Test
    void aGoogleServiceAccountAndSalesforceClientCredentialsAreCreatedFromTheConsoleAndServeAMember() throws Exception {
        String organizationId = organization("google");
        String scope = "https://www.googleapis.com/auth/calendar.readonly";
        var serviceAccount = s2s.registerGoogleServiceAccount("console-" + UUID.randomUUID().toString().substring(0, 8),
                "conduit", "acme.example", Set.of(scope));
        String consumerKey = "console-cc-" + UUID.randomUUID();
        String consumerSecret = Secrets.generate();
        s2s.registerSalesforceClientCredentialsApp(consumerKey, consumerSecret, Accounts.SALESFORCE_HEDY.username(), Set.of("api"));
        String myDomain = s2s.registerSalesforceMyDomain("console-" + UUID.randomUUID().toString().substring(0, 8));
        String syncAlias = "salesforce-console-cc";
        env.admin().call("DELETE", REALM + "/identity-provider/instances/" + syncAlias, null);
        HttpResponse<String> provider = env.admin().call("POST", REALM + "/identity-provider/instances", Map.of(
                "alias", syncAlias, "providerId", "conduit-salesforce", "enabled", true, "hideOnLogin", true, "config", Map.of(
                        "clientId", "unused-for-client-credentials", "clientSecret", Secrets.generate(), "loginHost", myDomain)));
        assertThat(provider.statusCode()).as(provider.body()).isEqualTo(201);
        String allowed = env.admin().get(REALM + "/clients?clientId=conduit-internal-app").get(0)
                .at("/attributes/conduit.exchange.providers").asText();
        apps.setInternalAppAttribute("conduit.exchange.providers", allowed + " " + syncAlias);
        String memberName = "server-console-betty";
        organizations.deleteUser(memberName);
        HttpResponse<String> user = env.admin().call("POST", REALM + "/users", Map.of("username", memberName,
                "email", Accounts.GOOGLE_BETTY.email(), "emailVerified", true, "enabled", true, "firstName", "Betty",
                "lastName", "Test", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        organizations.addMember(organizationId, memberName);
        try {
            openAsMasterAdmin();
            choose("google", "google-service-account");
            assertThat(field("#server-create", "service_account_key").getAttribute("type")).as("a JSON file picker").isEqualTo("file");
            Path keyFile = downloads.resolve("service-account.json");
            Files.writeString(keyFile, serviceAccount.jsonKeyFile());
            field("#server-create", "service_account_key").sendKeys(keyFile.toString());
            field("#server-create", "domain").sendKeys("acme.example");
            field("#server-create", "scopes").sendKeys(scope);
            driver.findElement(By.id("server-create-submit")).click();
            awaitAlert("success", "Created the google google-service-account connection");
            wait.until(d -> d.findElements(row("google-service-account")).size() == 1);
            assertThat(driver.findElement(row("google-service-account")).findElement(By.cssSelector("[data-shown=client_email]"))
                    .getText()).isEqualTo(serviceAccount.clientEmail());

            choose(syncAlias, "salesforce-client-credentials");
            assertThat(field("#server-create", "consumer_secret").getAttribute("type")).isEqualTo("password");
            field("#server-create", "consumer_key").sendKeys(consumerKey);
            field("#server-create", "consumer_secret").sendKeys(consumerSecret);
            driver.findElement(By.id("server-create-submit")).click();
            awaitAlert("success", "Created the " + syncAlias + " salesforce-client-credentials connection");
            wait.until(d -> d.findElements(row("salesforce-client-credentials")).size() == 1);
            Chromium.screenshot(driver, "server-console-7-google-and-client-credentials");
            String page = driver.getPageSource();
            assertThat(page).doesNotContain(consumerSecret);
            for (String line : ServerConnectionsApi.pemBodyLines(ServerConnectionsApi.pem("PRIVATE KEY",
                    serviceAccount.privateKey().getEncoded()))) {
                assertThat(page).doesNotContain(line);
            }
            assertThat(driver.findElements(By.cssSelector("input")).stream().map(input -> input.getDomProperty("value")))
                    .as("no input holds the secret any more").noneMatch(value -> value != null && value.contains(consumerSecret));

            // the member is served by both: Google acts as her Workspace address, Salesforce as the app's run-as user
            String member = apps.passwordLogin(memberName, password);
            HttpResponse<String> google = apps.exchange(member, Map.of("audience", "google", "organization", organizationId,
                    "scope", "calendar.read"));
            assertThat(google.statusCode()).as(google.body()).isEqualTo(200);
            assertThat(AppTokens.json(google).get("account_id").asText()).isEqualTo(Accounts.GOOGLE_BETTY.email());
            assertThat(ServerConnectionsApi.apiCall(env.sandbox().baseUrl() + "/google/calendar/v3/calendars/primary/events",
                    AppTokens.json(google).get("access_token").asText())).isEqualTo(200);
            HttpResponse<String> salesforce = apps.exchange(member, Map.of("audience", syncAlias, "organization", organizationId,
                    "scope", "crm.contacts.read"));
            assertThat(salesforce.statusCode()).as(salesforce.body()).isEqualTo(200);
            JsonNode served = AppTokens.json(salesforce);
            assertThat(ServerConnectionsApi.apiCall(served.get("instance_url").asText() + SALESFORCE_QUERY,
                    served.get("access_token").asText())).isEqualTo(200);
            driver.navigate().refresh();
            wait.until(d -> d.findElements(row("salesforce-client-credentials")).size() == 1
                    && status("salesforce-client-credentials").equals("HEALTHY") && status("google-service-account").equals("HEALTHY"));
        } finally {
            removeOrganization(env, vault, organizations, organizationAlias);
            organizationAlias = null;
            organizations.deleteUser(memberName);
            apps.setInternalAppAttribute("conduit.exchange.providers", allowed);
            env.admin().call("DELETE", REALM + "/identity-provider/instances/" + syncAlias, null);
        }
    }

    /**
     * The realm's own server connections on the console's realm page (no organization): the admin creates a HubSpot
     * private app there, it is listed as the realm's (not an organization's), and the service account of an app an
     * admin allowed ({@code conduit.exchange.realm-connections}) is served with {@code connection_owner=realm}.
     */
    @Test
    void theRealmsOwnServerConnectionIsCreatedFromTheRealmPageAndServesAnAllowedServiceAccount() {
        String realmId = env.admin().get(REALM).get("id").asText();
        vault.disconnectAll("REALM", realmId);
        String token = s2s.createHubSpotPrivateApp("5252", Set.of("crm.objects.contacts.read"));
        apps.setInternalAppAttribute("conduit.exchange.realm-connections", "true");
        try {
            openAsMasterAdmin("?realm=" + REALM);
            assertThat(driver.findElement(By.id("server-organization")).getText()).isEqualTo("realm " + REALM);
            choose("hubspot", "hubspot-private-app");
            field("#server-create", "access_token").sendKeys(token);
            field("#server-create", "scopes").sendKeys("crm.objects.contacts.read");
            driver.findElement(By.id("server-create-submit")).click();
            awaitAlert("success", "Created the hubspot hubspot-private-app connection");
            wait.until(d -> d.findElements(row("hubspot-private-app")).size() == 1);
            Chromium.screenshot(driver, "server-console-8-realm");
            assertThat(driver.getPageSource()).doesNotContain(token);

            JsonNode realms = vault.connectionsOf("REALM", realmId);
            assertThat(realms.size()).isEqualTo(1);
            assertThat(realms.get(0).get("grantKind").asText()).isEqualTo("hubspot-private-app");
            assertThat(driver.findElement(row("hubspot-private-app")).getAttribute("data-connection-id"))
                    .isEqualTo(realms.get(0).get("id").asText());
            HttpResponse<String> served = apps.exchange(apps.serviceAccountToken(), Map.of("audience", "hubspot",
                    "connection_owner", "realm", "scope", "crm.contacts.read"));
            assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
            assertThat(AppTokens.json(served).get("access_token").asText()).isEqualTo(token);
        } finally {
            apps.setInternalAppAttribute("conduit.exchange.realm-connections", "");
            vault.disconnectAll("REALM", realmId);
        }
    }
}
