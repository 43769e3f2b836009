package dev.conduit.vault.keys;

import static dev.conduit.vault.keys.Pkcs11KeyEncryptionKeysTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keystore key provider against keystore files made here, as {@code keytool -genseckey} makes them. */
class KeystoreKeyEncryptionKeysTest {

    private static final byte[] REALM_A = DataKeyScope.realm("realm-a", "dk-1").associatedData();
    private final char[] password = HexFormat.of().formatHex(random(12)).toCharArray();

    @TempDir
    Path dir;

    private Path keystore(String type, String... aliases) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, password);
        for (String alias : aliases) {
            store.setEntry(alias, new KeyStore.SecretKeyEntry(new SecretKeySpec(random(32), "AES")),
                    new KeyStore.PasswordProtection(password));
        }
        Path file = dir.resolve("kek." + type.toLowerCase());
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }

    private KeystoreKeyEncryptionKeys.Settings settings(Path file, String type, List<String> aliases, String active) {
        return new KeystoreKeyEncryptionKeys.Settings(file, password, type, aliases, active);
    }

    @Test
    void aPkcs12KeystoreWrapsUnderTheActiveAliasAndEveryAliasUnwraps() throws Exception {
        Path file = keystore("PKCS12", "kek-1", "kek-2");
        KeyEncryptionKeys first = KeystoreKeyEncryptionKeys.load(settings(file, null, List.of("kek-1"), null));
        byte[] dataKey = random(32);
        WrappedKey underFirst = first.wrap(dataKey, REALM_A);

        KeyEncryptionKeys rotated = KeystoreKeyEncryptionKeys.load(settings(file, "pkcs12", List.of("kek-1", "kek-2"), "kek-2"));

        assertThat(rotated.providerId()).isEqualTo("keystore");
        assertThat(underFirst.kekId()).isEqualTo("kek-1");
        assertThat(rotated.unwrap(underFirst, REALM_A)).isEqualTo(dataKey);
        assertThat(rotated.wrap(dataKey, REALM_A).kekId()).isEqualTo("kek-2");
        assertThatThrownBy(() -> rotated.unwrap(underFirst, DataKeyScope.realm("realm-mallory", "dk-1").associatedData()))
                .isInstanceOf(WrappedKeyRefusedException.class);
    }

    @Test
    void aWrongFilePasswordAliasOrEntryRefusesTheStartNamingItButNeverThePassword() throws Exception {
        Path file = keystore("PKCS12", "kek-1");
        KeyStore withHmac = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(file)) {
            withHmac.load(in, password);
        }
        withHmac.setEntry("not-aes", new KeyStore.SecretKeyEntry(new SecretKeySpec(random(32), "HmacSHA256")),
                new KeyStore.PasswordProtection(password));
        try (OutputStream out = Files.newOutputStream(file)) {
            withHmac.store(out, password);
        }
        String secret = new String(password);

        assertThatThrownBy(() -> KeystoreKeyEncryptionKeys.load(settings(dir.resolve("missing.p12"), null, List.of("kek-1"), null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("missing.p12");
        assertThatThrownBy(() -> KeystoreKeyEncryptionKeys.load(new KeystoreKeyEncryptionKeys.Settings(file,
                "wrong-password".toCharArray(), null, List.of("kek-1"), null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("password").hasMessageNotContaining("wrong-password");
        assertThatThrownBy(() -> KeystoreKeyEncryptionKeys.load(settings(file, null, List.of("kek-1", "kek-9"), null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no entry 'kek-9'").hasMessageNotContaining(secret);
        assertThatThrownBy(() -> KeystoreKeyEncryptionKeys.load(settings(file, null, List.of("not-aes"), null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'not-aes' is not an AES-256 secret key");
        assertThatThrownBy(() -> KeystoreKeyEncryptionKeys.load(settings(file, null, List.of("kek.1"), null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("KEK id 'kek.1' must be non-empty without '.'");
        assertThatThrownBy(() -> KeystoreKeyEncryptionKeys.load(settings(file, null, List.of("kek-1"), "kek-2")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("active alias 'kek-2'");
    }

    @Test
    void bcfksNeedsABouncyCastleProviderAndWorksWithTheOneKeycloakRegisters() throws Exception {
        Path bcfks = dir.resolve("kek.bcfks");
        Files.write(bcfks, new byte[] {1});

        assertThatThrownBy(() -> KeystoreKeyEncryptionKeys.load(settings(bcfks, "BCFKS", List.of("kek-1"), null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("keystore type BCFKS is not available in this JVM: BCFKS needs a Bouncy Castle provider "
                        + "(bcprov or bc-fips) registered; use PKCS12 or BCFKS");

        Security.addProvider(new BouncyCastleProvider());
        try {
            Path file = keystore("BCFKS", "kek-1");
            KeyEncryptionKeys keks = KeystoreKeyEncryptionKeys.load(settings(file, "BCFKS", List.of("kek-1"), null));
            byte[] dataKey = random(32);
            assertThat(keks.unwrap(keks.wrap(dataKey, REALM_A), REALM_A)).isEqualTo(dataKey);
        } finally {
            Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
        }
    }
}
