package dev.conduit.it.support;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Test secrets are generated for each run, never committed. */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** 32 random bytes, base64: an AES-256 key for the token vault. */
    public static String aes256KeyBase64() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    public static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
