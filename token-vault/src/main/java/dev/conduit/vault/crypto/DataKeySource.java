package dev.conduit.vault.crypto;

import javax.crypto.SecretKey;

/**
 * Where {@link TokenCipher} finds data keys (envelope encryption, issue 16): the ACTIVE key of an owner's scope, made
 * when the scope has none yet, and any stored key by id for opening.
 *
 * <p>Errors: {@code KeyUnavailableException} when the key provider cannot wrap or unwrap a key not in memory (the
 * caller answers 503 and writes nothing weaker); {@link TokenDecryptionException} when the data key does not exist
 * (shredded with its organization or realm) or is not the owner's.
 */
public interface DataKeySource {

    /** A data key as it seals: its id, which travels in the stored form, and the key. */
    record SealingKey(String id, SecretKey key) {
        @Override
        public String toString() {
            return "SealingKey[" + id + "]";
        }
    }

    /** The ACTIVE data key that seals {@code owner}'s tokens: its realm's, or its organization's when configured so. */
    SealingKey active(TokenOwner owner);

    /** The ACTIVE data key of the parked revocations, which outlive their organization and realm. */
    SealingKey parked();

    /**
     * The data key {@code dataKeyId}, for opening a value of {@code owner}.
     *
     * @throws TokenDecryptionException when it does not exist or belongs to another realm or organization
     */
    SecretKey opening(String dataKeyId, TokenOwner owner);
}
