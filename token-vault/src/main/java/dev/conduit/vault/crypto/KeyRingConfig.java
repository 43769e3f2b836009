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
        String active = activeKeyId == null || activeKeyId.isBlank() ? raw.keySet().iterator().next() : activeKeyId.trim();
        return KeyRing.of(raw, active);
    }
}
