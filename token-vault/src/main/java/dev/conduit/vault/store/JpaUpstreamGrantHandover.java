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
    private static final String ACCESS = "access";
    private static final String REFRESH = "refresh";
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
        row.setProviderId(merged.providerId());
        row.setAccountId(merged.accountId());
        row.setOrganizationId(merged.organizationId());
        row.setInstanceUrl(merged.instanceUrl());
        row.setAccessToken(cipher.encrypt(merged.accessToken(), owner(row, ACCESS)));
        row.setRefreshToken(merged.hasRefreshToken() ? cipher.encrypt(merged.refreshToken(), owner(row, REFRESH)) : null);
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
        return new UpstreamGrant(row.getProviderId(), row.getProviderAlias(), row.getAccountId(), row.getOrganizationId(),
                row.getInstanceUrl(), cipher.decrypt(row.getAccessToken(), owner(row, ACCESS)),
                row.getRefreshToken() == null ? null : cipher.decrypt(row.getRefreshToken(), owner(row, REFRESH)),
                row.getIssuedAt(), row.getExpiresAt(), Scopes.parse(row.getScopes()));
    }

    /** The owner a row's token is sealed for: its realm, user, provider alias and which token it is. */
    private static TokenOwner owner(ConnectionEntity row, String field) {
        return TokenOwner.user(row.getRealmId(), row.getOwnerId(), row.getProviderAlias(), field);
    }
}
