package dev.conduit.it.support;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An app written for Keycloak's legacy (V1) internal-to-external token exchange, as Keycloak's documentation and its
 * {@code BrokerLinkAndTokenExchangeTest} write it: a confidential client the user signs in to, which then posts its
 * own access token with {@code client_id} and {@code client_secret} in the form, no {@code subject_token_type},
 * {@code requested_token_type=...:access_token} and {@code requested_issuer=<alias>}; to link, it sends the browser
 * to the answer's {@code account-link-url} plus its {@code redirect_uri}.
 */
public final class LegacyApp {

    public static final String REDIRECT = ConduitEnvironment.APP_REDIRECT + "/legacy";

    private final ConduitEnvironment env;
    private final AppTokens apps;
    public final String clientId;
    public final String secret = "legacy-" + UUID.randomUUID();

    /** The tokens the app holds after the user signed in, and the browser she signed in with. */
    public record SignedIn(BrowserSession browser, String userId, String accessToken, String refreshToken, String idToken) {
    }

    private LegacyApp(ConduitEnvironment env, String clientId) {
        this.env = env;
        this.apps = new AppTokens(env);
        this.clientId = clientId;
    }

    /** (Re)creates the app's client: confidential, standard flow, allowed {@code providers}, default permission {@code permission}. */
    public static LegacyApp create(ConduitEnvironment env, String clientId, String providers, String permission) {
        LegacyApp app = new LegacyApp(env, clientId);
        RealmSetup realm = new RealmSetup(env.admin());
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("publicClient", false);
        client.put("secret", app.secret);
        client.put("standardFlowEnabled", true);
        client.put("directAccessGrantsEnabled", false);
        client.put("redirectUris", List.of(REDIRECT));
        client.put("attributes", Map.of("standard.token.exchange.enabled", "true", "conduit.exchange.providers", providers));
        String id = realm.recreateClient(client);
        RealmSetup.expect(204, env.admin().call("PUT", REALM + "/clients/" + id + "/default-client-scopes/"
                + realm.scopeId(permission), null));
        return app;
    }

    public void delete() {
        String id = new RealmSetup(env.admin()).clientUuidOrNull(clientId);
        if (id != null) {
            env.admin().call("DELETE", REALM + "/clients/" + id, null);
        }
    }

    /** Creates a Keycloak user with a password (no provider link); returns her username. */
    public static String createUser(ConduitEnvironment env, String username, String password) {
        env.admin().call("DELETE", REALM + "/users/" + idOrEmpty(env, username), null);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("email", username + "@legacy.example");
        user.put("firstName", "Legacy");
        user.put("lastName", "User");
        user.put("enabled", true);
        user.put("emailVerified", true);
        user.put("credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)));
        RealmSetup.expect(201, env.admin().call("POST", REALM + "/users", user));
        return username;
    }

    private static String idOrEmpty(ConduitEnvironment env, String username) {
        JsonNode found = env.admin().get(REALM + "/users?exact=true&username=" + username);
        return found.size() == 0 ? "none" : found.get(0).get("id").asText();
    }

    /** The user signs in to the app with her password; the app redeems the code with its secret. */
    public SignedIn signIn(String username, String password) {
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = browser.open(env.realmUrl() + "/protocol/openid-connect/auth?client_id=" + clientId
                + "&response_type=code&scope=openid&redirect_uri=" + enc(REDIRECT) + "&state=s1");
        for (int step = 0; step < 3 && !page.endedAtApp() && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", username, "password", password));
        }
        String code = page.callbackParameter("code");
        assertThat(code).as("the sign-in ended with a code: " + page.uri() + " " + page.redirectedTo()).isNotNull();
        HttpResponse<String> tokens = apps.post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
                "client_id", clientId, "client_secret", secret), null);
        assertThat(tokens.statusCode()).as(AppTokens.redacted(tokens)).isEqualTo(200);
        JsonNode body = AppTokens.json(tokens);
        return new SignedIn(browser, env.admin().userIdByUsername(REALM, username), body.get("access_token").asText(),
                body.get("refresh_token").asText(), body.get("id_token").asText());
    }

    /** The exchange exactly as V1's documentation writes it. */
    public HttpResponse<String> exchange(String subjectToken, String requestedIssuer) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("client_secret", secret);
        form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        form.put("subject_token", subjectToken);
        form.put("requested_token_type", "urn:ietf:params:oauth:token-type:access_token");
        form.put("requested_issuer", requestedIssuer);
        return apps.post(env.realmUrl() + "/protocol/openid-connect/token", form, null);
    }

    /** The same exchange with the client authenticated by HTTP Basic instead of the form. */
    public HttpResponse<String> exchangeWithBasic(String subjectToken, String requestedIssuer) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        form.put("subject_token", subjectToken);
        form.put("requested_token_type", "urn:ietf:params:oauth:token-type:access_token");
        form.put("requested_issuer", requestedIssuer);
        return apps.post(env.realmUrl() + "/protocol/openid-connect/token", form, AppTokens.basic(clientId, secret));
    }

    /** The app sends the browser to the account-link-url with its redirect_uri, as V1's apps do. */
    public static String withRedirect(String accountLinkUrl) {
        return accountLinkUrl + "&redirect_uri=" + enc(REDIRECT);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
