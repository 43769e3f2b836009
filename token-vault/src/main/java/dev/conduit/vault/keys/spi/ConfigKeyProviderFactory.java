package dev.conduit.vault.keys.spi;

import java.util.List;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.vault.keys.ConfigKeyEncryptionKeys;
import dev.conduit.vault.keys.KeyEncryptionKeys;
import dev.conduit.vault.service.RenamedSettings;
import org.keycloak.Config;

/**
 * {@code config}, the default key provider, for development: the KEKs are today's vault keys,
 * {@code --spi-conduit-vault--keys} and {@code --spi-conduit-vault--active-key} (so an existing setup keeps working
 * unchanged); it has no settings of its own.
 */
public final class ConfigKeyProviderFactory extends StartedKeyProviderFactory {

    public static final String PROVIDER_ID = ConfigKeyEncryptionKeys.PROVIDER_ID;
    /** The vault's SPI and, before it was renamed, its settings' SPI and provider (see {@link RenamedSettings}). */
    private static final String VAULT_SPI = "conduit-vault";
    private static final String DEPRECATED_VAULT_SPI = "conduit-upstream-grant-handover";

    @Override
    KeyEncryptionKeys start(Config.Scope config) {
        return fromVaultSettings(RenamedSettings.of(Config.scope(VAULT_SPI), Config.scope(DEPRECATED_VAULT_SPI, VAULT_SPI)));
    }

    /** The KEKs from the vault's settings {@code keys} and {@code active-key}. */
    static KeyEncryptionKeys fromVaultSettings(Config.Scope vault) {
        try {
            return ConfigKeyEncryptionKeys.parse(vault.get("keys"), vault.get("active-key"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Conduit key provider 'config': " + e.getMessage()
                    + ". Set --spi-conduit-vault--keys (see docs/operations.md, Key providers).", e);
        }
    }

    @Override
    List<FactorySetting> settings() {
        return List.of();
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
