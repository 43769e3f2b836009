package dev.conduit.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Asserts which check refused a request. An RFC 6749/8693 {@code error} code is shared by many checks
 * ({@code invalid_request} covers a bad subject token as well as a duplicated parameter), so a refusal is pinned by its
 * status, its code and a stable part of its {@code error_description} (or Conduit's own {@code conduit_error}); and a
 * refusal never carries a token.
 */
public final class Refusals {

    private Refusals() {
    }

    /**
     * @param descriptionPart a stable part of the {@code error_description} of the check that should refuse
     * @return the answer's body
     */
    public static JsonNode assertRefused(HttpResponse<String> response, int status, String error, String descriptionPart) {
        String shown = AppTokens.redacted(response);
        assertThat(response.statusCode()).as(shown).isEqualTo(status);
        JsonNode body = AppTokens.json(response);
        assertThat(body.path("error").asText()).as(shown).isEqualTo(error);
        assertThat(body.path("error_description").asText()).as(shown).contains(descriptionPart);
        assertThat(body.has("access_token")).as("a refusal carries no access token").isFalse();
        assertThat(body.has("refresh_token")).as("a refusal carries no refresh token").isFalse();
        return body;
    }

    /** As {@link #assertRefused}, for a refusal that also names Conduit's reason ({@code conduit_error}). */
    public static JsonNode assertConduitRefused(HttpResponse<String> response, int status, String error, String conduitError,
            String descriptionPart) {
        JsonNode body = assertRefused(response, status, error, descriptionPart);
        assertThat(body.path("conduit_error").asText()).as(AppTokens.redacted(response)).isEqualTo(conduitError);
        return body;
    }
}
