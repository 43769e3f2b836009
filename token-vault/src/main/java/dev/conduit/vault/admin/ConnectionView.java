package dev.conduit.vault.admin;

import java.util.Set;

import dev.conduit.broker.grant.Scopes;
import dev.conduit.vault.store.ConnectionEntity;

/** What the admin API shows of a connection: everything but the tokens. */
public record ConnectionView(String id, String providerAlias, String providerId, String ownerKind, String ownerId,
        String status, String lastError, long expiresAt, long lastRefreshAt, Long nextRefreshAt, int failureCount,
        Set<String> scopes, String accountId, String organizationId, String instanceUrl, String connectedBy,
        long connectedAt, String keyId, boolean hasRefreshToken) {

    static ConnectionView of(ConnectionEntity row) {
        return new ConnectionView(row.getId(), row.getProviderAlias(), row.getProviderId(), row.getOwnerKind(),
                row.getOwnerId(), row.getStatus(), row.getLastError(), row.getExpiresAt(), row.getLastRefreshAt(),
                row.getNextRefreshAt(), row.getFailureCount(), Scopes.parse(row.getScopes()), row.getAccountId(),
                row.getOrganizationId(), row.getInstanceUrl(), row.getConnectedBy(), row.getConnectedAt(),
                row.getKeyId(), row.getRefreshToken() != null);
    }
}
