package dev.conduit.api.vault;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * An upstream access token an app reports the provider refused (its API answered 401), named by the SHA-256 of
 * its ASCII bytes: the token exchange's {@value #PARAMETER} parameter, encoded as DPoP's {@code ath} (RFC 9449
 * section 4.2: base64url, no padding, so exactly 43 characters). Holds only the digest; never printed.
 */
public final class RefusedToken {

    /** The token-exchange parameter that carries it. */
    public static final String PARAMETER = "conduit_refused_token_sha256";

    private static final Pattern ENCODED = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final byte[] sha256;

    private RefusedToken(byte[] sha256) {
        this.sha256 = sha256;
    }

    /**
     * Reads the parameter's value: exactly 43 base64url characters, no padding, in canonical form (the unused low
     * bits of the last character zero), so one digest has one spelling.
     *
     * @throws IllegalArgumentException saying what is wrong, without repeating the value
     */
    public static RefusedToken parse(String value) {
        if (value == null || !ENCODED.matcher(value).matches()) {
            throw new IllegalArgumentException(PARAMETER + " must be the base64url encoding (43 characters, no padding)"
                    + " of the SHA-256 of the refused access token");
        }
        byte[] digest = Base64.getUrlDecoder().decode(value);
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(digest).equals(value)) {
            throw new IllegalArgumentException(PARAMETER + " is not in canonical base64url form");
        }
        return new RefusedToken(digest);
    }

    /** The report an app makes for {@code accessToken} (tests, and apps written against this class). */
    public static RefusedToken of(String accessToken) {
        return new RefusedToken(sha256(accessToken));
    }

    /** Whether {@code accessToken} is the refused one; compared in constant time. */
    public boolean isOf(String accessToken) {
        return accessToken != null && MessageDigest.isEqual(sha256, sha256(accessToken));
    }

    private static byte[] sha256(String accessToken) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "RefusedToken[sha256=***]";
    }
}
