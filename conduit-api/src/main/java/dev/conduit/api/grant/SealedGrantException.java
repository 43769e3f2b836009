package dev.conduit.api.grant;

/**
 * A sealed grant that does not open: altered, sealed for another authentication session, or under a key this
 * node no longer holds. The message says which, never the value.
 */
public final class SealedGrantException extends RuntimeException {

    public SealedGrantException(String message) {
        super(message);
    }
}
