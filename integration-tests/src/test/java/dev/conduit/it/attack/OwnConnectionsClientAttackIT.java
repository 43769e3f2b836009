package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code conduit-my-connections} answers tokens of the console, the account console, and clients whose attribute
 * {@code conduit.own-connections.read} is {@code true} (the demo app). Mallory runs an app of her own in the realm
 * (a client without the attribute); Carol signs in to it, so Mallory's app holds a valid token of Carol's. With it,
 * Mallory's app cannot list Carol's connections, nor an organization's: 401, and nothing about them in the answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnConnectionsClientAttackIT {

    private static final String MALLORY_APP = "mallory-connections-reader";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final RealmSetup realm = new RealmSetup(env.admin());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String carolsDemoAppToken;
    private String carolsTokenForMallory;
    private String carolId;

    @BeforeAll
    void carolConnectsSalesforceAndSignsInToMallorysAppToo() {
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_CAROL.email());
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), "salesforce", Accounts.SALESFORCE_CAROL);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        carolsDemoAppToken = apps.accessToken(end);
        carolId = env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_CAROL.email());

        // Mallory's app: an ordinary public client of the realm, like any app a developer may register
        realm.recreateClient(Map.of("clientId", MALLORY_APP, "publicClient", true, "standardFlowEnabled", true,
                "directAccessGrantsEnabled", false, "redirectUris", List.of(ConduitEnvironment.APP_REDIRECT),
                "attributes", Map.of("pkce.code.challenge.method", "S256")));
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page consent = browser.open(env.appLoginUrl("salesforce")
                .replace("client_id=" + ConduitEnvironment.APP_CLIENT, "client_id=" + MALLORY_APP));
        BrowserSession.Page atMallory = new BrokerFlows(env).completeKeycloakPages(browser,
                new BrokerFlows(env).allow(browser, consent, Accounts.SALESFORCE_CAROL), Accounts.SALESFORCE_CAROL);
        assertThat(atMallory.endedAtApp()).as(atMallory.body()).isTrue();
        HttpResponse<String> redeemed = apps.post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "authorization_code", "client_id", MALLORY_APP, "code", atMallory.callbackParameter("code"),
                "redirect_uri", ConduitEnvironment.APP_REDIRECT, "code_verifier", ConduitEnvironment.APP_PKCE_VERIFIER), null);
        assertThat(redeemed.statusCode()).as(AppTokens.redacted(redeemed)).isEqualTo(200);
        carolsTokenForMallory = AppTokens.json(redeemed).get("access_token").asText();
    }

    @AfterAll
    void cleanUp() {
        String mallory = realm.clientUuidOrNull(MALLORY_APP);
        if (mallory != null) {
            env.admin().call("DELETE", REALM + "/clients/" + mallory, null);
        }
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_CAROL.email());
    }

    @Test
    void mallorysAppCannotListCarolsConnectionsWithCarolsTokenForIt() {
        JsonNode before = new VaultApi(env).connection("USER", carolId, "salesforce");
        assertThat(before).as("Carol has a Salesforce connection").isNotNull();
        // the demo app, which has the attribute, reads it with Carol's token for the demo app
        HttpResponse<String> demoApp = get("/conduit-my-connections", carolsDemoAppToken);
        assertThat(demoApp.statusCode()).isEqualTo(200);
        assertThat(demoApp.body()).contains("salesforce", Accounts.SALESFORCE_CAROL.userId());

        HttpResponse<String> mallory = get("/conduit-my-connections", carolsTokenForMallory);
        assertThat(mallory.statusCode()).isEqualTo(401);
        assertThat(mallory.body()).doesNotContain("salesforce", Accounts.SALESFORCE_CAROL.userId(), before.get("id").asText());

        HttpResponse<String> organization = get("/conduit-my-connections/organizations/acme", carolsTokenForMallory);
        assertThat(organization.statusCode()).isEqualTo(401);
        assertThat(organization.body()).doesNotContain("connections");

        assertThat(new VaultApi(env).connection("USER", carolId, "salesforce")).as("nothing changed").isEqualTo(before);
    }

    private HttpResponse<String> get(String path, String bearer) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(env.realmUrl() + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
