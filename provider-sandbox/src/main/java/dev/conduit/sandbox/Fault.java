package dev.conduit.sandbox;

/** A failure the sandbox can answer with instead of the real response. */
public record Fault(Kind kind, int status, long delayMillis, String body, int retryAfterSeconds) {

    public enum Kind { STATUS, DELAY, CONNECTION_RESET, MALFORMED_BODY, EMPTY_RESPONSE }

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
