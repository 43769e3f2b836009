package dev.conduit.it.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import dev.conduit.demoapp.DemoApp;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.DemoApps;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A CSRF attacker against the demo app: Mary is signed in to it with Salesforce connected; a page of the
 * attacker's makes her browser post the app's forms (fetch, connect, sign out), with her session cookie but
 * without her session's CSRF token. Each is refused (403) and nothing is called: no exchange, no provider API
 * call, no redirect to Keycloak, she stays signed in. The same form with her token does work (the control).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoAppCsrfAttackIT {

    private static final String USER = "demo-app-mary";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final String password = Secrets.generate();
    private final Organizations users = new Organizations(env, password);
    private final HttpClient attacker = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final BrowserSession browser = new BrowserSession();
    private DemoApp app;
    private String cookie;
    private String csrf;

    @BeforeAll
    void marySignsInAndConnectsSalesforce() {
        users.createUser(USER);
        app = DemoApps.start(env);
        BrowserSession.Page page = browser.open(app.url() + "/login");
        for (int step = 0; step < 3 && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", USER, "password", password));
        }
        assertThat(page.document().selectFirst("#person")).as(page.body()).isNotNull();
        page = browser.submit(page, "form:has(button#connect-salesforce)", Map.of());
        if (page.document().selectFirst("button#kc-continue") != null) {
            page = browser.submit(page, "form:has(button#kc-continue)", Map.of("continue", ""));
        }
        page = browser.submit(page, "form#consent", Map.of("account", Accounts.SALESFORCE_MARY_K.userId(), "decision", "allow"));
        assertThat(page.document().selectFirst("#message").text()).as(page.body()).isEqualTo("Connected Salesforce.");
        cookie = "conduit_demo_session=" + browser.cookie("conduit_demo_session");
        csrf = page.document().selectFirst("input[name=csrf]").val();
    }

    @AfterAll
    void cleanUp() {
        DemoApps.stop(env, app);
        users.deleteUser(USER);
    }

    @Test
    void formsPostedWithoutTheSessionsCsrfTokenAreRefusedAndCallNothing() {
        int apiCalls = env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.API);
        int tokenCalls = env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.TOKEN);

        for (String form : new String[] {"provider=salesforce", "provider=salesforce&csrf=", "provider=salesforce&csrf="
                + Secrets.generate(), "provider=salesforce&csrf=" + csrf.substring(1)}) {
            HttpResponse<String> fetch = post("/fetch", form, cookie);
            assertThat(fetch.statusCode()).as(form.replace(csrf.substring(1), "(most of the token)")).isEqualTo(403);
            assertThat(fetch.headers().firstValue("Location")).isEmpty();
        }
        HttpResponse<String> connect = post("/connect", "kind=connect&provider=hubspot", cookie);
        assertThat(connect.statusCode()).isEqualTo(403);
        assertThat(connect.headers().firstValue("Location")).as("never sent to Keycloak").isEmpty();
        HttpResponse<String> signOut = post("/logout", "", cookie);
        assertThat(signOut.statusCode()).isEqualTo(403);
        // the right token without the session cookie is no better
        assertThat(post("/fetch", "provider=salesforce&csrf=" + csrf, null).statusCode()).isEqualTo(403);

        assertThat(env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.API)).as("no API call").isEqualTo(apiCalls);
        assertThat(env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.TOKEN)).as("no refresh").isEqualTo(tokenCalls);
        BrowserSession.Page home = browser.open(app.url());
        assertThat(home.document().selectFirst("#person")).as("still signed in").isNotNull();
        assertThat(home.document().selectFirst("#result")).as("no fetch recorded").isNull();

        // control: the same form with the session's CSRF token fetches
        HttpResponse<String> honest = post("/fetch", "provider=salesforce&csrf=" + csrf, cookie);
        assertThat(honest.statusCode()).isEqualTo(303);
        assertThat(env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.API)).isEqualTo(apiCalls + 1);
        assertThat(browser.open(app.url()).document().select("#records tr.record")).hasSize(3);
    }

    private HttpResponse<String> post(String path, String form, String cookieHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", "https://attacker.example")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookieHeader != null) {
            request.header("Cookie", cookieHeader);
        }
        try {
            return attacker.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
