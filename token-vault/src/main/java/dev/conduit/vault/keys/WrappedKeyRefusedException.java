package dev.conduit.vault.keys;

/**
 * The key provider works and the wrapped key does not open: altered, wrapped for other associated data (another
 * realm, organization or data key id), or under a KEK id the provider does not have. The message names why, never key
 * material.
 */
public final class WrappedKeyRefusedException extends RuntimeException {

    public WrappedKeyRefusedException(String message) {
        super(message);
    }
}
