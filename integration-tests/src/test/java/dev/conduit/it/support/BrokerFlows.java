package dev.conduit.it.support;

import java.util.HashMap;
import java.util.Map;

import dev.conduit.sandbox.Account;

/** The browser-style steps of a broker login, from the app's login link to the app's callback. */
public final class BrokerFlows {

    private final ConduitEnvironment env;

    public BrokerFlows(ConduitEnvironment env) {
        this.env = env;
    }

    /** Opens the app's login with {@code kc_idp_hint}, so the browser lands on the sandbox's consent page. */
    public BrowserSession.Page openConsent(BrowserSession browser, String alias) {
        BrowserSession.Page page = browser.open(env.appLoginUrl(alias));
        if (page.document().selectFirst("form#consent") == null) {
            throw new AssertionError("expected the sandbox consent page, got " + page.status() + " " + page.uri() + ":\n" + page.body());
        }
        return page;
    }

    public BrowserSession.Page allow(BrowserSession browser, BrowserSession.Page consent, Account account) {
        return browser.submit(consent, "form#consent", Map.of("account", account.userId(), "decision", "allow"));
    }

    /**
     * Walks Keycloak's first-broker-login pages: fills a review-profile form with what is missing, chooses
     * "add to existing account" and re-authenticates with the password where Keycloak asks.
     */
    public BrowserSession.Page completeKeycloakPages(BrowserSession browser, BrowserSession.Page page, Account account) {
        for (int step = 0; step < 6 && !page.endedAtApp(); step++) {
            var doc = page.document();
            if (doc.selectFirst("form#consent") != null) {
                // the provider asks for consent again (Google, when Conduit holds no refresh token)
                page = allow(browser, page, account);
            } else if (doc.selectFirst("form#kc-register-form, form#kc-update-profile-form") != null
                    || doc.selectFirst("input[name=firstName]") != null) {
                Map<String, String> values = new HashMap<>();
                values.put("email", account.email());
                values.put("firstName", account.givenName());
                values.put("lastName", account.familyName());
                values.put("username", account.email());
                String selector = doc.selectFirst("form#kc-register-form") != null ? "form#kc-register-form"
                        : doc.selectFirst("form#kc-update-profile-form") != null ? "form#kc-update-profile-form" : "form";
                page = browser.submit(page, selector, values);
            } else if (doc.selectFirst("button[name=submitAction][value=linkAccount]") != null) {
                page = browser.submit(page, "form#kc-register-form, form", Map.of("submitAction", "linkAccount"));
            } else if (doc.selectFirst("input[name=password]") != null) {
                page = browser.submit(page, "form#kc-form-login", Map.of("username", ConduitEnvironment.EXISTING_USER,
                        "password", env.existingUserPassword()));
            } else {
                throw new AssertionError("unexpected Keycloak page " + page.status() + " " + page.uri() + ":\n" + page.body());
            }
        }
        return page;
    }

    /**
     * Application-initiated account linking ({@code kc_action=idp_link:<alias>}): the existing user signs in
     * with her password, Keycloak sends her to the provider, and the callback links the provider account.
     */
    public BrowserSession.Page linkExistingUser(BrowserSession browser, String alias, Account account) {
        BrowserSession.Page consent = browser.open(env.appLoginUrl(null) + "&kc_action=idp_link:" + alias);
        // organizations make the login identity-first: username, then password
        for (int step = 0; step < 3 && consent.document().selectFirst("form#kc-form-login") != null; step++) {
            consent = browser.submit(consent, "form#kc-form-login",
                    Map.of("username", ConduitEnvironment.EXISTING_USER, "password", env.existingUserPassword()));
        }
        if (consent.document().selectFirst("button#kc-continue") != null) {
            // Keycloak asks the user to confirm linking the provider
            consent = browser.submit(consent, "form:has(button#kc-continue)", Map.of("continue", ""));
        }
        if (consent.document().selectFirst("form#consent") == null) {
            throw new AssertionError("expected the sandbox consent page, got " + consent.status() + " " + consent.uri()
                    + ":\n" + consent.body());
        }
        return allow(browser, consent, account);
    }

    /** Full login through the provider as {@code account}; returns the page that ended the flow. */
    public BrowserSession.Page login(BrowserSession browser, String alias, Account account) {
        BrowserSession.Page consent = openConsent(browser, alias);
        return completeKeycloakPages(browser, allow(browser, consent, account), account);
    }
}
