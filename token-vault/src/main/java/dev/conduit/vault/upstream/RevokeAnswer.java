package dev.conduit.vault.upstream;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.api.grant.UpstreamClient;

/**
 * How a revocation ended: done, or worth retrying. Done is the provider's success (2xx; RFC 7009 §2.2: the body
 * is ignored) or its documented "no such token" answer: Salesforce and Google {@code 400 invalid_token}, HubSpot
 * {@code 404} with its JSON error body. Every other answer ({@code invalid_client}, {@code unsupported_token_type},
 * {@code invalid_request}, any other 4xx, 5xx, an unreadable error body, no answer) leaves the token valid upstream
 * as far as we know, so it is a failure that is parked and retried. The reason names the status and the error code,
 * never a body or a token.
 */
public record RevokeAnswer(boolean done, int status, String reason) {

    static RevokeAnswer of(UpstreamClient.Revocation kind, int status, String body) {
        if (status >= 200 && status < 300) {
            return new RevokeAnswer(true, status, "revoked");
        }
        JsonNode json = readJson(body);
        String error = json == null ? null : text(json, "error");
        if (kind == UpstreamClient.Revocation.DELETE_PATH) {
            if (status == 404 && json != null) {
                // HubSpot: {"status":"error","message":"..."} for a refresh token it does not hold
                return new RevokeAnswer(true, status, "already invalid at the provider");
            }
        } else if (status == 400 && "invalid_token".equals(error)) {
            // Salesforce and Google: the token was already invalid (revoked, expired, unknown)
            return new RevokeAnswer(true, status, "already invalid at the provider");
        }
        String code = error != null ? safeCode(error) : json != null ? "no error code" : "unreadable answer";
        return new RevokeAnswer(false, status, "revocation refused: " + code + " (HTTP " + status + ")");
    }

    /** Worth another quick attempt now: no answer, 429 or 5xx. A 4xx refusal will not change in seconds. */
    public boolean retryNow() {
        return !done && (status == 0 || status == 429 || status >= 500);
    }

    public static RevokeAnswer unreachable(String what) {
        return new RevokeAnswer(false, 0, what);
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = TokenAnswer.JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || !node.isTextual() || node.asText().isBlank() ? null : node.asText();
    }

    /** OAuth error codes are short ASCII words; anything else is not repeated (it could echo input). */
    private static String safeCode(String error) {
        return error.matches("[A-Za-z0-9_.\\-]{1,64}") ? error : "malformed error code";
    }
}
