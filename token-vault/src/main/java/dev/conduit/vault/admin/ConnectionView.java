package dev.conduit.vault.admin;

import java.util.Set;

import dev.conduit.api.grant.Scopes;
import dev.conduit.vault.store.ConnectionEntity;

/**
 * What the admin API shows of a connection: everything but the tokens, in the vault's words (raw scopes, the full
 * {@code lastError} with its admin-only detail), plus the upstream account's name and e-mail as the provider gave
 * them, when the provider issued the tokens ({@code issuedAt}, epoch seconds) and when the status last changed
 * ({@code statusChangedAt}, epoch seconds, null for rows from before it was kept). A server connection (issue 15) names
 * its {@code grantKind} and what may be {@code shown} of its credential (consumer key, certificate; never a secret);
 * both are null for a consent connection.
 *
 * @param status the stored status ({@code HEALTHY}, {@code EXPIRING}, {@code RECONNECT_REQUIRED}, {@code REVOKED}), or
 *        {@value #UNDECRYPTABLE} when the row's tokens do not open with this server's keys
 */
public record ConnectionView(String id, String providerAlias, String providerId, String ownerKind, String ownerId,
        String status, String lastError, long issuedAt, long expiresAt, long lastRefreshAt, Long nextRefreshAt,
        int failureCount, Set<String> scopes, String accountId, String organizationId, String instanceUrl,
        String connectedBy, long connectedAt, String keyId, boolean hasRefreshToken, String accountName,
        String accountEmail, Long statusChangedAt, String grantKind, java.util.Map<String, String> shown) {

    /**
     * The tokens cannot be opened with the configured keys (a retired key, or an altered row): the row is listed all
     * the same, and the owner's next login replaces it. Shown in place of the stored status, which filters still match.
     */
    public static final String UNDECRYPTABLE = "UNDECRYPTABLE";

    /** @param opens whether the row's tokens open with this server's keys */
    static ConnectionView of(ConnectionEntity row, boolean opens) {
        return new ConnectionView(row.getId(), row.getProviderAlias(), row.getProviderId(), row.getOwnerKind(),
                row.getOwnerId(), opens ? row.getStatus() : UNDECRYPTABLE, row.getLastError(), row.getIssuedAt(),
                row.getExpiresAt(), row.getLastRefreshAt(), row.getNextRefreshAt(), row.getFailureCount(),
                Scopes.parse(row.getScopes()), row.getAccountId(), row.getOrganizationId(), row.getInstanceUrl(),
                row.getConnectedBy(), row.getConnectedAt(), row.getKeyId(), row.getRefreshToken() != null,
                row.getAccountName(), row.getAccountEmail(), row.getStatusChangedAt(), row.getGrantKind(),
                row.isServer() && row.getShown() != null ? dev.conduit.vault.server.ServerCredentials.shown(row.getShown()) : null);
    }
}
