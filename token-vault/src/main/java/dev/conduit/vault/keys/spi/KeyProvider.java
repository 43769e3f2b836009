package dev.conduit.vault.keys.spi;

import dev.conduit.vault.keys.KeyEncryptionKeys;
import org.keycloak.provider.Provider;

/** The chosen key provider, per session: the server-wide KEKs its factory started with. */
public interface KeyProvider extends Provider {

    KeyEncryptionKeys keys();

    @Override
    default void close() {
    }
}
