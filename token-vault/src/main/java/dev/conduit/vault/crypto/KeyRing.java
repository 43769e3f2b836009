package dev.conduit.vault.crypto;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption keys by id: one active key encrypts, every listed key still decrypts, so rotation
 * is "add a key, make it active, re-encrypt, then retire the old one" without downtime.
 */
public final class KeyRing {

    private final Map<String, SecretKey> keys;
    private final String activeKeyId;

    private KeyRing(Map<String, SecretKey> keys, String activeKeyId) {
        this.keys = Collections.unmodifiableMap(keys);
        this.activeKeyId = activeKeyId;
    }

    /** No keys: a server whose key provider is not {@code config} and that holds no row sealed before data keys. */
    public static KeyRing empty() {
        return new KeyRing(new LinkedHashMap<>(), null);
    }

    /**
     * @param rawKeys key id to 32 raw bytes (AES-256); ids are short names without '.' or ':'
     */
    public static KeyRing of(Map<String, byte[]> rawKeys, String activeKeyId) {
        if (!rawKeys.containsKey(activeKeyId)) {
            throw new IllegalArgumentException("active key '" + activeKeyId + "' is not in the key ring");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        rawKeys.forEach((id, bytes) -> {
            if (id.isEmpty() || id.contains(".") || id.contains(":")) {
                throw new IllegalArgumentException("key id '" + id + "' must be non-empty without '.' or ':'");
            }
            if (bytes.length != 32) {
                throw new IllegalArgumentException("key '" + id + "' must be 32 bytes (AES-256), not " + bytes.length);
            }
            keys.put(id, new SecretKeySpec(bytes.clone(), "AES"));
        });
        return new KeyRing(keys, activeKeyId);
    }

    /** Null for {@link #empty()}. */
    public String activeKeyId() {
        return activeKeyId;
    }

    /** The ids of the keys, in configuration order (never the keys). */
    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** @throws IllegalStateException for {@link #empty()}: nothing can be sealed under the ring */
    SecretKey active() {
        if (activeKeyId == null) {
            throw new IllegalStateException("the key ring is empty (option 'keys' not set)");
        }
        return keys.get(activeKeyId);
    }

    Optional<SecretKey> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public String toString() {
        return "KeyRing[active=" + activeKeyId + ", ids=" + keys.keySet() + "]";
    }
}
