package dev.conduit.example;

import java.util.Set;

/**
 * A customer's upstream access token as Conduit hands it out, with what a caller needs to use it.
 *
 * @param provider       the Conduit provider alias it came from ({@code identity_provider}): salesforce, hubspot, google
 * @param accessToken    the upstream access token: send it to the provider's API, never log it
 * @param expiresIn      seconds it stays valid, as Conduit counts them ({@code expires_in}); 0 when not given
 * @param scopes         the scopes the provider granted ({@code scope}); empty when not given
 * @param accountId      the upstream account ({@code account_id}): a Salesforce user id, HubSpot user id, Google subject
 * @param instanceUrl    Salesforce: the org's API host ({@code instance_url}); null for other providers
 * @param hubId          HubSpot: the portal ({@code hub_id}); null for other providers
 * @param organizationId Salesforce: the org id ({@code organization_id}); null for other providers
 * @param organization   the Keycloak organization whose connection was asked for ({@code organization} parameter),
 *                       null for the user's own connection: {@link UpstreamTokens#replacing} asks for the same one
 */
public record UpstreamToken(String provider, String accessToken, long expiresIn, Set<String> scopes, String accountId,
        String instanceUrl, String hubId, String organizationId, String organization) {

    public UpstreamToken {
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
    }

    /** Everything but the token itself, so the record can be logged. */
    @Override
    public String toString() {
        return "UpstreamToken[provider=" + provider + ", accessToken=" + (accessToken == null ? null : "***")
                + ", expiresIn=" + expiresIn + ", scopes=" + scopes + ", accountId=" + accountId
                + ", instanceUrl=" + instanceUrl + ", hubId=" + hubId + ", organizationId=" + organizationId
                + ", organization=" + organization + "]";
    }
}
