package dev.conduit.sandbox;

/**
 * A grant issued by {@link SandboxEngine#mintGrant}: the access token, the refresh token, and when the access token
 * expires (epoch seconds, on the sandbox's clock). {@link #toString()} never shows the tokens.
 */
public record MintedGrant(String accessToken, String refreshToken, long expiresAt) {

    @Override
    public String toString() {
        return "MintedGrant[expiresAt=" + expiresAt + "]";
    }
}
