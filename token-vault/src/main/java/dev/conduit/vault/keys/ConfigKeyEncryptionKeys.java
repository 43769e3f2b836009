package dev.conduit.vault.keys;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import dev.conduit.vault.crypto.KeyRingConfig;

/**
 * The {@code config} key provider's KEKs: the keys of today's vault options {@code keys} ({@code id:base64,...}) and
 * {@code active-key}, read and checked exactly as the vault reads them ({@link KeyRingConfig}), so an existing setup
 * keeps its keys. For development: the KEKs are in the server's configuration and memory.
 */
public final class ConfigKeyEncryptionKeys {

    public static final String PROVIDER_ID = "config";

    private ConfigKeyEncryptionKeys() {
    }

    /**
     * @throws IllegalArgumentException naming the option or key id at fault, never key material
     */
    public static KeyEncryptionKeys parse(String keys, String activeKeyId) {
        KeyRingConfig.parse(keys, activeKeyId);
        Map<String, byte[]> raw = KeyRingConfig.rawKeys(keys);
        Map<String, SecretKey> keks = new LinkedHashMap<>();
        raw.forEach((id, bytes) -> {
            keks.put(id, new SecretKeySpec(bytes, "AES"));
            Arrays.fill(bytes, (byte) 0);
        });
        return new LocalKeyEncryptionKeys(PROVIDER_ID, keks, KeyRingConfig.activeKeyId(raw, activeKeyId));
    }
}
