package dev.conduit.vault.store;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.conduit.broker.grant.Scopes;
import dev.conduit.broker.grant.UpstreamGrant;
import dev.conduit.broker.grant.UpstreamGrantHandover;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenOwner;
import jakarta.persistence.EntityManager;
import org.keycloak.common.util.Time;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/** Keeps user connections in CONDUIT_CONNECTION with both tokens encrypted and bound to their owner. */
final class JpaUpstreamGrantHandover implements UpstreamGrantHandover {

    static final String USER = TokenOwner.Kind.USER.name();
    private final EntityManager em;
    private final TokenCipher cipher;

    JpaUpstreamGrantHandover(EntityManager em, TokenCipher cipher) {
        this.em = em;
        this.cipher = cipher;
    }

    @Override
    public void accept(RealmModel realm, UserModel user, UpstreamGrant grant) {
        ConnectionEntity existing = byOwnerAndAlias(realm.getId(), user.getId(), grant.providerAlias()).orElse(null);
        UpstreamGrant merged = grant.keepingRefreshTokenOf(existing == null ? null : decrypt(existing));
        ConnectionEntity row = existing;
        if (row == null) {
            row = new ConnectionEntity();
            row.setId(UUID.randomUUID().toString());
            row.setRealmId(realm.getId());
            row.setOwnerKind(USER);
            row.setOwnerId(user.getId());
            row.setProviderAlias(grant.providerAlias());
            row.setConnectedBy(user.getId());
            row.setConnectedAt(Time.currentTime());
        }
        TokenOwner owner = TokenOwner.user(realm.getId(), user.getId(), grant.providerAlias(), "access");
        TokenOwner refreshOwner = TokenOwner.user(realm.getId(), user.getId(), grant.providerAlias(), "refresh");
        row.setProviderId(merged.providerId());
        row.setAccountId(merged.accountId());
        row.setOrganizationId(merged.organizationId());
        row.setInstanceUrl(merged.instanceUrl());
        row.setAccessToken(cipher.encrypt(merged.accessToken(), owner));
        row.setRefreshToken(merged.hasRefreshToken() ? cipher.encrypt(merged.refreshToken(), refreshOwner) : null);
        row.setKeyId(TokenCipher.keyIdOf(row.getAccessToken()));
        row.setScopes(Scopes.join(merged.scopes()));
        row.setIssuedAt(merged.issuedAt());
        row.setExpiresAt(merged.expiresAt());
        row.setStatus("HEALTHY");
        if (existing == null) {
            em.persist(row);
        }
        em.flush();
    }

    @Override
    public Optional<UpstreamGrant> find(RealmModel realm, String userId, String providerAlias) {
        return byOwnerAndAlias(realm.getId(), userId, providerAlias).map(this::decrypt);
    }

    @Override
    public List<UpstreamGrant> findByUser(RealmModel realm, String userId) {
        return em.createNamedQuery("conduitConnectionsByOwner", ConnectionEntity.class)
                .setParameter("realmId", realm.getId())
                .setParameter("ownerKind", USER)
                .setParameter("ownerId", userId)
                .getResultStream()
                .map(this::decrypt)
                .toList();
    }

    private Optional<ConnectionEntity> byOwnerAndAlias(String realmId, String userId, String alias) {
        return em.createNamedQuery("conduitConnectionByOwnerAndAlias", ConnectionEntity.class)
                .setParameter("realmId", realmId)
                .setParameter("ownerKind", USER)
                .setParameter("ownerId", userId)
                .setParameter("alias", alias)
                .getResultStream()
                .findFirst();
    }

    private UpstreamGrant decrypt(ConnectionEntity row) {
        TokenOwner access = TokenOwner.user(row.getRealmId(), row.getOwnerId(), row.getProviderAlias(), "access");
        TokenOwner refresh = TokenOwner.user(row.getRealmId(), row.getOwnerId(), row.getProviderAlias(), "refresh");
        return new UpstreamGrant(row.getProviderId(), row.getProviderAlias(), row.getAccountId(), row.getOrganizationId(),
                row.getInstanceUrl(), cipher.decrypt(row.getAccessToken(), access),
                row.getRefreshToken() == null ? null : cipher.decrypt(row.getRefreshToken(), refresh),
                row.getIssuedAt(), row.getExpiresAt(), Scopes.parse(row.getScopes()));
    }
}
