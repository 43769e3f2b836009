package dev.conduit.vault.crypto;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;

/**
 * Seals a grant that waits in Keycloak's authentication session during a first login: AES-256-GCM under the ACTIVE
 * data key of the login's realm ({@link RealmKeys}; v2, the key id in the value), bound to that login
 * ({@link GrantBinding}, whose associated data never equals a row token's). A value sealed before data keys (v1, under
 * the ring) still opens while the ring holds its key. A realm data key rotated during the login still opens it until
 * the rotation deletes the retired key.
 */
public final class HandoverSeal {

    private final TokenCipher cipher;
    private final RealmKeys realmKeys;

    public HandoverSeal(TokenCipher cipher, RealmKeys realmKeys) {
        this.cipher = cipher;
        this.realmKeys = realmKeys;
    }

    /** @throws dev.conduit.vault.keys.KeyUnavailableException when the realm's key is not in memory and the key provider cannot be reached */
    public String seal(byte[] content, GrantBinding binding) {
        return cipher.seal(realmKeys.realmActive(binding.realmId()), content, binding.associatedData());
    }

    /** @throws SealedGrantException when the value was altered, is bound to another login or its key is gone */
    public byte[] open(String sealed, GrantBinding binding) {
        try {
            return cipher.open(sealed, id -> realmKeys.realmOpening(id, binding.realmId()), binding.associatedData());
        } catch (TokenDecryptionException e) {
            throw new SealedGrantException("sealed grant does not open (" + e.getMessage() + ")");
        }
    }
}
