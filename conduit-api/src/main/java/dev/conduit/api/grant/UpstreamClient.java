package dev.conduit.api.grant;

/**
 * How Conduit talks to one provider's token endpoints outside a login: refresh and revocation. Declared by
 * each broker through {@link ConduitBroker} from the identity provider's settings; the secret may still be a {@code ${vault.x}}
 * expression, which the caller resolves through Keycloak's vault. {@link #toString()} never shows it.
 *
 * @param lifetimeWithoutExpiresIn seconds an access token lives when the token response has no
 *        {@code expires_in} (Salesforce: the org's session timeout)
 */
public record UpstreamClient(
        String providerId,
        String alias,
        String tokenUrl,
        String clientId,
        String clientSecret,
        boolean basicAuth,
        Revocation revocation,
        String revocationUrl,
        long lifetimeWithoutExpiresIn) {

    /** How a provider revokes: Salesforce and Google take {@code token=} by POST, HubSpot a DELETE on the token's URL. */
    public enum Revocation {
        /** POST {@code token=} (Salesforce, revokes the refresh token and its access tokens). */
        POST_FORM,
        /** POST {@code token=} that revokes the whole grant of the account and client (Google). */
        POST_FORM_WHOLE_GRANT,
        /** DELETE {@code <url><refresh token>} (HubSpot; deletes the refresh token only). */
        DELETE_PATH
    }

    @Override
    public String toString() {
        return "UpstreamClient[" + alias + " (" + providerId + "), tokenUrl=" + tokenUrl + ", clientId=" + clientId + "]";
    }
}
