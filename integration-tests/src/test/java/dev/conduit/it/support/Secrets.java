package dev.conduit.it.support;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Test secrets are generated for each run, never committed. */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    public static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
