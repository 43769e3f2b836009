package dev.conduit.vault.keycloak;

import java.util.Optional;
import java.util.UUID;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.Scopes;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.api.vault.ConduitVault;
import dev.conduit.vault.crypto.HandoverSeal;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.api.vault.ConnectionKey;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.api.vault.FreshToken;
import dev.conduit.api.vault.RefusedToken;
import dev.conduit.vault.service.ConnectionStatus;
import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Keeps connections in CONDUIT_CONNECTION with both tokens encrypted and bound to their owner. A new
 * authorization replaces tokens, scopes (which may shrink as well as grow) and provider metadata, keeps a
 * refresh token the new answer lacks, and makes a connection that needed reconnecting healthy again.
 */
final class JpaConduitVault implements ConduitVault {

    private static final Logger LOG = Logger.getLogger(JpaConduitVault.class);

    private final KeycloakSession session;
    private final VaultStore store;
    private final ConnectionVault vault;
    private final HandoverSeal handoverSeal;

    JpaConduitVault(KeycloakSession session, ConnectionVault vault, HandoverSeal handoverSeal) {
        this.session = session;
        this.store = VaultStore.of(session);
        this.vault = vault;
        this.handoverSeal = handoverSeal;
    }

    @Override
    public String seal(byte[] content, GrantBinding binding) {
        return handoverSeal.seal(content, binding);
    }

    @Override
    public byte[] open(String sealed, GrantBinding binding) {
        return handoverSeal.open(sealed, binding);
    }

    @Override
    public void accept(RealmModel realm, UserModel user, UpstreamGrant grant) {
        store(realm, ConnectionKey.user(realm.getId(), user.getId(), grant.providerAlias()), user, grant);
    }

    @Override
    public void acceptForOrganization(RealmModel realm, String organizationId, UserModel connectedBy, UpstreamGrant grant) {
        store(realm, ConnectionKey.organization(realm.getId(), organizationId, grant.providerAlias()), connectedBy, grant);
    }

    private void store(RealmModel realm, ConnectionKey key, UserModel connectedBy, UpstreamGrant grant) {
        ConnectionEntity existing = vault.find(session, key).orElse(null);
        if (existing != null) {
            store.lockAndRefresh(existing);
        }
        // a row sealed under a key no longer configured cannot lend its refresh token: the new authorization replaces it
        UpstreamGrant merged = grant.keepingRefreshTokenOf(existing == null ? null : openable(existing).orElse(null));
        ConnectionEntity row = existing;
        long now = Time.currentTime();
        if (row == null) {
            row = new ConnectionEntity();
            row.setId(UUID.randomUUID().toString());
            row.setRealmId(key.realmId());
            row.setOwnerKind(key.kind().name());
            row.setOwnerId(key.ownerId());
            row.setProviderAlias(key.alias());
        }
        row.setConnectedBy(connectedBy.getId());
        row.setConnectedAt(now);
        row.setProviderId(merged.providerId());
        row.setAccountId(merged.accountId());
        row.setOrganizationId(merged.organizationId());
        row.setInstanceUrl(merged.instanceUrl());
        // a grant sealed before the provider's identity answer was kept (an upgrade mid-login) names nobody: keep ours
        if (merged.accountName() != null || merged.accountEmail() != null) {
            row.setAccountName(merged.accountName());
            row.setAccountEmail(merged.accountEmail());
        }
        vault.seal().seal(row, merged.accessToken(), merged.hasRefreshToken() ? merged.refreshToken() : null);
        row.setScopes(Scopes.join(merged.scopes()));
        row.setIssuedAt(merged.issuedAt());
        row.setExpiresAt(merged.expiresAt());
        row.setStatus(ConnectionStatus.HEALTHY.name());
        row.setFailureCount(0);
        row.setLastError(null);
        // a new authorization starts the refused-token bounds afresh
        row.setRefusalWindowAt(0);
        row.setRefusalRefreshes(0);
        row.setRefusalLastAt(0);
        row.setLastRefreshAt(now);
        row.setHealthCheckedAt(now);
        row.setNextRefreshAt(vault.nextRefreshAt(row));
        if (existing == null) {
            store.persist(row);
        }
        store.flush();
        vault.connected(session, realm, row, existing != null);
    }

    @Override
    public FreshToken accessToken(ConnectionKey key, RefusedToken refused) throws ConnectionUnavailableException {
        return vault.accessToken(session, key, refused);
    }

    @Override
    public FreshToken accessToken(ConnectionKey key, RefusedToken refused, String subject, String namedBy)
            throws ConnectionUnavailableException {
        return vault.accessToken(session, key, refused, subject, namedBy);
    }

    @Override
    public Optional<UpstreamGrant> find(RealmModel realm, String userId, String providerAlias) {
        return vault.find(session, ConnectionKey.user(realm.getId(), userId, providerAlias)).flatMap(this::openable);
    }

    @Override
    public Optional<UpstreamGrant> findForOrganization(RealmModel realm, String organizationId, String providerAlias) {
        return vault.find(session, ConnectionKey.organization(realm.getId(), organizationId, providerAlias))
                .map(row -> new UpstreamGrant(row.getProviderId(), row.getProviderAlias(), row.getAccountId(),
                        row.getOrganizationId(), row.getInstanceUrl(), null, null, row.getIssuedAt(),
                        row.getExpiresAt(), Scopes.parse(row.getScopes()), row.getAccountName(), row.getAccountEmail()));
    }

    /** The row's grant, or empty when its tokens cannot be opened with this server's keys (logged, never thrown). */
    private Optional<UpstreamGrant> openable(ConnectionEntity row) {
        try {
            return Optional.of(decrypt(row));
        } catch (TokenDecryptionException e) {
            LOG.warnf("Connection %s cannot be opened with this server's keys (%s); a new authorization replaces it",
                    row.getId(), e.getMessage());
            return Optional.empty();
        }
    }

    private UpstreamGrant decrypt(ConnectionEntity row) {
        return new UpstreamGrant(row.getProviderId(), row.getProviderAlias(), row.getAccountId(), row.getOrganizationId(),
                row.getInstanceUrl(), vault.seal().accessToken(row), vault.seal().refreshToken(row),
                row.getIssuedAt(), row.getExpiresAt(), Scopes.parse(row.getScopes()), row.getAccountName(),
                row.getAccountEmail());
    }
}
