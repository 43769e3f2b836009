package dev.conduit.vault.refresh;

import java.time.Duration;
import java.time.Instant;

/**
 * The tokens to commit after a successful refresh, all together: the new access token, the refresh token
 * (the rotated one if the provider sent one, else the one used), and the expiry.
 */
public record RefreshedTokens(String accessToken, String refreshToken, Instant expiresAt, boolean rotated) {

    /**
     * @param expiresIn the response's expires_in, or null (Salesforce sends none)
     * @param lifetimeWhenAbsent the configured lifetime to use then (the org's session timeout)
     */
    public static RefreshedTokens from(String accessToken, String newRefreshToken, String usedRefreshToken,
            Long expiresIn, Duration lifetimeWhenAbsent, Instant now) {
        if (accessToken == null || accessToken.isBlank()) {
            throw new IllegalArgumentException("refresh response has no access_token");
        }
        boolean rotated = newRefreshToken != null && !newRefreshToken.isBlank() && !newRefreshToken.equals(usedRefreshToken);
        Duration lifetime = expiresIn != null && expiresIn > 0 ? Duration.ofSeconds(expiresIn) : lifetimeWhenAbsent;
        return new RefreshedTokens(accessToken, rotated ? newRefreshToken : usedRefreshToken, now.plus(lifetime), rotated);
    }

    @Override
    public String toString() {
        return "RefreshedTokens[expiresAt=" + expiresAt + ", rotated=" + rotated + "]";
    }
}
