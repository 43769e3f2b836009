package dev.conduit.demoapp;

/**
 * The signed-in person's Keycloak tokens, held on the server in their session only (never sent to the browser).
 *
 * @param accessExpiresAt  epoch seconds
 * @param refreshExpiresAt epoch seconds; 0 when Keycloak gave no refresh expiry
 */
public record KeycloakTokens(String accessToken, String refreshToken, String idToken, long accessExpiresAt,
        long refreshExpiresAt) {

    /** Whether the access token has less than {@code marginSeconds} left. */
    public boolean accessExpiresWithin(long nowSeconds, long marginSeconds) {
        return accessExpiresAt - nowSeconds < marginSeconds;
    }

    /** A refresh keeps the ID token Keycloak gave at sign-in when the refresh answer has none. */
    KeycloakTokens refreshedBy(KeycloakTokens refreshed) {
        return new KeycloakTokens(refreshed.accessToken,
                refreshed.refreshToken == null ? refreshToken : refreshed.refreshToken,
                refreshed.idToken == null ? idToken : refreshed.idToken,
                refreshed.accessExpiresAt, refreshed.refreshToken == null ? refreshExpiresAt : refreshed.refreshExpiresAt);
    }

    @Override
    public String toString() {
        return "KeycloakTokens[accessToken=***, refreshToken=" + (refreshToken == null ? null : "***")
                + ", idToken=" + (idToken == null ? null : "***") + ", accessExpiresAt=" + accessExpiresAt + "]";
    }
}
