package dev.conduit.api.vault;

import java.util.Set;

import dev.conduit.api.grant.UpstreamGrant;

/**
 * What an administrator may see of a connection: everything but the tokens.
 *
 * @param status the store's status of the connection ({@code HEALTHY}, ... or {@value #UNDECRYPTABLE} when its
 *        tokens are sealed under a key the server no longer holds), null where the store keeps none
 * @param accountName the upstream account's display name as the provider gave it (cleaned), null when unknown
 * @param accountEmail the upstream account's e-mail as the provider gave it (cleaned), null when unknown
 */
public record ConnectionView(String provider, String providerId, String accountId, String organizationId,
        String instanceUrl, Set<String> scopes, long issuedAt, long expiresAt, boolean refreshTokenHeld, String status,
        String accountName, String accountEmail) {

    /** The tokens cannot be opened with the configured keys (a retired key, or an altered row); a new login replaces them. */
    public static final String UNDECRYPTABLE = "UNDECRYPTABLE";

    public static ConnectionView of(UpstreamGrant grant) {
        return new ConnectionView(grant.providerAlias(), grant.providerId(), grant.accountId(), grant.organizationId(),
                grant.instanceUrl(), grant.scopes(), grant.issuedAt(), grant.expiresAt(), grant.hasRefreshToken(), null,
                grant.accountName(), grant.accountEmail());
    }
}
