package dev.conduit.vault.keys;

import java.util.List;

/**
 * The key-encryption keys (KEKs) of one key provider: they wrap and unwrap data keys, and never leave the provider
 * where the provider can keep them (an HSM, a KMS). One KEK is active and wraps; every listed KEK still unwraps.
 *
 * <p>The shape is that of a cloud KMS's Encrypt/Decrypt with an encryption context, or of Vault Transit's
 * encrypt/decrypt with a context: {@code aad} is the context, the wrapped bytes are opaque to the caller, and the KEK
 * id (a key version, an ARN, a Transit key name) travels with them.
 *
 * <p>Errors: {@link KeyUnavailableException} when the provider cannot be reached (the caller answers 503
 * {@code temporarily_unavailable}; nothing is lost), {@link WrappedKeyRefusedException} when the provider works and the
 * wrapped key does not open (altered, wrapped for another {@code aad}, or under a KEK this provider does not have).
 * Neither message holds key material.
 */
public interface KeyEncryptionKeys {

    /** The factory id of the provider: {@code config}, {@code keystore}, {@code pkcs11}. */
    String providerId();

    /** The id of the KEK that wraps. */
    String activeKekId();

    /** Every KEK id that unwraps, the active one included, in configuration order. */
    List<String> kekIds();

    /**
     * Wraps a data key under the active KEK, bound to {@code aad}.
     *
     * @throws KeyUnavailableException when the provider cannot be reached; never wraps under another KEK instead
     */
    WrappedKey wrap(byte[] dataKey, byte[] aad);

    /**
     * Unwraps under the KEK the wrapped key names.
     *
     * @throws WrappedKeyRefusedException when it does not open for {@code aad}, was altered, or names an unknown KEK
     * @throws KeyUnavailableException when the provider cannot be reached
     */
    byte[] unwrap(WrappedKey wrapped, byte[] aad);
}
