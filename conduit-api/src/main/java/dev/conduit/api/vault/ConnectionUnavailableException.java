package dev.conduit.api.vault;

/**
 * The connection cannot give a token now. {@link #code()} is what an app acts on: {@code not_connected} and
 * {@code reconnect_required} send the user (or org admin) through the provider's consent again;
 * {@code temporarily_unavailable} means retry later. The message is what apps and users read (a token
 * exchange's {@code error_description}): it never contains a token nor a connection's admin-only detail
 * ({@link LastError}, e.g. node names), which is cut off here whatever the caller passed.
 */
public final class ConnectionUnavailableException extends Exception {

    public static final String NOT_CONNECTED = "not_connected";
    public static final String RECONNECT_REQUIRED = "reconnect_required";
    public static final String TEMPORARILY_UNAVAILABLE = "temporarily_unavailable";
    /** A server connection the provider refuses to mint for until an administrator fixes its setup (issue 15). */
    public static final String ACTION_REQUIRED = "action_required";
    /**
     * The caller may not have a token of this connection as the subject it named ({@code requested_subject}): the
     * connection acts as one account, or no admin allowed this client to name the user to act as (issue 15).
     */
    public static final String SUBJECT_NOT_ALLOWED = "subject_not_allowed";

    private final String code;

    public ConnectionUnavailableException(String code, String message) {
        super(LastError.forAppsAndOwners(message), null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
