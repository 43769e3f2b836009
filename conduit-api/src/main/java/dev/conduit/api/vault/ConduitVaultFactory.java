package dev.conduit.api.vault;

import org.keycloak.provider.ProviderFactory;

/** A factory of the {@value ConduitVaultSpi#NAME} SPI: the token vault's ({@code conduit-vault}). */
public interface ConduitVaultFactory extends ProviderFactory<ConduitVault> {
}
