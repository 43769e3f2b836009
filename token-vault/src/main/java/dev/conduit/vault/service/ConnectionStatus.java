package dev.conduit.vault.service;

/** A connection's health as administrators and apps see it. */
public enum ConnectionStatus {
    /** Tokens refresh normally. */
    HEALTHY,
    /** Refreshing failed transiently; the stored tokens are kept and retried with backoff, the access token may run out. */
    EXPIRING,
    /**
     * The provider refused the refresh token (invalid_grant), none is held, or it kept refusing the fresh access
     * tokens apps were given ({@code refused_by_provider}): the user or org admin must connect again.
     */
    RECONNECT_REQUIRED,
    /** Disconnected; revocation at the provider is still being retried. Never served. */
    REVOKED,
    /**
     * A server connection the provider refused to mint for (or whose static token it refused) for a reason an
     * administrator must fix, named in LAST_ERROR: not served and not retried until an admin gives a new credential or
     * asks for a refresh.
     */
    ACTION_REQUIRED;

    public boolean serves() {
        return this == HEALTHY || this == EXPIRING;
    }
}
