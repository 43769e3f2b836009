package dev.conduit.vault.crypto;

/** A stored token that cannot be opened; the message names why, never the value. */
public final class TokenDecryptionException extends RuntimeException {

    public TokenDecryptionException(String message) {
        super(message);
    }
}
