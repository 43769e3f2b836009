package dev.conduit.vault.service;

import java.util.List;

import dev.conduit.vault.keys.KeyUnavailableException;
import dev.conduit.vault.store.DataKeyStore;
import dev.conduit.vault.store.VaultStore;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * At start: data keys not wrapped under the active KEK are rewrapped (KEK rotation, no connection row touched), and
 * every realm holding rows sealed under no data key (v1 rows from before envelope encryption, issue 16 item 4) gets
 * its background key rotation, so the migration is online and automatic; the master realm's run also takes the
 * pending revocations of removed realms. A key provider unreachable now is logged; {@code POST rotate-key} retries.
 */
public final class EnvelopeMigration {

    private static final Logger LOG = Logger.getLogger(EnvelopeMigration.class);

    private EnvelopeMigration() {
    }

    public static void atStart(KeycloakSessionFactory factory, ConnectionVault vault) {
        try {
            vault.dataKeys().rewrapAll();
        } catch (KeyUnavailableException e) {
            LOG.warnf("Data keys not rewrapped at start: the key provider is unreachable (%s); POST rotate-key retries",
                    e.getMessage());
        }
        record Found(List<String> realms, String masterId) {
        }
        Found found = KeycloakModelUtils.runJobInTransactionWithResult(factory, s -> {
            RealmModel master = s.realms().getRealmByName(Config.getAdminRealm());
            return new Found(DataKeyStore.of(VaultStore.of(s)).realmsWithLegacyRows(), master == null ? null : master.getId());
        });
        if (found.realms().isEmpty()) {
            return;
        }
        LOG.infof("Envelope encryption: %d realm(s) hold rows sealed under the configured keys; re-sealing them under data"
                + " keys in the background", found.realms().size());
        for (String realmId : found.realms()) {
            if (!realmId.equals(found.masterId())) {
                vault.keyRotations().start(realmId, false);
            }
        }
        if (found.masterId() != null) {
            vault.keyRotations().start(found.masterId(), true);
        }
    }
}
