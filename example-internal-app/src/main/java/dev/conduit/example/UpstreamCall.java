package dev.conduit.example;

import java.io.IOException;

/**
 * One call of a provider's API with an upstream token, for {@link UpstreamTokens#call}: it sends the request with
 * {@link UpstreamToken#accessToken()} and says what the provider answered. A {@code 401} makes
 * {@link UpstreamTokens#call} ask Conduit once for a replacement token and call again.
 *
 * <pre>{@code
 * HttpResponse<String> contacts = tokens.call(subjectToken, "salesforce", null, token -> {
 *     HttpResponse<String> r = http.send(contactsQuery(token), HttpResponse.BodyHandlers.ofString());
 *     return new UpstreamCall.Answer<>(r.statusCode(), r);
 * });
 * }</pre>
 *
 * @param <T> what the caller makes of the provider's answer
 */
@FunctionalInterface
public interface UpstreamCall<T> {

    /** Calls the provider's API with this token (once: retrying is the caller's or {@link UpstreamTokens#call}'s job). */
    Answer<T> call(UpstreamToken token) throws IOException, InterruptedException;

    /**
     * The provider's answer to one call.
     *
     * @param status the HTTP status the provider answered: {@value #UNAUTHORIZED} means it refused the token
     * @param body   what the caller made of the answer, returned by {@link UpstreamTokens#call} (may be null)
     */
    record Answer<T>(int status, T body) {

        public static final int UNAUTHORIZED = 401;

        /** Whether the provider refused the token itself (HTTP 401), as opposed to the request (400, 403, 404, ...). */
        public boolean tokenRefused() {
            return status == UNAUTHORIZED;
        }
    }
}
