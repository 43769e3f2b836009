package dev.conduit.api.vault;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * The SPI through which brokers hand upstream grants to the token vault and the exchange asks it for fresh tokens.
 * Its settings are {@code --spi-conduit-vault--<name>}. Without {@code conduit-token-vault.jar} it has no provider:
 * {@code session.getProvider(ConduitVault.class)} is null.
 */
public final class ConduitVaultSpi implements Spi {

    public static final String NAME = "conduit-vault";

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
        return ConduitVault.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return ConduitVaultFactory.class;
    }
}
