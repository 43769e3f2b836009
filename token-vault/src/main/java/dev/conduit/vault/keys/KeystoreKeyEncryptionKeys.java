package dev.conduit.vault.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.crypto.SecretKey;

/**
 * The {@code keystore} key provider's KEKs: AES-256 secret-key entries of a PKCS#12 or BCFKS keystore file (the
 * formats of Keycloak's own {@code files-keystore} vault), loaded once at start; the file and its password stay outside
 * the database. BCFKS needs a JCA provider for it (Bouncy Castle, which Keycloak registers); without one the start
 * fails with one line saying so. Errors name the file, type and alias, never the password.
 */
public final class KeystoreKeyEncryptionKeys {

    public static final String PROVIDER_ID = "keystore";

    /** @param aliases the entries that unwrap, in order; {@code activeAlias} wraps and is one of them */
    public record Settings(Path file, char[] password, String type, List<String> aliases, String activeAlias) {
    }

    private KeystoreKeyEncryptionKeys() {
    }

    /**
     * @throws IllegalStateException when the file, its type, its password or an alias is wrong: the server refuses to
     *         start
     */
    public static KeyEncryptionKeys load(Settings settings) {
        String type = settings.type() == null || settings.type().isBlank() ? "PKCS12" : settings.type().trim().toUpperCase(Locale.ROOT);
        String where = type + " keystore " + settings.file();
        if (settings.aliases().isEmpty()) {
            throw new IllegalStateException(where + ": no key aliases configured (option 'aliases')");
        }
        settings.aliases().forEach(alias -> KekIds.check(PROVIDER_ID, alias));
        String active = settings.activeAlias() == null || settings.activeAlias().isBlank()
                ? settings.aliases().get(0) : settings.activeAlias().trim();
        if (!settings.aliases().contains(active)) {
            throw new IllegalStateException(where + ": active alias '" + active + "' is not among the aliases " + settings.aliases());
        }
        KeyStore store = open(settings.file(), settings.password(), type, where);
        Map<String, SecretKey> keks = new LinkedHashMap<>();
        for (String alias : settings.aliases()) {
            keks.put(alias, aesKey(store, alias, settings.password(), where));
        }
        return new LocalKeyEncryptionKeys(PROVIDER_ID, keks, active);
    }

    private static KeyStore open(Path file, char[] password, String type, String where) {
        if (!Files.isReadable(file)) {
            throw new IllegalStateException(where + " cannot be read (missing, or not readable by Keycloak's user)");
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(type);
        } catch (KeyStoreException e) {
            throw new IllegalStateException("keystore type " + type + " is not available in this JVM"
                    + ("BCFKS".equals(type) ? ": BCFKS needs a Bouncy Castle provider (bcprov or bc-fips) registered" : "")
                    + "; use PKCS12 or BCFKS");
        }
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalStateException(where + ": wrong password (option 'password')");
            }
            throw new IllegalStateException(where + " cannot be loaded (wrong password, or not a " + type + " file): "
                    + e.getClass().getSimpleName());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(where + " cannot be loaded: " + e.getClass().getSimpleName());
        }
    }

    private static SecretKey aesKey(KeyStore store, String alias, char[] password, String where) {
        Key key;
        try {
            if (!store.containsAlias(alias)) {
                throw new IllegalStateException(where + " has no entry '" + alias + "'");
            }
            key = store.getKey(alias, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(where + ": entry '" + alias + "' cannot be read with the keystore password: "
                    + e.getClass().getSimpleName());
        }
        if (!(key instanceof SecretKey secret) || !"AES".equalsIgnoreCase(key.getAlgorithm())
                || key.getEncoded() == null || key.getEncoded().length != 32) {
            throw new IllegalStateException(where + ": entry '" + alias + "' is not an AES-256 secret key");
        }
        return secret;
    }
}
