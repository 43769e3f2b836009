package dev.conduit.vault.refresh;

/** What an upstream refresh failure means for the connection. */
public enum RefreshFailure {
    /** Timeout, reset, 5xx, 429, unreadable body: keep the stored tokens, retry with backoff. */
    TRANSIENT,
    /** invalid_grant after storage was re-read: the refresh token is dead, the user must reconnect. */
    RECONNECT_REQUIRED,
    /** invalid_client, unauthorized_client: Conduit's client configuration is wrong; retrying will not help. */
    CONFIGURATION,
    /**
     * A server connection's mint refused for a reason an admin must fix (an app not pre-authorized for the user, an
     * unknown certificate): not retried until the credential changes or an admin asks for a refresh.
     */
    ACTION_REQUIRED;

    /**
     * @param httpStatus the token endpoint's status, or 0 when no answer came (timeout, reset)
     * @param oauthError the {@code error} of an RFC 6749 error body, or null when the body was not one
     */
    public static RefreshFailure classify(int httpStatus, String oauthError) {
        if (httpStatus == 0 || httpStatus == 429 || httpStatus >= 500 || oauthError == null) {
            return TRANSIENT;
        }
        return switch (oauthError) {
            case "invalid_grant" -> RECONNECT_REQUIRED;
            case "invalid_client", "unauthorized_client", "unsupported_grant_type" -> CONFIGURATION;
            default -> TRANSIENT;
        };
    }
}
