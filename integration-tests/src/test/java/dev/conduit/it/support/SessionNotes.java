package dev.conduit.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Keycloak's session notes as a reader of its session cache sees them, through the test-only
 * {@code conduit-test-notes} resource (module test-providers). Reports where a token is, never the token.
 */
public final class SessionNotes {

    private final ConduitEnvironment env;
    private final AppTokens apps;

    public SessionNotes(ConduitEnvironment env) {
        this.env = env;
        this.apps = new AppTokens(env);
    }

    /** The notes of every authentication session (tab) of the browser's root authentication session. */
    public JsonNode ofLoginInProgress(BrowserSession browser) {
        return ofRoot(rootAuthSessionId(browser));
    }

    /** The notes of every authentication session (tab) of this root authentication session. */
    public JsonNode ofRoot(String rootId) {
        JsonNode tabs = get("authentication-sessions?root=" + URLEncoder.encode(rootId, StandardCharsets.UTF_8));
        assertThat(tabs.size()).as("authentication sessions of the login").isPositive();
        return tabs;
    }

    public JsonNode get(String path) {
        HttpResponse<String> response = apps.get(env.realmUrl() + "/conduit-test-notes/" + path);
        assertThat(response.statusCode()).as("conduit-test-notes %s", path.substring(0, path.indexOf('?'))).isEqualTo(200);
        return AppTokens.json(response);
    }

    /** Where a token is, as "tab/kind/note": never the value, so a failure prints no token. */
    public static List<String> whereTokensAre(JsonNode tabs, Set<String> tokens) {
        List<String> found = new ArrayList<>();
        tabs.fields().forEachRemaining(tab -> tab.getValue().fields().forEachRemaining(kind ->
                kind.getValue().fields().forEachRemaining(note -> {
                    if (holdsAny(note.getValue().asText(), tokens)) {
                        found.add(tab.getKey() + "/" + kind.getKey() + "/" + note.getKey());
                    }
                })));
        return found;
    }

    public static boolean holdsAny(String value, Set<String> tokens) {
        return tokens.stream().anyMatch(value::contains);
    }

    /** AUTH_SESSION_ID is base64url(rootId "." signature), with ".route" after it in a cluster. */
    public static String rootAuthSessionId(BrowserSession browser) {
        String cookie = browser.cookie("AUTH_SESSION_ID");
        assertThat(cookie).as("AUTH_SESSION_ID cookie").isNotNull();
        String signed = new String(Base64.getUrlDecoder().decode(cookie.split("\\.")[0]), StandardCharsets.UTF_8);
        return signed.substring(0, signed.lastIndexOf('.'));
    }
}
