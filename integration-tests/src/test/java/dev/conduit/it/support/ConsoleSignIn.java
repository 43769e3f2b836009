package dev.conduit.it.support;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Signs a realm user in to the connections console's client ({@code conduit-console}: authorization code with PKCE,
 * redirect to the console page) the way the page does, for tests that read what the page reads
 * ({@code /conduit-my-connections}) or start an application-initiated action ({@code kc_action=idp_link:...}).
 */
public final class ConsoleSignIn {

    private final ConduitEnvironment env;
    private final String verifier = UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
    private final String redirect;

    public ConsoleSignIn(ConduitEnvironment env) {
        this.env = env;
        this.redirect = env.realmUrl() + "/conduit-console/";
    }

    /** The authorization request, with {@code extraQuery} (already encoded, e.g. {@code &kc_action=idp_link:salesforce}). */
    public String authorizationUrl(String extraQuery) {
        return env.realmUrl() + "/protocol/openid-connect/auth?client_id=conduit-console&response_type=code&scope=openid"
                + "&state=s1&code_challenge_method=S256&code_challenge=" + challenge()
                + "&redirect_uri=" + URLEncoder.encode(redirect, StandardCharsets.UTF_8) + extraQuery;
    }

    /** Submits Keycloak's (identity-first) login form until it is gone. */
    public BrowserSession.Page logIn(BrowserSession browser, BrowserSession.Page page, String username, String password) {
        for (int step = 0; step < 3 && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", username, "password", password));
        }
        return page;
    }

    /** The console's access token for the page the flow ended on (the console page, with {@code ?code=}). */
    public String accessToken(BrowserSession.Page endedAtConsole) {
        String code = parameter(endedAtConsole.uri(), "code");
        if (code == null) {
            throw new AssertionError("the flow did not end at the console with a code: " + endedAtConsole.status() + " "
                    + endedAtConsole.uri());
        }
        HttpResponse<String> answer = new AppTokens(env).post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "authorization_code", "client_id", "conduit-console", "code", code,
                "redirect_uri", redirect, "code_verifier", verifier), null);
        if (answer.statusCode() != 200) {
            throw new AssertionError("code redemption answered " + AppTokens.redacted(answer));
        }
        return AppTokens.json(answer).get("access_token").asText();
    }

    /** Signs {@code username} in and reads their own connections as the page does. */
    public JsonNode myConnections(String username, String password) {
        BrowserSession browser = new BrowserSession();
        return myConnections(accessToken(logIn(browser, browser.open(authorizationUrl("")), username, password)));
    }

    public JsonNode myConnections(String accessToken) {
        try {
            HttpResponse<String> mine = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(env.realmUrl() + "/conduit-my-connections")).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + accessToken).build(), HttpResponse.BodyHandlers.ofString());
            if (mine.statusCode() != 200) {
                throw new AssertionError("my connections answered " + AppTokens.redacted(mine));
            }
            return AppTokens.json(mine);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String parameter(URI uri, String name) {
        String query = uri.getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private String challenge() {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
