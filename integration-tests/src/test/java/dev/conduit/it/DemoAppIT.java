package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.demoapp.DemoApp;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Chromium;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.DemoApps;
import dev.conduit.it.support.KeycloakLogin;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo's internal app (module demo-app) in a real headless Chromium, its whole path: a person signs in through
 * Keycloak, connects Salesforce, HubSpot and Google from the app, fetches each provider's records with a token
 * Conduit brokered (the exchange shown beside them, tokens masked), has a token refused by the provider and
 * recovered, and connects and uses her organization's Salesforce. Screenshots in target/screenshots/demo-app/.
 * <p>
 * The tests are one browser walk, in order: each step continues the person's session and uses what the steps before
 * connected (the refused token is the Salesforce connection's, "grant more" widens the HubSpot one, signing out ends
 * the session the walk began), as the person would do it. The class makes its own user and organization; pages are
 * read by re-finding their elements (a page the app replaced after a form leaves stale references).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoAppIT {

    private static final String USER = "demo-app-ida";
    private static final String ORGANIZATION = "demo-app-org";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final String password = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private DemoApp app;
    private WebDriver driver;
    private WebDriverWait wait;
    private String organizationId;
    private int shot;

    @BeforeAll
    void start() {
        organizationId = organizations.create(ORGANIZATION, "Demo App Org", "demo-app-org.example");
        organizations.createUser(USER);
        organizations.addMember(organizationId, USER);
        organizations.grantOrgAdmin(organizationId, USER);
        app = DemoApps.start(env);
        driver = Chromium.start();
        wait = Chromium.wait(driver);
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        DemoApps.stop(env, app);
        organizations.delete(ORGANIZATION);
        organizations.deleteUser(USER);
    }

    @Test
    @Order(1)
    void personSignsInThroughKeycloakAndSeesSheHasNoConnectionYet() {
        driver.get(app.url());
        WebElement signIn = wait.until(ExpectedConditions.elementToBeClickable(By.id("sign-in")));
        for (String alias : List.of("salesforce", "hubspot", "google")) {
            assertThat(driver.findElement(By.id("sign-in-" + alias)).getAttribute("href")).endsWith("/login?provider=" + alias);
        }
        screenshot("signed-out");
        signIn.click();

        // Keycloak's login page of the demo realm: the Conduit brokers, and the password (identity-first)
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        assertThat(driver.findElement(By.id("social-salesforce")).getText()).contains("Salesforce");
        screenshot("keycloak-login");
        signInWithPassword();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("person")));
        assertThat(driver.getCurrentUrl()).startsWith(app.url());
        assertThat(driver.findElement(By.id("person")).getText()).isEqualTo(USER + " Test");
        for (String alias : List.of("salesforce", "hubspot", "google")) {
            assertThat(driver.findElement(By.cssSelector("#connection-" + alias + " .status")).getText()).isEqualTo("not connected");
            assertThat(driver.findElements(By.id("connect-" + alias))).hasSize(1);
        }
        screenshot("signed-in");

        // fetching before connecting: Conduit refuses, and the page says what to do
        driver.findElement(By.id("fetch-salesforce")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
        assertThat(driver.findElement(By.id("outcome")).getText())
                .isEqualTo("You have not connected Salesforce yet. Connect it, then fetch again.");
        assertThat(driver.findElement(By.id("exchange")).getText()).contains("\"conduit_error\" : \"not_connected\"");
        assertThat(driver.findElements(By.id("fix-connect-salesforce"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("tr.record"))).isEmpty();
        screenshot("not-connected");
    }

    @Test
    @Order(2)
    void sheConnectsEachProviderAndFetchesItsRecordsWithABrokeredToken() throws Exception {
        connectAndFetch(ProviderApiCase.SALESFORCE, Accounts.SALESFORCE_HILDA);
        connectAndFetch(ProviderApiCase.HUBSPOT, Accounts.HUBSPOT_KLARA);
        connectAndFetch(ProviderApiCase.GOOGLE, Accounts.GOOGLE_ALONZO);
    }

    @Test
    @Order(3)
    void aTokenTheProviderRefusesIsReplacedAndTheRecordsStillShow() throws Exception {
        String served = upstreamToken("salesforce");
        assertThat(env.sandbox().engine().endSession(served)).as("the sandbox issued the token Conduit serves").isTrue();
        int apiCalls = env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.API);

        driver.findElement(By.id("fetch-salesforce")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("outcome"), "refused the token"));

        assertThat(env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.API)).as("one refused call, one good")
                .isEqualTo(apiCalls + 2);
        assertThat(driver.findElement(By.id("outcome")).getText())
                .startsWith("The provider refused the token (401); asked Conduit for a fresh one");
        String fresh = upstreamToken("salesforce");
        assertThat(fresh).as("Conduit holds a new token").isNotEqualTo(served);
        assertThat(recordNames()).isNotEmpty().isEqualTo(expectedNames(ProviderApiCase.SALESFORCE, fresh));
        String exchange = driver.findElement(By.id("exchange")).getText();
        assertThat(exchange).contains("Token exchange 1", "Token exchange 2", "HTTP 401",
                "conduit_refused_token_sha256=");
        assertThat(driver.findElements(By.cssSelector("#exchange .api-status")))
                .extracting(WebElement::getText).containsExactly("HTTP 401", "HTTP 200");
        assertNoTokenOnThePage();
        screenshot("refused-and-recovered");
    }

    @Test
    @Order(4)
    void grantMoreAccessAsksTheProviderForOneMorePermission() {
        driver.get(app.url());
        wait.until(ExpectedConditions.elementToBeClickable(By.id("grant-hubspot"))).click();
        wait.until(d -> !d.findElements(By.id("consent")).isEmpty() || !d.findElements(By.id("kc-continue")).isEmpty());
        if (!driver.findElements(By.id("kc-continue")).isEmpty()) {
            driver.findElement(By.id("kc-continue")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("consent")));
        }
        assertThat(driver.findElement(By.id("scopes")).getText()).contains("crm.objects.contacts.write");
        new Select(driver.findElement(By.id("account"))).selectByValue(Accounts.HUBSPOT_KLARA.userId());
        screenshot("hubspot-grant-more");
        driver.findElement(By.id("allow")).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Asked HubSpot for more access"));
        assertThat(driver.findElement(By.cssSelector("#connection-hubspot")).getText()).contains("crm.objects.contacts.write");
        String userId = env.admin().userIdByUsername(REALM, USER);
        assertThat(new VaultApi(env).connection("USER", userId, "hubspot").toString()).contains("crm.objects.contacts.write");
    }

    @Test
    @Order(5)
    void asHerOrganizationsConduitAdminSheConnectsItsSalesforceAndFetchesItsContacts() throws Exception {
        driver.get(app.url());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("organization-" + ORGANIZATION)));
        assertThat(driver.findElement(By.cssSelector("#connection-" + ORGANIZATION + "-salesforce .status")).getText())
                .isEqualTo("not connected");

        driver.findElement(By.id("connect-" + ORGANIZATION + "-salesforce")).click();
        consentAs(Accounts.SALESFORCE_GRETE);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("conduit-org-connect")));
        assertThat(driver.findElement(By.id("conduit-organization")).getText()).contains(ORGANIZATION);
        screenshot("organization-confirm");
        driver.findElement(By.id("conduit-confirm")).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Connected Salesforce for " + ORGANIZATION));
        assertThat(driver.findElement(By.cssSelector("#connection-" + ORGANIZATION + "-salesforce .status")).getText())
                .isEqualTo("HEALTHY");
        assertThat(new VaultApi(env).connection("ORGANIZATION", organizationId, "salesforce").get("accountId").asText())
                .isEqualTo(Accounts.SALESFORCE_GRETE.userId());

        // the page after the connect still shows the earlier personal fetch: wait for the next page and its exchange
        clickAndAwaitNextPage(By.id("fetch-" + ORGANIZATION + "-salesforce"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("exchange"), "organization=" + ORGANIZATION));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#records tr.record")));
        assertThat(text(By.id("exchange"))).contains("organization=" + ORGANIZATION);
        String token = AppTokens.json(apps.exchange(keycloakToken(), Map.of("audience", "salesforce",
                "organization", ORGANIZATION))).get("access_token").asText();
        assertThat(recordNames()).isEqualTo(expectedNames(ProviderApiCase.SALESFORCE, token))
                .doesNotContainAnyElementsOf(expectedNames(ProviderApiCase.SALESFORCE, upstreamToken("salesforce")));
        assertNoTokenOnThePage();
        screenshot("organization-contacts");
    }

    @Test
    @Order(6)
    void signingOutEndsTheSessionAtTheAppAndAtKeycloak() {
        driver.get(app.url());
        wait.until(ExpectedConditions.elementToBeClickable(By.id("sign-out"))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-in")));
        assertThat(driver.getCurrentUrl()).startsWith(app.url());
        driver.findElement(By.id("sign-in")).click();
        // no SSO session left: Keycloak asks again
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        screenshot("signed-out-again");
    }

    /** The three providers as the test checks them: the alias and the API the sandbox serves. */
    enum ProviderApiCase {
        SALESFORCE("salesforce", "Salesforce"), HUBSPOT("hubspot", "HubSpot"), GOOGLE("google", "Google");

        final String alias;
        final String name;

        ProviderApiCase(String alias, String name) {
            this.alias = alias;
            this.name = name;
        }
    }

    private void connectAndFetch(ProviderApiCase provider, Account account) throws Exception {
        driver.get(app.url());
        clickAndAwaitNextPage(By.id("connect-" + provider.alias));
        consentAs(account);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Connected " + provider.name + "."));
        assertThat(text(By.cssSelector("#connection-" + provider.alias + " .status"))).isEqualTo("HEALTHY");
        assertThat(driver.findElements(By.id("grant-" + provider.alias))).hasSize(1);
        screenshot(provider.alias + "-connected");

        // the fetch answers with a new page: wait for the old one to go, then for this provider's outcome on the new one
        clickAndAwaitNextPage(By.id("fetch-" + provider.alias));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("outcome"), "Fetched 3 of your " + provider.name));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#records tr.record")));
        assertThat(text(By.id("outcome"))).startsWith("Fetched 3 of your " + provider.name);
        assertThat(recordNames()).isEqualTo(expectedNames(provider, upstreamToken(provider.alias)));

        String exchange = text(By.id("exchange"));
        assertThat(exchange).contains("grant_type=urn:ietf:params:oauth:grant-type:token-exchange",
                "audience=" + provider.alias, "\"identity_provider\" : \"" + provider.alias + "\"", "HTTP 200");
        // tokens are masked: the first characters and the length
        assertThat(exchange).containsPattern("subject_token=[A-Za-z0-9_-]{10}…\\(\\d+ chars\\)");
        assertThat(exchange).containsPattern("\"access_token\" : \"[^\"]*…\\(\\d+ chars\\)\"");
        assertThat(exchange).containsPattern("Authorization: Bearer [^\\n]*…\\(\\d+ chars\\)");
        assertNoTokenOnThePage();
        screenshot(provider.alias + "-records");
    }

    /** Keycloak may confirm the link first; then the provider's consent as {@code account}. */
    private void consentAs(Account account) {
        wait.until(d -> !d.findElements(By.id("consent")).isEmpty() || !d.findElements(By.id("kc-continue")).isEmpty());
        if (!driver.findElements(By.id("kc-continue")).isEmpty()) {
            driver.findElement(By.id("kc-continue")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("consent")));
        }
        new Select(driver.findElement(By.id("account"))).selectByValue(account.userId());
        screenshot(account.provider().name().toLowerCase() + "-consent");
        driver.findElement(By.id("allow")).click();
    }

    private void signInWithPassword() {
        KeycloakLogin.signIn(driver, wait, USER, password);
    }

    private List<String> recordNames() {
        // read in one pass, again from the start if the page went stale meanwhile
        return wait.until(d -> d.findElements(By.cssSelector("#records tr.record td:first-child")).stream()
                .map(WebElement::getText).toList());
    }

    /** The element's text, found afresh (again if it went stale before it was read). */
    private String text(By locator) {
        return wait.until(d -> d.findElement(locator).getText());
    }

    /** Clicks what {@code button} finds now and waits until the page it was on is replaced by the next one. */
    private void clickAndAwaitNextPage(By button) {
        WebElement current = driver.findElement(By.tagName("html"));
        wait.until(ExpectedConditions.elementToBeClickable(button)).click();
        wait.until(ExpectedConditions.stalenessOf(current));
    }

    /** Neither an upstream token the sandbox issued nor the internal app's secret appears in the page. */
    private void assertNoTokenOnThePage() {
        String source = driver.getPageSource();
        List<String> found = new ArrayList<>();
        for (String token : env.sandbox().engine().issuedTokens()) {
            if (source.contains(token)) {
                found.add("a token of " + token.length() + " chars");
            }
        }
        assertThat(found).as("upstream tokens in the page").isEmpty();
        assertThat(source.contains(apps.internalSecret())).as("the internal app's secret in the page").isFalse();
    }

    /** The person's Keycloak token for the demo app's client, from a separate sign-in (the test's own). */
    private String keycloakToken() {
        return apps.passwordLogin(USER, password);
    }

    /** The upstream token Conduit serves for the person's connection now, through the internal app's exchange. */
    private String upstreamToken(String alias) {
        HttpResponse<String> answer = apps.exchange(keycloakToken(), Map.of("audience", alias));
        assertThat(answer.statusCode()).as(AppTokens.redacted(answer)).isEqualTo(200);
        return AppTokens.json(answer).get("access_token").asText();
    }

    /** The first column the sandbox's own records give for this token: contact names, or event summaries. */
    private List<String> expectedNames(ProviderApiCase provider, String upstreamToken) throws Exception {
        String base = env.sandbox().baseUrl();
        String url = switch (provider) {
            case SALESFORCE -> env.sandbox().engine().instanceUrl() + "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact";
            case HUBSPOT -> base + "/hubspot/crm/v3/objects/contacts?limit=10";
            case GOOGLE -> base + "/google/calendar/v3/calendars/primary/events";
        };
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + upstreamToken).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = AdminApi.mapper().readTree(answer.body());
        List<String> names = new ArrayList<>();
        switch (provider) {
            case SALESFORCE -> body.get("records").forEach(r -> names.add(r.get("Name").asText()));
            case HUBSPOT -> body.get("results").forEach(r -> names.add(r.get("properties").get("firstname").asText()
                    + " " + r.get("properties").get("lastname").asText()));
            case GOOGLE -> body.get("items").forEach(r -> names.add(r.get("summary").asText()));
        }
        assertThat(names).hasSize(3);
        return names;
    }

    private void screenshot(String name) {
        Chromium.screenshot(driver, String.format("demo-app/%02d-%s", ++shot, name));
    }
}
