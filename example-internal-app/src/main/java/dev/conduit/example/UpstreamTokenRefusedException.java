package dev.conduit.example;

/**
 * Keycloak refused the exchange. The RFC 6749 {@code error} says why in general terms; when the connection
 * needs a person (never connected, or the provider revoked it), {@code conduit_error} says which and
 * {@code connect_uri} is where to send the user (or the organization's admin) to connect it again.
 */
public final class UpstreamTokenRefusedException extends RuntimeException {

    /** The connection was never made. */
    public static final String NOT_CONNECTED = "not_connected";
    /** The provider no longer accepts the stored grant: the user (or org admin) must connect again. */
    public static final String RECONNECT_REQUIRED = "reconnect_required";

    private final int httpStatus;
    private final String error;
    private final String errorDescription;
    private final String conduitError;
    private final String connectUri;

    public UpstreamTokenRefusedException(int httpStatus, String error, String errorDescription, String conduitError,
            String connectUri) {
        super("token exchange refused: HTTP " + httpStatus + ", error=" + error
                + (conduitError == null ? "" : ", conduit_error=" + conduitError)
                + (errorDescription == null ? "" : " (" + errorDescription + ")"));
        this.httpStatus = httpStatus;
        this.error = error;
        this.errorDescription = errorDescription;
        this.conduitError = conduitError;
        this.connectUri = connectUri;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** RFC 6749/8693 error code ({@code invalid_target}, {@code invalid_request}, ...); null if the answer had none. */
    public String error() {
        return error;
    }

    public String errorDescription() {
        return errorDescription;
    }

    /** {@value #NOT_CONNECTED} or {@value #RECONNECT_REQUIRED} when a person must connect the provider; else null. */
    public String conduitError() {
        return conduitError;
    }

    /**
     * Keycloak's account-linking URL for the provider, for the app to complete with its own {@code redirect_uri}
     * and {@code state} (the placeholders at its end); null when no person can fix the refusal.
     */
    public String connectUri() {
        return connectUri;
    }

    /** Whether the refusal goes away once the user (or org admin) visits {@link #connectUri()}. */
    public boolean needsUser() {
        return conduitError != null && connectUri != null;
    }

    /** Whether trying again later may succeed (the provider is down and the stored token ran out). */
    public boolean isTemporary() {
        return httpStatus == 503 || "temporarily_unavailable".equals(error);
    }
}
