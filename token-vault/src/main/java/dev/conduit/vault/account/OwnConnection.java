package dev.conduit.vault.account;

import java.util.Set;

import dev.conduit.broker.grant.Scopes;
import dev.conduit.vault.service.LastError;
import dev.conduit.vault.store.ConnectionEntity;

/** What a person may see of their own connection: never a token, never who else holds what, no admin-only detail. */
public record OwnConnection(String id, String provider, String status, String reason, Set<String> scopes,
        String accountId, String instanceUrl, long connectedAt, long lastRefreshAt, long expiresAt) {

    public static OwnConnection of(ConnectionEntity row) {
        return new OwnConnection(row.getId(), row.getProviderAlias(), row.getStatus(),
                LastError.forAppsAndOwners(row.getLastError()),
                Scopes.parse(row.getScopes()), row.getAccountId(), row.getInstanceUrl(), row.getConnectedAt(),
                row.getLastRefreshAt(), row.getExpiresAt());
    }
}
