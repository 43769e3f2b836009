package dev.conduit.vault.keys;

/**
 * The key provider cannot be reached (HSM gone, session lost, KMS down): the caller answers 503
 * {@code temporarily_unavailable} and keeps what it holds. Not a verdict on any wrapped key. The message names the
 * provider and the KEK id, never a PIN, password or key.
 */
public final class KeyUnavailableException extends RuntimeException {

    public KeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public KeyUnavailableException(String message) {
        super(message);
    }
}
