package dev.conduit.vault.admin;

import java.util.Set;

import dev.conduit.api.grant.Scopes;
import dev.conduit.vault.store.ConnectionEntity;

/**
 * What the admin API shows of a connection: everything but the tokens, in the vault's words (raw scopes, the full
 * {@code lastError} with its admin-only detail), plus the upstream account's name and e-mail as the provider gave
 * them, and when the status last changed ({@code statusChangedAt}, epoch seconds, null for rows from before it was kept).
 */
public record ConnectionView(String id, String providerAlias, String providerId, String ownerKind, String ownerId,
        String status, String lastError, long expiresAt, long lastRefreshAt, Long nextRefreshAt, int failureCount,
        Set<String> scopes, String accountId, String organizationId, String instanceUrl, String connectedBy,
        long connectedAt, String keyId, boolean hasRefreshToken, String accountName, String accountEmail,
        Long statusChangedAt) {

    static ConnectionView of(ConnectionEntity row) {
        return new ConnectionView(row.getId(), row.getProviderAlias(), row.getProviderId(), row.getOwnerKind(),
                row.getOwnerId(), row.getStatus(), row.getLastError(), row.getExpiresAt(), row.getLastRefreshAt(),
                row.getNextRefreshAt(), row.getFailureCount(), Scopes.parse(row.getScopes()), row.getAccountId(),
                row.getOrganizationId(), row.getInstanceUrl(), row.getConnectedBy(), row.getConnectedAt(),
                row.getKeyId(), row.getRefreshToken() != null, row.getAccountName(), row.getAccountEmail(),
                row.getStatusChangedAt());
    }
}
