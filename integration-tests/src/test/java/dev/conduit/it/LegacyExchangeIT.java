package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.LegacyApp;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An app written for Keycloak's legacy internal-to-external exchange ({@link LegacyApp}: the requests of Keycloak's
 * V1 documentation and {@code BrokerLinkAndTokenExchangeTest}) gets vault tokens and V1's answers from Conduit.
 */
class LegacyExchangeIT {

    private static final String APP = "legacy-v1-app";
    private static final String USER = "legacy-v1-user";
    private static final String PASSWORD = "Legacy-v1-password-1";
    private static final Account SALESFORCE_ACCOUNT = Accounts.SALESFORCE_EVELYN;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final VaultApi vault = new VaultApi(env);
    private LegacyApp app;

    @BeforeEach
    void setUp() {
        env.admin().deleteUserByEmail(REALM, SALESFORCE_ACCOUNT.email());
        app = LegacyApp.create(env, APP, "salesforce", "crm.contacts.read");
        LegacyApp.createUser(env, USER, PASSWORD);
    }

    @AfterEach
    void tearDown() {
        app.delete();
    }

    @Test
    void aUserWithoutTheLinkGetsNotLinkedAndTheAccountLinkUrlThatLinksHerThenTheVaultToken() {
        LegacyApp.SignedIn user = app.signIn(USER, PASSWORD);

        HttpResponse<String> notLinked = app.exchange(user.accessToken(), "salesforce");

        JsonNode error = assertRefused(notLinked, 400, "not_linked", "identity provider is not linked");
        String link = error.get("account-link-url").asText();
        assertThat(link).startsWith(env.realmUrl() + "/broker/salesforce/link?nonce=").contains("&hash=")
                .endsWith("&client_id=" + APP);
        assertThat(vault.connection("USER", user.userId(), "salesforce")).isNull();

        followLink(user.browser(), link);

        JsonNode connection = vault.connection("USER", user.userId(), "salesforce");
        assertThat(connection).isNotNull();
        assertThat(connection.get("status").asText()).isEqualTo("HEALTHY");
        sandbox.resetCounts();
        JsonNode served = ok(app.exchange(user.accessToken(), "salesforce"));
        assertThat(sandbox.accessTokenActive(served.get("access_token").asText())).isTrue();
        assertThat(served.get("issued_token_type").asText()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(served.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(served.get("instance_url").asText()).isEqualTo(sandbox.instanceUrl());
        assertThat(served.has("refresh_token")).isFalse();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isZero();

        JsonNode viaBasic = ok(app.exchangeWithBasic(user.accessToken(), "salesforce"));
        assertThat(viaBasic.get("access_token").asText()).isEqualTo(served.get("access_token").asText());
    }

    @Test
    void aTokenDueForRefreshIsRefreshedOnceAndServed() {
        LegacyApp.SignedIn user = linkedUser();
        String before = ok(app.exchange(user.accessToken(), "salesforce")).get("access_token").asText();
        vault.expireAccessToken(vault.connection("USER", user.userId(), "salesforce").get("id").asText());
        sandbox.resetCounts();

        JsonNode served = ok(app.exchange(user.accessToken(), "salesforce"));

        assertThat(served.get("access_token").asText()).isNotEqualTo(before);
        assertThat(sandbox.accessTokenActive(served.get("access_token").asText())).isTrue();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(1);
    }

    @Test
    void aGrantRevokedAtTheProviderIsTokenExpiredWithALinkThatLinksAgain() {
        Set<String> issuedBefore = new HashSet<>(sandbox.issuedTokens());
        LegacyApp.SignedIn user = linkedUser();
        List<String> issued = new ArrayList<>(sandbox.issuedTokens());
        issued.removeAll(issuedBefore);
        String refreshToken = issued.stream().filter(t -> t.startsWith("5Aep861")).findFirst().orElseThrow();
        String id = vault.connection("USER", user.userId(), "salesforce").get("id").asText();
        assertThat(new AppTokens(env).post(env.sandbox().baseUrl() + "/salesforce/services/oauth2/revoke",
                Map.of("token", refreshToken), null).statusCode()).isEqualTo(200);
        vault.expireAccessToken(id);

        HttpResponse<String> expired = app.exchange(user.accessToken(), "salesforce");

        JsonNode error = assertRefused(expired, 400, "token_expired", "linked token is expired");
        assertThat(error.get("conduit_error").asText()).isEqualTo("reconnect_required");
        assertThat(vault.connection(id).get("status").asText()).isEqualTo("RECONNECT_REQUIRED");
        // asked again, V1's answer again, without another call to the provider
        sandbox.resetCounts();
        String link = assertRefused(app.exchange(user.accessToken(), "salesforce"), 400, "token_expired", "expired")
                .get("account-link-url").asText();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isZero();

        followLink(user.browser(), link);

        JsonNode served = ok(app.exchange(user.accessToken(), "salesforce"));
        assertThat(sandbox.accessTokenActive(served.get("access_token").asText())).isTrue();
        assertThat(vault.connection("USER", user.userId(), "salesforce").get("status").asText()).isEqualTo("HEALTHY");
    }

    /** The standard RFC 8693 form is untouched: Conduit's invalid_target + connect_uri, and the type stays required. */
    @Test
    void theRfc8693FormKeepsItsOwnAnswers() {
        LegacyApp.SignedIn user = app.signIn(USER, PASSWORD);
        AppTokens apps = new AppTokens(env);
        String tokenUrl = env.realmUrl() + "/protocol/openid-connect/token";
        Map<String, String> standard = AppTokens.exchangeForm(user.accessToken(), Map.of("audience", "salesforce"));

        JsonNode error = assertConduitRefused(apps.post(tokenUrl, standard, AppTokens.basic(APP, app.secret)), 400,
                "invalid_target", "not_connected", "connect it first");
        assertThat(error.has("account-link-url")).isFalse();
        assertThat(error.get("connect_uri").asText()).contains("kc_action=idp_link%3Asalesforce");

        Map<String, String> untyped = new java.util.LinkedHashMap<>(standard);
        untyped.remove("subject_token_type");
        assertRefused(apps.post(tokenUrl, untyped, AppTokens.basic(APP, app.secret)), 400, "invalid_request",
                "subject_token_type must be an access token");
    }

    private LegacyApp.SignedIn linkedUser() {
        LegacyApp.SignedIn user = app.signIn(USER, PASSWORD);
        String link = assertRefused(app.exchange(user.accessToken(), "salesforce"), 400, "not_linked", "not linked")
                .get("account-link-url").asText();
        followLink(user.browser(), link);
        return user;
    }

    /** The app sends the browser to the link with its redirect_uri; the user consents at the provider. */
    private void followLink(BrowserSession browser, String link) {
        BrowserSession.Page consent = browser.open(LegacyApp.withRedirect(link));
        assertThat(consent.document().selectFirst("form#consent")).as(consent.uri() + "\n" + consent.body()).isNotNull();
        BrowserSession.Page back = new BrokerFlows(env).allow(browser, consent, SALESFORCE_ACCOUNT);
        assertThat(back.redirectedTo()).as(back.uri() + "\n" + back.body()).startsWith(LegacyApp.REDIRECT);
        assertThat(back.callbackParameter("link_error")).isNull();
    }

    static JsonNode ok(HttpResponse<String> response) {
        return VaultRefreshIT.ok(response);
    }
}
