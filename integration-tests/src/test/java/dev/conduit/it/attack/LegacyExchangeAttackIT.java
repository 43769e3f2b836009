package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

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
 * What the legacy form's leniency (no {@code subject_token_type}) and its account-link URL must not open. Mallory runs
 * an app written for Keycloak's V1 exchange, allowed Salesforce; she has her own Salesforce link.
 */
class LegacyExchangeAttackIT {

    private static final String MALLORY_APP = "legacy-mallory-app";
    private static final String MALLORY = "legacy-mallory";
    private static final String VICTIM = "legacy-victim";
    private static final String PASSWORD = "Legacy-attack-password-1";
    private static final Account MALLORY_SALESFORCE = Accounts.SALESFORCE_BETTY;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final VaultApi vault = new VaultApi(env);
    private LegacyApp app;

    @BeforeEach
    void setUp() {
        env.admin().deleteUserByEmail(REALM, MALLORY_SALESFORCE.email());
        app = LegacyApp.create(env, MALLORY_APP, "salesforce", "crm.contacts.read");
        LegacyApp.createUser(env, MALLORY, PASSWORD);
        LegacyApp.createUser(env, VICTIM, PASSWORD);
    }

    @AfterEach
    void tearDown() {
        app.delete();
    }

    /**
     * Mallory sends her ID token, then her refresh token, as the legacy form's subject token with no type: the default
     * (access token) does not make them one; Keycloak's token-type check refuses both, nothing is served or refreshed.
     */
    @Test
    void malloryCannotPassAnIdTokenOrARefreshTokenAsTheUntypedSubjectToken() {
        LegacyApp.SignedIn mallory = linked(app.signIn(MALLORY, PASSWORD));
        JsonNode before = vault.connection("USER", mallory.userId(), "salesforce");
        sandbox.resetCounts();

        for (String notAnAccessToken : new String[] {mallory.idToken(), mallory.refreshToken()}) {
            HttpResponse<String> refused = app.exchange(notAnAccessToken, "salesforce");
            JsonNode body = assertRefused(refused, 400, "invalid_request", "subject_token is invalid");
            assertThat(body.has("access_token")).isFalse();
            assertThat(body.has("account-link-url")).isFalse();
        }

        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isZero();
        assertThat(vault.connection("USER", mallory.userId(), "salesforce")).isEqualTo(before);
        // her own access token on the same form is served: the refusals above were the token type's
        assertThat(app.exchange(mallory.accessToken(), "salesforce").statusCode()).isEqualTo(200);
    }

    /**
     * Mallory's app posts the victim's access token, issued to another app (the demo app), on the legacy form: refused
     * as on the standard form (neither azp nor aud), with no account-link URL for the victim's session.
     */
    @Test
    void malloryCannotExchangeAnotherAppsTokenOfTheVictim() {
        String victimToken = new AppTokens(env).passwordLogin(VICTIM, PASSWORD);

        JsonNode body = assertRefused(app.exchange(victimToken, "salesforce"), 400, "invalid_request",
                "neither the subject token's azp nor in its aud");

        assertThat(body.has("account-link-url")).isFalse();
        String victimId = env.admin().userIdByUsername(REALM, VICTIM);
        assertThat(vault.connection("USER", victimId, "salesforce")).isNull();
    }

    /**
     * Mallory gets an account-link URL for her own session and has the victim (signed in to the same app) open it:
     * the hash names Mallory's session, so Keycloak refuses it in the victim's browser and the victim stays unlinked:
     * Mallory cannot plant her Salesforce account on the victim.
     */
    @Test
    void malloryCannotHaveTheVictimOpenHerAccountLinkUrl() {
        LegacyApp.SignedIn mallory = app.signIn(MALLORY, PASSWORD);
        String link = assertRefused(app.exchange(mallory.accessToken(), "salesforce"), 400, "not_linked", "not linked")
                .get("account-link-url").asText();
        LegacyApp.SignedIn victim = app.signIn(VICTIM, PASSWORD);

        BrowserSession.Page page = victim.browser().open(LegacyApp.withRedirect(link));

        assertThat(page.document().selectFirst("form#consent")).as("no consent page at the provider").isNull();
        assertThat(page.status()).as(page.uri().toString()).isEqualTo(400);
        assertThat(env.admin().federatedIdentities(REALM, victim.userId()).size()).isZero();
        assertThat(vault.connection("USER", victim.userId(), "salesforce")).isNull();
    }

    private LegacyApp.SignedIn linked(LegacyApp.SignedIn user) {
        String link = assertRefused(app.exchange(user.accessToken(), "salesforce"), 400, "not_linked", "not linked")
                .get("account-link-url").asText();
        BrowserSession.Page consent = user.browser().open(LegacyApp.withRedirect(link));
        BrowserSession.Page back = new BrokerFlows(env).allow(user.browser(), consent, MALLORY_SALESFORCE);
        assertThat(back.redirectedTo()).as(back.uri() + "\n" + back.body()).startsWith(LegacyApp.REDIRECT);
        assertThat(vault.connection("USER", user.userId(), "salesforce")).isNotNull();
        return user;
    }
}
