package dev.conduit.vault.keycloak;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.api.vault.ConduitVault;
import dev.conduit.api.vault.ConduitVaultFactory;
import dev.conduit.api.vault.ConduitVaultSpi;
import dev.conduit.vault.cache.RowCaches;
import dev.conduit.vault.crypto.HandoverSeal;
import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.keys.DataKeyCache;
import dev.conduit.vault.keys.DataKeys;
import dev.conduit.vault.keys.KeyEncryptionKeys;
import dev.conduit.vault.keys.spi.KeyProvider;
import dev.conduit.vault.keys.spi.KeyProviderFactory;
import dev.conduit.vault.keys.spi.KeyProviderSpi;
import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.service.DataKeySettings;
import dev.conduit.vault.service.EnvelopeMigration;
import dev.conduit.vault.service.StoredDataKeys;
import dev.conduit.vault.service.RenamedSettings;
import dev.conduit.vault.service.RowCacheSettings;
import dev.conduit.vault.service.RowSeal;
import dev.conduit.vault.service.VaultSettings;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

/**
 * The token vault ({@link ConduitVault}): upstream grants land in CONDUIT_CONNECTION, every token sealed with
 * AES-256-GCM under a data key of its realm (or organization, {@code data-key-per-organization}), the data keys stored
 * in CONDUIT_DATA_KEY wrapped by a KEK of the chosen key provider ({@code conduit-key-provider}, default
 * {@code config}), never in clear in the database. {@code --spi-conduit-vault--keys=k1:<base64 of 32 bytes>} and
 * {@code --spi-conduit-vault--active-key=k1} (the names before,
 * {@code --spi-conduit-upstream-grant-handover--conduit-vault--<name>}, still work for one release: see
 * {@link RenamedSettings}) are the {@code config} provider's KEKs and still open the rows sealed before data keys
 * (v1), which {@link EnvelopeMigration} re-seals from the first start. With {@code config} Keycloak refuses to start
 * without keys; with another key provider they are optional, needed only while rows sealed before data keys remain:
 * refresh-token fingerprints and sign-in handovers are keyed by the realm's data key too, so no key material but the
 * key provider's is needed.
 *
 * <p>Connections never outlive their owner: see {@link OwnerRemovals} for what unlinking and deleting a user, an
 * organization, an identity provider or a realm do to them.
 */
public final class JpaConduitVaultFactory implements ConduitVaultFactory,
        ServerInfoAwareProviderFactory {

    public static final String PROVIDER_ID = "conduit-vault";
    /** The SPI this factory's settings were named after until the {@value ConduitVaultSpi#NAME} SPI replaced it. */
    static final String DEPRECATED_SPI = "conduit-upstream-grant-handover";
    private static final Logger LOG = Logger.getLogger(JpaConduitVaultFactory.class);

    static final FactorySetting KEYS = FactorySetting.text("keys", null,
            "Keys id:base64-of-32-bytes,...: the config key provider's KEKs (required with it), and with any provider what"
                    + " opens rows sealed before data keys until they are migrated. Server info shows only their ids.");
    static final FactorySetting ACTIVE_KEY = FactorySetting.text("active-key", null,
            "Id of the config key provider's KEK that wraps new data keys; default the first of 'keys'. The others still unwrap.");

    private KeyRing keys;
    private volatile HandoverSeal handoverSeal;
    private VaultSettings settings;
    private DataKeySettings dataKeySettings;
    private RowCacheSettings rowCacheSettings;
    private RowCacheCluster rowCacheCluster;
    private volatile ConnectionVault vault;
    /** The scheduled runs' workers and the administrators' background jobs: created in postInit, shut down in close. */
    private ExecutorService workers;
    private ExecutorService background;

    @Override
    public ConduitVault create(KeycloakSession session) {
        return new JpaConduitVault(session, vault, handoverSeal);
    }

    /** The vault, for the vault's own admin endpoints; null until the server has started. */
    public ConnectionVault vault() {
        return vault;
    }

    /** This server's running vault, for the vault's own admin endpoints; empty before the server has started. */
    public static Optional<ConnectionVault> running(KeycloakSession session) {
        var factory = session.getKeycloakSessionFactory().getProviderFactory(ConduitVault.class, PROVIDER_ID);
        return factory instanceof JpaConduitVaultFactory vault ? Optional.ofNullable(vault.vault()) : Optional.empty();
    }

    /** Reads {@code --spi-conduit-vault--<name>}, not the provider-level scope Keycloak passes. */
    @Override
    public void init(Config.Scope config) {
        start(RenamedSettings.of(Config.scope(ConduitVaultSpi.NAME), Config.scope(DEPRECATED_SPI, PROVIDER_ID)));
    }

    /** The settings as {@link #init} reads them (tests give their own). */
    void start(Config.Scope config) {
        try {
            keys = KeyRingConfig.parseOptional(KEYS.readText(config), ACTIVE_KEY.readText(config));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Conduit token vault is not configured: " + e.getMessage()
                    + ". See --spi-conduit-vault--keys (docs/operations.md, Key providers).", e);
        }
        if (keys.isEmpty()) {
            LOG.info("Conduit token vault: no legacy keys (option 'keys'); every token is sealed under data keys");
        } else {
            LOG.infof("Conduit token vault: legacy keys %s still open rows sealed before data keys", keys.keyIds());
        }
        settings = VaultSettings.from(config);
        dataKeySettings = DataKeySettings.from(config);
        rowCacheSettings = RowCacheSettings.from(config);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        workers = VaultPools.workers(settings.refreshThreads());
        background = VaultPools.background();
        RowCaches rowCaches = new RowCaches(rowCacheSettings.size(), rowCacheSettings.maxAgeSeconds() * 1000L,
                org.keycloak.common.util.Time::currentTimeMillis);
        StoredDataKeys dataKeys = new StoredDataKeys(factory, new DataKeys(keyEncryptionKeys(factory),
                new DataKeyCache(dataKeySettings.cacheTimeToLive(), dataKeySettings.cacheSize(), Clock.systemUTC())),
                dataKeySettings.perOrganization(), rowCaches);
        TokenCipher cipher = new TokenCipher(keys, dataKeys);
        handoverSeal = new HandoverSeal(cipher, dataKeys);
        RowSeal seal = new RowSeal(cipher, new TokenFingerprints(keys, dataKeys));
        vault = new ConnectionVault(factory, seal, dataKeys, settings, workers, background, rowCaches);
        rowCacheCluster = new RowCacheCluster(factory, rowCaches);
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                rowCacheCluster.start();
                ProactiveRefreshTask.schedule(factory, vault, settings);
                EnvelopeMigration.atStart(factory, vault);
            }
        });
        factory.register(new OwnerRemovals(vault));
    }

    /** The chosen key provider's KEKs ({@code conduit-key-provider}, default {@code config}: today's {@code keys}). */
    private static KeyEncryptionKeys keyEncryptionKeys(KeycloakSessionFactory factory) {
        var provider = factory.getProviderFactory(KeyProvider.class);
        if (!(provider instanceof KeyProviderFactory keyProvider) || keyProvider.keys() == null) {
            throw new IllegalStateException("Conduit token vault: no key provider is running (SPI " + KeyProviderSpi.NAME
                    + "; see docs/operations.md, Key providers)");
        }
        LOG.infof("Conduit token vault: data keys wrapped by key provider '%s', KEK '%s'", keyProvider.keys().providerId(),
                keyProvider.keys().activeKekId());
        return keyProvider.keys();
    }

    @Override
    public void close() {
        if (rowCacheCluster != null) {
            rowCacheCluster.stop();
        }
        VaultPools.shutdown(workers);
        VaultPools.shutdown(background);
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        List<FactorySetting> all = new ArrayList<>(List.of(KEYS, ACTIVE_KEY));
        all.addAll(VaultSettings.SETTINGS);
        all.addAll(DataKeySettings.SETTINGS);
        all.addAll(RowCacheSettings.SETTINGS);
        return FactorySetting.metadata(all);
    }

    /** Key ids and the active key id, never key material; then every tunable in effect. */
    @Override
    public Map<String, String> getOperationalInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("key-ids", String.join(",", keys.keyIds()));
        if (!keys.isEmpty()) {
            info.put(ACTIVE_KEY.name(), keys.activeKeyId());
        }
        info.putAll(settings.operationalInfo());
        info.putAll(dataKeySettings.operationalInfo());
        info.putAll(rowCacheSettings.operationalInfo());
        return info;
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
