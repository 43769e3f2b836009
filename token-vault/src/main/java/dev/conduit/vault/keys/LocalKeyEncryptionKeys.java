package dev.conduit.vault.keys;

import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;

/**
 * KEKs held in this JVM's memory (the {@code config} and {@code keystore} providers): AES-256-GCM by the JDK. Nothing
 * here can become unreachable after start, so it never throws {@link KeyUnavailableException}.
 */
public final class LocalKeyEncryptionKeys implements KeyEncryptionKeys {

    private final String providerId;
    private final Map<String, SecretKey> keks;
    private final String activeKekId;

    /** @param keks KEK id to a 32-byte AES key, in configuration order; {@code activeKekId} is one of them */
    LocalKeyEncryptionKeys(String providerId, Map<String, SecretKey> keks, String activeKekId) {
        keks.keySet().forEach(id -> KekIds.check(providerId, id));
        if (!keks.containsKey(activeKekId)) {
            throw new IllegalArgumentException("active KEK '" + activeKekId + "' is not among " + keks.keySet());
        }
        this.providerId = providerId;
        this.keks = Collections.unmodifiableMap(new LinkedHashMap<>(keks));
        this.activeKekId = activeKekId;
    }

    @Override
    public String providerId() {
        return providerId;
    }

    @Override
    public String activeKekId() {
        return activeKekId;
    }

    @Override
    public List<String> kekIds() {
        return List.copyOf(keks.keySet());
    }

    @Override
    public WrappedKey wrap(byte[] dataKey, byte[] aad) {
        try {
            return new WrappedKey(activeKekId, AesGcmWrap.wrap(keks.get(activeKekId), null, activeKekId, dataKey, aad));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] aad) {
        SecretKey kek = keks.get(wrapped.kekId());
        if (kek == null) {
            throw new WrappedKeyRefusedException("wrapped under KEK '" + wrapped.kekId() + "', which the " + providerId
                    + " key provider does not have");
        }
        try {
            return AesGcmWrap.unwrap(kek, null, wrapped.kekId(), wrapped.bytes(), aad);
        } catch (AEADBadTagException e) {
            throw new WrappedKeyRefusedException("wrapped key does not open under KEK '" + wrapped.kekId()
                    + "': altered, or wrapped for another owner");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public String toString() {
        return "LocalKeyEncryptionKeys[" + providerId + ", active=" + activeKekId + ", ids=" + keks.keySet() + "]";
    }
}
