package dev.conduit.broker.admin;

import java.util.Set;

import dev.conduit.broker.grant.UpstreamGrant;

/** What an administrator may see of a connection: everything but the tokens. */
public record ConnectionView(String provider, String providerId, String accountId, String organizationId,
        String instanceUrl, Set<String> scopes, long issuedAt, long expiresAt, boolean refreshTokenHeld) {

    public static ConnectionView of(UpstreamGrant grant) {
        return new ConnectionView(grant.providerAlias(), grant.providerId(), grant.accountId(), grant.organizationId(),
                grant.instanceUrl(), grant.scopes(), grant.issuedAt(), grant.expiresAt(), grant.hasRefreshToken());
    }
}
