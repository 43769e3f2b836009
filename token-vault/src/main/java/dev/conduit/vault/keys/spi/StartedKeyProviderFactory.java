package dev.conduit.vault.keys.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.vault.keys.KeyEncryptionKeys;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

/**
 * The factories' shared lifecycle: only the chosen provider is loaded ({@link #isSupported}), it starts its KEKs in
 * {@code init} (a failure there stops Keycloak with the provider's message), and server info shows the provider, the
 * active KEK id and the KEK ids, never a key, PIN or password.
 */
abstract class StartedKeyProviderFactory implements KeyProviderFactory, EnvironmentDependentProviderFactory,
        ServerInfoAwareProviderFactory {

    private static final Logger LOG = Logger.getLogger(StartedKeyProviderFactory.class);
    private KeyEncryptionKeys keys;

    /** Starts the KEKs from this factory's settings; throws {@link IllegalStateException} to refuse the start. */
    abstract KeyEncryptionKeys start(Config.Scope config);

    /** The settings of {@code getConfigMetadata}. */
    abstract List<FactorySetting> settings();

    @Override
    public final void init(Config.Scope config) {
        keys = start(config);
        LOG.infof("Conduit key provider '%s': wrapping with KEK '%s' (KEKs %s)", getId(), keys.activeKekId(), keys.kekIds());
    }

    @Override
    public final KeyProvider create(KeycloakSession session) {
        KeyEncryptionKeys started = keys;
        return () -> started;
    }

    @Override
    public final KeyEncryptionKeys keys() {
        return keys;
    }

    @Override
    public final boolean isSupported(Config.Scope config) {
        return chosen(getId(), Config.getProvider(KeyProviderSpi.NAME));
    }

    /** Whether {@code id} is the chosen provider; {@code config} when none is chosen. */
    static boolean chosen(String id, String chosenProvider) {
        return chosenProvider == null || chosenProvider.isBlank() ? ConfigKeyProviderFactory.PROVIDER_ID.equals(id)
                : chosenProvider.trim().equals(id);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public final List<ProviderConfigProperty> getConfigMetadata() {
        return FactorySetting.metadata(settings());
    }

    @Override
    public final Map<String, String> getOperationalInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("provider", keys.providerId());
        info.put("active-kek", keys.activeKekId());
        info.put("kek-ids", String.join(",", keys.kekIds()));
        return info;
    }

    static List<String> list(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static char[] secret(String value) {
        return value == null ? null : value.toCharArray();
    }
}
