package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Secrets;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxClient;
import org.junit.jupiter.api.Test;

/** Callbacks and token responses that must be refused, each with what the person sees and what did not happen. */
class BrokerRefusalIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final BrokerFlows flows = new BrokerFlows(env);

    /** Consent given at the sandbox; returns the callback URL (code + state) without visiting it. */
    private String callbackFromConsent(BrowserSession browser, String alias, dev.conduit.sandbox.Account account) {
        BrowserSession.Page consent = flows.openConsent(browser, alias);
        BrowserSession.Page answer = browser.submitOnce(consent, "form#consent",
                Map.of("account", account.userId(), "decision", "allow"));
        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.redirectedTo()).contains("/broker/" + alias + "/endpoint?code=");
        return answer.redirectedTo();
    }

    /** The demo realm's identity provider {@code alias} under another alias (and so another redirect URI). */
    private ObjectNode copyOf(String alias, String newAlias) {
        ObjectNode idp = (ObjectNode) env.admin().identityProvider(REALM, alias).deepCopy();
        idp.remove("internalId");
        idp.put("alias", newAlias);
        return idp;
    }

    private static void assertRefused(BrowserSession.Page page) {
        assertThat(page.endedAtApp()).as("no login reached the app").isFalse();
        assertThat(page.status()).as("an error page, not a server error").isBetween(400, 499);
    }

    @Test
    void callbackWithForgedStateIsRefusedBeforeTheCodeIsRedeemed() {
        BrowserSession browser = new BrowserSession();
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_CHARLES.email());
        String callback = callbackFromConsent(browser, "salesforce", Accounts.SALESFORCE_CHARLES);
        int redemptions = env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code");

        String forged = callback.replaceFirst("state=[^&]+", "state=" + Secrets.generate() + ".tab.conduit-demo-app");
        BrowserSession.Page page = browser.open(forged);

        assertRefused(page);
        assertThat(env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code")).isEqualTo(redemptions);
        assertThat(env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_CHARLES.email())).isNull();
    }

    @Test
    void callbackWithoutStateIsRefused() {
        BrowserSession browser = new BrowserSession();
        String callback = callbackFromConsent(browser, "salesforce", Accounts.SALESFORCE_CHARLES);
        assertRefused(browser.open(callback.replaceFirst("&state=[^&]+", "")));
    }

    @Test
    void replayedCallbackDoesNotLogInAgain() {
        BrowserSession browser = new BrowserSession();
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_CHARLES.email());
        String callback = callbackFromConsent(browser, "salesforce", Accounts.SALESFORCE_CHARLES);
        BrowserSession.Page first = flows.completeKeycloakPages(browser, browser.open(callback), Accounts.SALESFORCE_CHARLES);
        assertThat(first.endedAtApp()).isTrue();

        int redemptions = env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code");

        BrowserSession.Page replay = new BrowserSession().open(callback);

        assertRefused(replay);
        assertThat(env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code")).isEqualTo(redemptions);
    }

    @Test
    void callbackCarriedToAnotherProviderIsRefusedAsMixUp() {
        BrowserSession browser = new BrowserSession();
        String salesforceCallback = callbackFromConsent(browser, "salesforce", Accounts.SALESFORCE_CHARLES);
        int hubspotRedemptions = env.sandbox().engine().tokenCalls(Provider.HUBSPOT, "authorization_code");
        int salesforceRedemptions = env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code");

        BrowserSession.Page page = browser.open(salesforceCallback.replace("/broker/salesforce/endpoint", "/broker/hubspot/endpoint"));

        assertRefused(page);
        assertThat(env.sandbox().engine().tokenCalls(Provider.HUBSPOT, "authorization_code")).isEqualTo(hubspotRedemptions);
        assertThat(env.sandbox().engine().tokenCalls(Provider.SALESFORCE, "authorization_code")).isEqualTo(salesforceRedemptions);
    }

    @Test
    void googleAuthorizationResponseNamingAnotherIssuerIsRefused() {
        BrowserSession browser = new BrowserSession();
        String callback = callbackFromConsent(browser, "google", Accounts.GOOGLE_ALAN);
        int redemptions = env.sandbox().engine().tokenCalls(Provider.GOOGLE, "authorization_code");

        BrowserSession.Page page = browser.open(callback.replaceFirst("iss=[^&]+", "iss=https%3A%2F%2Fevil.example"));

        assertRefused(page);
        assertThat(env.sandbox().engine().tokenCalls(Provider.GOOGLE, "authorization_code")).isEqualTo(redemptions);
    }

    @Test
    void idTokenFromTheWrongIssuerIsRefused() {
        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_ALAN.email());
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page consent = flows.openConsent(browser, "google");
        env.sandbox().engine().nextGoogleIdTokenIssuer("https://accounts.evil.example");

        BrowserSession.Page page = flows.allow(browser, consent, Accounts.GOOGLE_ALAN);

        assertThat(page.endedAtApp()).isFalse();
        assertThat(page.status()).isGreaterThanOrEqualTo(400);
        assertThat(page.body()).doesNotContain("ya29.");
        assertThat(env.admin().userIdByEmail(REALM, Accounts.GOOGLE_ALAN.email())).isNull();
    }

    @Test
    void redirectUriNotRegisteredAtTheProviderGetsNoCode() {
        env.admin().createIdentityProvider(REALM, copyOf("salesforce", "salesforce-unregistered"));
        BrowserSession browser = new BrowserSession();

        BrowserSession.Page page = browser.open(env.appLoginUrl("salesforce-unregistered"));

        assertThat(page.uri().toString()).startsWith(env.sandbox().salesforceLoginHost());
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.document().select("#error").text()).contains("redirect_uri_mismatch");
        assertThat(page.document().selectFirst("form#consent")).isNull();
    }

    @Test
    void googleAccountOutsideTheWorkspaceDomainIsRefused() {
        String clientId = "conduit-acme-only.apps.sandbox";
        String secret = Secrets.generate();
        String alias = "google-acme-only";
        env.sandbox().engine().register(new SandboxClient(Provider.GOOGLE, clientId, secret,
                java.util.List.of(env.realmUrl() + "/broker/" + alias + "/endpoint")));
        ObjectNode idp = copyOf("google", alias);
        ObjectNode config = (ObjectNode) idp.get("config");
        config.put("clientId", clientId);
        config.put("clientSecret", secret);
        config.put("hostedDomain", "acme.example");
        env.admin().createIdentityProvider(REALM, idp);
        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_PERSONAL.email());
        BrowserSession browser = new BrowserSession();

        BrowserSession.Page consent = flows.openConsent(browser, alias);
        assertThat(consent.uri().getQuery()).contains("hd=acme.example");
        BrowserSession.Page page = flows.allow(browser, consent, Accounts.GOOGLE_PERSONAL);

        assertThat(page.endedAtApp()).isFalse();
        assertThat(page.status()).isGreaterThanOrEqualTo(400);
        assertThat(env.admin().userIdByEmail(REALM, Accounts.GOOGLE_PERSONAL.email())).isNull();
    }
}
