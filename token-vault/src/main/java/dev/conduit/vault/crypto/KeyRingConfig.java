package dev.conduit.vault.crypto;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the key-encryption keys from server configuration: {@code keys} = {@code id:base64,id:base64},
 * {@code active-key} = the id that encrypts. Errors name the key id, never key material.
 */
public final class KeyRingConfig {

    private KeyRingConfig() {
    }

    public static KeyRing parse(String keys, String activeKeyId) {
        Map<String, byte[]> raw = rawKeys(keys);
        return KeyRing.of(raw, activeKeyId(raw, activeKeyId));
    }

    /**
     * The ring when {@code keys} is set, else {@link KeyRing#empty()}: with a key provider other than {@code config}
     * the ring only opens rows sealed before data keys (v1), and is needed only while such rows remain.
     *
     * @throws IllegalArgumentException when {@code active-key} is set without {@code keys}, or as {@link #parse}
     */
    public static KeyRing parseOptional(String keys, String activeKeyId) {
        if (keys == null || keys.isBlank()) {
            if (activeKeyId != null && !activeKeyId.isBlank()) {
                throw new IllegalArgumentException("option 'active-key' is set but option 'keys' is not");
            }
            return KeyRing.empty();
        }
        return parse(keys, activeKeyId);
    }

    /**
     * The keys of option {@code keys} by id, in configuration order, decoded but not yet checked for length or id
     * form ({@link KeyRing#of} checks them). For the {@code config} key provider, which holds the same keys as KEKs.
     */
    public static Map<String, byte[]> rawKeys(String keys) {
        if (keys == null || keys.isBlank()) {
            throw new IllegalArgumentException("no key-encryption keys configured (option 'keys' = id:base64-of-32-bytes,...)");
        }
        Map<String, byte[]> raw = new LinkedHashMap<>();
        for (String entry : keys.split(",")) {
            String trimmed = entry.trim();
            int colon = trimmed.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("key entry must be id:base64");
            }
            String id = trimmed.substring(0, colon);
            try {
                raw.put(id, Base64.getDecoder().decode(trimmed.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key '" + id + "' is not valid base64");
            }
        }
        return raw;
    }

    /** Option {@code active-key}, or the first key's id when it is not set. */
    public static String activeKeyId(Map<String, byte[]> raw, String activeKeyId) {
        return activeKeyId == null || activeKeyId.isBlank() ? raw.keySet().iterator().next() : activeKeyId.trim();
    }
}
