package dev.conduit.vault.account;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.conduit.api.grant.Scopes;
import dev.conduit.api.permission.HeldPermissions;
import dev.conduit.api.permission.Vocabulary;
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
     * What the page says of the connection's provider: its type ({@code salesforce}), its name for people and why it
     * refuses a refresh token, from the provider's broker ({@link dev.conduit.api.grant.ConduitBroker}).
     */
    public record ProviderFacts(Vocabulary vocabulary, String name, String refusedGrantCause) {
    }

    /**
     * @param provider what the page says of the row's provider
     * @param clientScopes the realm's client scopes: attributes by name (permission labels and mappings)
     * @param now epoch seconds
     */
    public static OwnConnection of(ConnectionEntity row, ProviderFacts provider,
            Map<String, Map<String, String>> clientScopes, long now) {
        String type = provider.vocabulary().type();
        String providerName = provider.name();
        Set<String> scopes = Scopes.parse(row.getScopes());
        ConnectionWords.Words words = ConnectionWords.describe(row.getStatus(), row.getLastError(),
                provider.refusedGrantCause(), providerName, row.getStatusChangedAt(), now);
        return new OwnConnection(row.getId(), row.getProviderAlias(), row.getStatus(),
                LastError.forAppsAndOwners(row.getLastError()), scopes, row.getAccountId(), row.getInstanceUrl(),
                row.getConnectedAt(), row.getLastRefreshAt(), row.getExpiresAt(), type, providerName,
                row.getAccountName(), row.getAccountEmail(), HeldPermissions.of(provider.vocabulary(), scopes, clientScopes),
                words.summary(), words.action(), row.getStatusChangedAt());
    }
}
