package dev.conduit.vault.store;

import dev.conduit.broker.grant.UpstreamGrantHandover;
import dev.conduit.broker.grant.UpstreamGrantHandoverFactory;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The persistent, encrypted handover: upstream grants land in CONDUIT_CONNECTION, every token sealed with
 * AES-256-GCM under a key-encryption key from server configuration (never from the database):
 * {@code --spi-conduit-upstream-grant-handover--conduit-vault--keys=k1:<base64 of 32 bytes>} and
 * {@code ...--active-key=k1}. Installed, it is the default handover; without keys Keycloak refuses to start.
 */
public final class VaultUpstreamGrantHandoverFactory implements UpstreamGrantHandoverFactory {

    public static final String PROVIDER_ID = "conduit-vault";
    private static final Logger LOG = Logger.getLogger(VaultUpstreamGrantHandoverFactory.class);

    private TokenCipher cipher;

    @Override
    public UpstreamGrantHandover create(KeycloakSession session) {
        return new JpaUpstreamGrantHandover(session.getProvider(JpaConnectionProvider.class).getEntityManager(), cipher);
    }

    @Override
    public void init(Config.Scope config) {
        try {
            var keys = KeyRingConfig.parse(config.get("keys"), config.get("active-key"));
            cipher = new TokenCipher(keys);
            LOG.infof("Conduit token vault: encrypting with key '%s'", keys.activeKeyId());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Conduit token vault is not configured: " + e.getMessage()
                    + ". Set --spi-conduit-upstream-grant-handover--conduit-vault--keys (see README).", e);
        }
    }

    /**
     * Rows never outlive their owner: a deleted user's or realm's connections are purged in the same
     * transaction. (Revocation at the provider before the purge is still to come: issue 3.)
     */
    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof UserModel.UserRemovedEvent removed) {
                int rows = purge(removed.getKeycloakSession(), "conduitPurgeOwner", removed.getRealm().getId(),
                        removed.getUser().getId());
                LOG.debugf("Purged %d connection(s) of removed user %s in realm %s", rows, removed.getUser().getId(),
                        removed.getRealm().getId());
            } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
                purge(removed.getKeycloakSession(), "conduitPurgeRealm", removed.getRealm().getId(), null);
            }
        });
    }

    private static int purge(KeycloakSession session, String query, String realmId, String ownerId) {
        var statement = session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createNamedQuery(query)
                .setParameter("realmId", realmId);
        if (ownerId != null) {
            statement.setParameter("ownerKind", JpaUpstreamGrantHandover.USER).setParameter("ownerId", ownerId);
        }
        return statement.executeUpdate();
    }

    @Override
    public void close() {
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
