package dev.conduit.vault.keys.spi;

import dev.conduit.vault.keys.KeyEncryptionKeys;
import org.keycloak.provider.ProviderFactory;

/** A factory of the {@value KeyProviderSpi#NAME} SPI; it starts the KEKs once, in {@code init}. */
public interface KeyProviderFactory extends ProviderFactory<KeyProvider> {

    /** The KEKs this factory started with. */
    KeyEncryptionKeys keys();
}
