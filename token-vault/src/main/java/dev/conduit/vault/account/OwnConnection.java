package dev.conduit.vault.account;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.conduit.api.grant.Scopes;
import dev.conduit.api.permission.HeldPermissions;
import dev.conduit.api.permission.PermissionMapping;
import dev.conduit.api.vault.LastError;
import dev.conduit.vault.store.ConnectionEntity;

/**
 * What a person may see of their own connection: never a token, never who else holds what, no admin-only detail.
 * Beside the vault's own words ({@code status}, {@code reason}, raw {@code scopes}, {@code accountId}) it says the
 * same in people's: the provider's name, the account's name and e-mail as the provider gave them ({@code null} for
 * connections made before they were kept), the Conduit {@code permissions} the scopes cover, and a {@code summary} of
 * what happened with the {@code action} to take ({@link ConnectionWords}). Times are epoch seconds.
 */
public record OwnConnection(String id, String provider, String status, String reason, Set<String> scopes,
        String accountId, String instanceUrl, long connectedAt, long lastRefreshAt, long expiresAt,
        String providerType, String providerName, String accountName, String accountEmail,
        List<HeldPermissions.Permission> permissions, String summary, String action, Long statusSince) {

    /**
     * @param providerDisplayName the identity provider's display name in the realm, or null
     * @param clientScopes the realm's client scopes: attributes by name (permission labels and mappings)
     * @param now epoch seconds
     */
    public static OwnConnection of(ConnectionEntity row, String providerDisplayName,
            Map<String, Map<String, String>> clientScopes, long now) {
        String type = PermissionMapping.providerType(row.getProviderId()).orElse(null);
        String providerName = ConnectionWords.providerName(type, providerDisplayName, row.getProviderAlias());
        Set<String> scopes = Scopes.parse(row.getScopes());
        ConnectionWords.Words words = ConnectionWords.describe(row.getStatus(), row.getLastError(), type, providerName,
                row.getStatusChangedAt(), now);
        return new OwnConnection(row.getId(), row.getProviderAlias(), row.getStatus(),
                LastError.forAppsAndOwners(row.getLastError()), scopes, row.getAccountId(), row.getInstanceUrl(),
                row.getConnectedAt(), row.getLastRefreshAt(), row.getExpiresAt(), type, providerName,
                row.getAccountName(), row.getAccountEmail(), HeldPermissions.of(type, scopes, clientScopes),
                words.summary(), words.action(), row.getStatusChangedAt());
    }
}
