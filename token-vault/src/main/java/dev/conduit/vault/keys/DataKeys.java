package dev.conduit.vault.keys;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of data keys: a fresh 32-byte AES data key per realm (or organization) wrapped by the key
 * provider's active KEK, bound to its {@link DataKeyScope}; opened keys kept in a {@link DataKeyCache}.
 *
 * <p>When the key provider cannot be reached, cached keys keep serving and everything else throws
 * {@link KeyUnavailableException}: no new data key, no unwrap, and never a wrap under another KEK or no KEK.
 */
public final class DataKeys {

    private static final int DATA_KEY_BYTES = 32;

    private final KeyEncryptionKeys keks;
    private final DataKeyCache cache;
    private final SecureRandom random = new SecureRandom();

    public DataKeys(KeyEncryptionKeys keks, DataKeyCache cache) {
        this.keks = keks;
        this.cache = cache;
    }

    /**
     * A new data key for the realm or, with {@code organizationId}, for one organization of it; cached at once.
     *
     * @throws KeyUnavailableException when the key provider cannot wrap
     */
    public SealedDataKey create(String realmId, String organizationId) {
        String id = UUID.randomUUID().toString();
        DataKeyScope scope = organizationId == null ? DataKeyScope.realm(realmId, id)
                : DataKeyScope.organization(realmId, organizationId, id);
        byte[] key = new byte[DATA_KEY_BYTES];
        random.nextBytes(key);
        try {
            SealedDataKey sealed = new SealedDataKey(scope, keks.wrap(key, scope.associatedData()));
            cache.put(sealed, key);
            return sealed;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * The data key, from the cache or unwrapped by the key provider (then cached).
     *
     * @throws WrappedKeyRefusedException when it does not open for its scope
     * @throws KeyUnavailableException when it is not cached and the key provider cannot unwrap
     */
    public SecretKey key(SealedDataKey sealed) {
        var cached = cache.get(sealed);
        if (cached.isPresent()) {
            return cached.get();
        }
        byte[] key = open(sealed);
        try {
            cache.put(sealed, key);
            return new SecretKeySpec(key, "AES");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * KEK rotation: the same data key wrapped under the active KEK (unchanged when it already is). The data key is
     * overwritten before this returns; rows sealed with it stay as they are.
     *
     * @throws WrappedKeyRefusedException when it does not open for its scope
     * @throws KeyUnavailableException when the key provider cannot unwrap or wrap
     */
    public SealedDataKey rewrap(SealedDataKey sealed) {
        if (keks.activeKekId().equals(sealed.wrapped().kekId())) {
            return sealed;
        }
        byte[] key = open(sealed);
        try {
            return new SealedDataKey(sealed.scope(), keks.wrap(key, sealed.scope().associatedData()));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The KEK that wraps new data keys. */
    public String activeKekId() {
        return keks.activeKekId();
    }

    private byte[] open(SealedDataKey sealed) {
        byte[] key = keks.unwrap(sealed.wrapped(), sealed.scope().associatedData());
        if (key.length != DATA_KEY_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new WrappedKeyRefusedException("wrapped key holds " + key.length + " bytes, not a 32-byte data key");
        }
        return key;
    }
}
