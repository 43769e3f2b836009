package dev.conduit.vault.keys;

/** A data key as stored: whose it is and its wrapped bytes. Holds no key material. */
public record SealedDataKey(DataKeyScope scope, WrappedKey wrapped) {
}
