package dev.conduit.vault.keys.spi;

import java.nio.file.Path;
import java.util.List;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.vault.keys.KeyEncryptionKeys;
import dev.conduit.vault.keys.Pkcs11KeyEncryptionKeys;
import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;

/** {@code pkcs11}: KEKs inside an HSM through SunPKCS11, {@code --spi-conduit-key-provider--pkcs11--<name>}. */
public final class Pkcs11KeyProviderFactory extends StartedKeyProviderFactory {

    public static final String PROVIDER_ID = Pkcs11KeyEncryptionKeys.PROVIDER_ID;

    static final FactorySetting LIBRARY = FactorySetting.text("library", null,
            "Path of the HSM's PKCS#11 library (required), e.g. /usr/lib/softhsm/libsofthsm2.so.");
    static final FactorySetting SLOT = FactorySetting.text("slot", null,
            "Slot id of the token (softhsm2-util --show-slots); or set 'slot-list-index'.");
    static final FactorySetting SLOT_LIST_INDEX = FactorySetting.text("slot-list-index", null,
            "Index of the token's slot in the library's slot list; or set 'slot'.");
    static final FactorySetting PIN = new FactorySetting("pin", ProviderConfigProperty.PASSWORD,
            "The token's user PIN (required). A plain option: give it through the environment or "
                    + "conf/keycloak.conf (mode 600), not on the command line.", null);
    static final FactorySetting KEY_LABELS = FactorySetting.text("key-labels", null,
            "Labels (CKA_LABEL) of the AES-256 KEKs that unwrap, comma-separated (required).");
    static final FactorySetting ACTIVE_LABEL = FactorySetting.text("active-label", null,
            "Label of the KEK that wraps new data keys; default the first of 'key-labels'.");

    @Override
    KeyEncryptionKeys start(Config.Scope config) {
        String library = LIBRARY.readText(config);
        return Pkcs11KeyEncryptionKeys.start(new Pkcs11KeyEncryptionKeys.Settings(
                library == null || library.isBlank() ? null : Path.of(library.trim()),
                number(SLOT, config, Long::valueOf), number(SLOT_LIST_INDEX, config, Integer::valueOf),
                secret(PIN.readText(config)), list(KEY_LABELS.readText(config)), ACTIVE_LABEL.readText(config)));
    }

    private static <T> T number(FactorySetting setting, Config.Scope config, java.util.function.Function<String, T> parse) {
        String value = setting.readText(config);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parse.apply(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Conduit key provider 'pkcs11': option '" + setting.name() + "' must be a number");
        }
    }

    @Override
    List<FactorySetting> settings() {
        return List.of(LIBRARY, SLOT, SLOT_LIST_INDEX, PIN, KEY_LABELS, ACTIVE_LABEL);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
