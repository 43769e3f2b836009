package dev.conduit.vault.keys.spi;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * Conduit's own SPI for key providers, which hold the key-encryption keys that wrap the vault's data keys: factories
 * {@code config} (the default), {@code keystore} and {@code pkcs11}. Choose one with
 * {@code --spi-conduit-key-provider--provider=<id>} (a build option); its settings are
 * {@code --spi-conduit-key-provider--<id>--<name>}. A new provider (a cloud KMS, Vault Transit) is one
 * {@link dev.conduit.vault.keys.KeyEncryptionKeys} class and its factory.
 */
public final class KeyProviderSpi implements Spi {

    public static final String NAME = "conduit-key-provider";

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return KeyProvider.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return KeyProviderFactory.class;
    }
}
