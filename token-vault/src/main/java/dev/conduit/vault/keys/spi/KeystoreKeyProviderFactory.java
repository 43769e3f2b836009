package dev.conduit.vault.keys.spi;

import java.nio.file.Path;
import java.util.List;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.vault.keys.KeyEncryptionKeys;
import dev.conduit.vault.keys.KeystoreKeyEncryptionKeys;
import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;

/** {@code keystore}: KEKs from a PKCS#12 or BCFKS keystore file, {@code --spi-conduit-key-provider--keystore--<name>}. */
public final class KeystoreKeyProviderFactory extends StartedKeyProviderFactory {

    public static final String PROVIDER_ID = KeystoreKeyEncryptionKeys.PROVIDER_ID;

    static final FactorySetting FILE = FactorySetting.text("file", null, "Path of the keystore file (required).");
    static final FactorySetting PASSWORD = new FactorySetting("password", ProviderConfigProperty.PASSWORD,
            "Password of the keystore and its entries (required). A plain option: give it through the environment or "
                    + "conf/keycloak.conf (mode 600), not on the command line.", null);
    static final FactorySetting TYPE = FactorySetting.text("type", "PKCS12", "PKCS12 or BCFKS.");
    static final FactorySetting ALIASES = FactorySetting.text("aliases", null,
            "Aliases of the AES-256 secret-key entries that unwrap, comma-separated (required).");
    static final FactorySetting ACTIVE_ALIAS = FactorySetting.text("active-alias", null,
            "Alias that wraps new data keys; default the first of 'aliases'.");

    @Override
    KeyEncryptionKeys start(Config.Scope config) {
        String file = FILE.readText(config);
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("Conduit key provider 'keystore': option 'file' is required "
                    + "(--spi-conduit-key-provider--keystore--file)");
        }
        String password = PASSWORD.readText(config);
        if (password == null) {
            throw new IllegalStateException("Conduit key provider 'keystore': option 'password' is required "
                    + "(--spi-conduit-key-provider--keystore--password)");
        }
        return KeystoreKeyEncryptionKeys.load(new KeystoreKeyEncryptionKeys.Settings(Path.of(file.trim()),
                secret(password), TYPE.readText(config), list(ALIASES.readText(config)), ACTIVE_ALIAS.readText(config)));
    }

    @Override
    List<FactorySetting> settings() {
        return List.of(FILE, PASSWORD, TYPE, ALIASES, ACTIVE_ALIAS);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
