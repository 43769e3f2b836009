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

    @Override
    public void postInit(KeycloakSessionFactory factory) {
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
