package dev.conduit.vault.upstream;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conduit.vault.refresh.RefreshFailure;

/**
 * A provider token endpoint's answer to a refresh, read the same way for all three providers: an RFC 6749
 * success body, an RFC 6749 error, HubSpot's legacy {@code BAD_REFRESH_TOKEN}, or something else (an HTML
 * error page, an empty body), which counts as transient. {@link #toString()} never shows a token.
 */
public sealed interface TokenAnswer {

    ObjectMapper JSON = new ObjectMapper();

    /**
     * @param refreshToken the rotated refresh token, or null when the provider sent none (keep the old one)
     * @param expiresIn seconds, or null (Salesforce sends none)
     * @param scopes the granted scopes the answer names, or null when it names none (keep the recorded ones)
     */
    record Granted(String accessToken, String refreshToken, Long expiresIn, Set<String> scopes, String instanceUrl)
            implements TokenAnswer {
        @Override
        public String toString() {
            return "Granted[expiresIn=" + expiresIn + ", rotated=" + (refreshToken != null) + ", scopes=" + scopes + "]";
        }
    }

    /**
     * @param status HTTP status, 0 when no answer came (timeout, reset), -1 when the request was not sent
     * @param error the OAuth error code or a short description of what went wrong, never a token
     */
    record Refused(RefreshFailure failure, int status, String error, Duration retryAfter, String description)
            implements TokenAnswer {

        /** @param description the provider's {@code error_description} (untrusted, bounded), or for a mint refusal
         *        Conduit's words of it; null when none */
        public Refused(RefreshFailure failure, int status, String error, Duration retryAfter) {
            this(failure, status, error, retryAfter, null);
        }

        public String reason() {
            return error + (status > 0 ? " (HTTP " + status + ")" : "");
        }
    }

    /** The request was not sent: the client is misconfigured here (a secret missing from Keycloak's vault). */
    static TokenAnswer notSent(String what) {
        return new Refused(RefreshFailure.CONFIGURATION, -1, what, null);
    }

    static TokenAnswer unreachable(String what) {
        return new Refused(RefreshFailure.TRANSIENT, 0, what, null);
    }

    static TokenAnswer parse(int status, String body, String retryAfterHeader) {
        Duration retryAfter = retryAfter(retryAfterHeader);
        JsonNode json = readJson(body);
        if (status == 200 && json != null && text(json, "access_token") != null) {
            return new Granted(text(json, "access_token"), text(json, "refresh_token"), expiresIn(json), scopes(json),
                    text(json, "instance_url"));
        }
        String error = json == null ? null : text(json, "error");
        if (error == null && json != null && "BAD_REFRESH_TOKEN".equals(text(json, "status"))) {
            error = "invalid_grant"; // HubSpot's legacy form of the same answer
        }
        if (status == 200) {
            return new Refused(RefreshFailure.TRANSIENT, status, "token answer without access_token", retryAfter);
        }
        RefreshFailure failure = RefreshFailure.classify(status, error);
        String description = json == null ? null : text(json, "error_description");
        return new Refused(failure, status, error == null ? "unreadable token answer" : safeCode(error), retryAfter,
                description == null ? null : dev.conduit.api.support.UntrustedText.forDisplay(description, 256));
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() || node.asText().isBlank() ? null : node.asText();
    }

    private static Long expiresIn(JsonNode json) {
        JsonNode node = json.get("expires_in");
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            long value = node.isNumber() ? node.asLong() : Long.parseLong(node.asText().trim());
            return value > 0 ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Set<String> scopes(JsonNode json) {
        String scope = text(json, "scope");
        if (scope == null) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : scope.trim().split("\\s+")) {
            out.add(s);
        }
        return out;
    }

    private static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** OAuth error codes are short ASCII words; anything else is not repeated (it could echo input). */
    private static String safeCode(String error) {
        return error.matches("[A-Za-z0-9_.\\-]{1,64}") ? error : "malformed error code";
    }
}
