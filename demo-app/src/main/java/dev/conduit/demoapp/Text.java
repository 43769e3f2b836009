package dev.conduit.demoapp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Small text helpers: HTML escaping, token masking, random values, hashes. */
public final class Text {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Characters of a token shown before the mask: enough to tell tokens apart, far too few to use one. */
    static final int SHOWN = 10;
    /** Untrusted text longer than this is cut before it reaches the page. */
    static final int MAX_SHOWN_LENGTH = 2000;

    private Text() {
    }

    /** Escapes text for an HTML element body or a double- or single-quoted attribute value; null becomes "". */
    public static String html(String value) {
        if (value == null) {
            return "";
        }
        String bounded = value.length() > MAX_SHOWN_LENGTH
                ? value.substring(0, MAX_SHOWN_LENGTH) + "…(" + (value.length() - MAX_SHOWN_LENGTH) + " more characters)"
                : value;
        StringBuilder out = new StringBuilder(bounded.length() + 16);
        for (int i = 0; i < bounded.length(); i++) {
            char c = bounded.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    // control characters (except tab and line breaks, which <pre> needs) never reach the page
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * A token as the page may show it: its first {@value #SHOWN} characters and its length, e.g.
     * {@code eyJhbGciOi…(912 chars)}; a short one shows only its length. Null stays null.
     */
    public static String mask(String token) {
        if (token == null) {
            return null;
        }
        if (token.length() <= 2 * SHOWN) {
            return "…(" + token.length() + " chars)";
        }
        return token.substring(0, SHOWN) + "…(" + token.length() + " chars)";
    }

    /** A random value of {@code bytes} bytes, base64url without padding (state, nonce, session ids, CSRF tokens). */
    public static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    public static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** base64url (no padding) of the SHA-256 of the value: {@code conduit_refused_token_sha256}, as DPoP's {@code ath}. */
    public static String sha256Base64Url(String value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(value));
    }

    /** Compares two secrets in time independent of where they differ; false when either is null. */
    public static boolean sameSecret(String expected, String given) {
        if (expected == null || given == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(expected), sha256(given));
    }
}
