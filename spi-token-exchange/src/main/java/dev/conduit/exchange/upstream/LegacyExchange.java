package dev.conduit.exchange.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

import dev.conduit.api.vault.ConnectionUnavailableException;
import org.keycloak.common.util.KeycloakUriBuilder;

/**
 * Keycloak's legacy (V1) internal-to-external exchange, as apps written for it send it and expect its answers:
 * the form names the provider with {@code requested_issuer}; {@code subject_token_type} may be left out (an access
 * token, as V1 defaulted it); a user without the connection gets {@code not_linked} and a connection that needs the
 * user again {@code token_expired}, each with V1's {@value #ACCOUNT_LINK_URL}, built as Keycloak's
 * {@code AbstractIdentityProvider#getLinkingUrl} builds it (the app adds its {@code redirect_uri}). Plain logic.
 */
public final class LegacyExchange {

    public static final String ACCOUNT_LINK_URL = "account-link-url";
    static final String NOT_LINKED = "not_linked";
    static final String TOKEN_EXPIRED = "token_expired";

    private LegacyExchange() {
    }

    /** The legacy form is the one naming the provider by {@code requested_issuer}. */
    public static boolean isLegacyForm(String requestedIssuer) {
        return requestedIssuer != null;
    }

    /**
     * The subject token type the exchange reads: as sent, or, absent from the legacy form only, an access token.
     * A type that was sent is never replaced, so a refresh or ID token named as such stays refused.
     */
    public static String subjectTokenType(String sent, boolean legacyForm) {
        return sent == null && legacyForm ? UpstreamTokenRequest.ACCESS_TOKEN_TYPE : sent;
    }

    /** V1's error and description for a connection the vault cannot serve, or empty when V1 had none (an outage). */
    public static Optional<String[]> error(String unavailableCode) {
        if (ConnectionUnavailableException.NOT_CONNECTED.equals(unavailableCode)) {
            return Optional.of(new String[] {NOT_LINKED, "identity provider is not linked"});
        }
        if (ConnectionUnavailableException.RECONNECT_REQUIRED.equals(unavailableCode)) {
            return Optional.of(new String[] {TOKEN_EXPIRED, "linked token is expired"});
        }
        return Optional.empty();
    }

    /**
     * Keycloak's client-initiated account-link URL: {@code /realms/{realm}/broker/{alias}/link?nonce&hash&client_id},
     * hash = base64url(SHA-256(nonce + user session id + client id + alias)), which Keycloak's link endpoint checks
     * against the browser's session, so the link works only in the session the subject token belongs to.
     */
    public static String accountLinkUrl(URI baseUri, String realm, String alias, String clientId, String userSessionId,
            String nonce) {
        return KeycloakUriBuilder.fromUri(baseUri).path("/realms/{realm}/broker/{provider}/link")
                .queryParam("nonce", nonce)
                .queryParam("hash", hash(nonce, userSessionId, clientId, alias))
                .queryParam("client_id", clientId)
                .build(realm, alias).toString();
    }

    static String hash(String nonce, String userSessionId, String clientId, String alias) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((nonce + userSessionId + clientId + alias).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
