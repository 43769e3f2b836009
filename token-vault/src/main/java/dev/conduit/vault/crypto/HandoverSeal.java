package dev.conduit.vault.crypto;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;

/**
 * Seals a grant that waits in Keycloak's authentication session during a first login, with the vault's key
 * ring (AES-256-GCM, the key id in the value, any key still in the ring opens it) and bound to that login
 * ({@link GrantBinding}, whose associated data never equals a row token's).
 */
public final class HandoverSeal {

    private final TokenCipher cipher;

    public HandoverSeal(TokenCipher cipher) {
        this.cipher = cipher;
    }

    public String seal(byte[] content, GrantBinding binding) {
        return cipher.seal(content, binding.associatedData());
    }

    /** @throws SealedGrantException when the value was altered, is bound to another login or its key was retired */
    public byte[] open(String sealed, GrantBinding binding) {
        try {
            return cipher.open(sealed, binding.associatedData());
        } catch (TokenDecryptionException e) {
            throw new SealedGrantException("sealed grant does not open (" + e.getMessage() + ")");
        }
    }
}
