package dev.conduit.broker.organization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the organization-connect confirmation page stands for, kept in the authentication session while the page is
 * shown: references and metadata only (organization, provider, the upstream account and the one it replaces), and
 * the SHA-256 of the page's one-time token, never the token itself and never the upstream grant.
 *
 * <p>Times are epoch seconds.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConnectConfirmation(
        String organizationId,
        String providerAlias,
        String userId,
        String account,
        String replaces,
        String tokenHash,
        long issuedAt) {

    /** How long the page may wait for Confirm or Cancel. */
    public static final long LIFETIME_SECONDS = 600;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_TOKEN_LENGTH = 100;

    /** A fresh one-time token for the page (32 random bytes, base64url). */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Whether a POST presenting {@code token} at {@code now} by {@code presentingUserId} is the confirmation this
     * page asked for: the same user, within the lifetime, and the page's token (compared in constant time).
     */
    public boolean accepts(String token, String presentingUserId, long now) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH || tokenHash == null
                || presentingUserId == null || !presentingUserId.equals(userId)) {
            return false;
        }
        if (now < issuedAt || now - issuedAt > LIFETIME_SECONDS) {
            return false;
        }
        return MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
                tokenHash.getBytes(StandardCharsets.US_ASCII));
    }
}
