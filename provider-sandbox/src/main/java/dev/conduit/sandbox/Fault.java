package dev.conduit.sandbox;

/** A failure the sandbox can answer with instead of the real response. */
public record Fault(Kind kind, int status, long delayMillis, String body, int retryAfterSeconds) {

    public enum Kind { STATUS, DELAY, SLOW_BODY, CONNECTION_RESET, MALFORMED_BODY, EMPTY_RESPONSE }

    public static Fault status(int status, String body) {
        return new Fault(Kind.STATUS, status, 0, body, 0);
    }

    /** HTTP 429 with {@code Retry-After: <seconds>}, as the providers answer when a client calls too often. */
    public static Fault rateLimited(int retryAfterSeconds) {
        return new Fault(Kind.STATUS, 429, 0, "{\"error\":\"rate_limited\",\"error_description\":\"Too many requests\"}",
                retryAfterSeconds);
    }

    /** An RFC 6749 error body ({@code invalid_client}, {@code unsupported_token_type}, ...) with this status. */
    public static Fault oauthError(int status, String error) {
        return status(status, "{\"error\":\"" + error + "\",\"error_description\":\"" + error + "\"}");
    }

    public static Fault serverError() {
        return status(503, "{\"error\":\"temporarily_unavailable\"}");
    }

    /** The real response, but only after the delay. */
    public static Fault delay(long millis) {
        return new Fault(Kind.DELAY, 0, millis, null, 0);
    }

    /**
     * The real response, its status and headers at once and its body in pieces spread over {@code millis}, never
     * compressed (the sandbox does not gzip, so no piece is held back): a provider that is slow to answer, but never
     * silent for long enough to hit a read timeout.
     */
    public static Fault slowBody(long millis) {
        return new Fault(Kind.SLOW_BODY, 0, millis, null, 0);
    }

    /** Whether the real response is sent, late or slowly, rather than a failure instead of it. */
    public boolean answersForReal() {
        return kind == Kind.DELAY || kind == Kind.SLOW_BODY;
    }

    public static Fault connectionReset() {
        return new Fault(Kind.CONNECTION_RESET, 0, 0, null, 0);
    }

    public static Fault malformedBody() {
        return new Fault(Kind.MALFORMED_BODY, 200, 0, "{\"access_token\": ", 0);
    }

    public static Fault emptyResponse() {
        return new Fault(Kind.EMPTY_RESPONSE, 0, 0, null, 0);
    }
}
