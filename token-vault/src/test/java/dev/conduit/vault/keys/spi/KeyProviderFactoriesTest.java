package dev.conduit.vault.keys.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.ServiceLoader;

import javax.crypto.spec.SecretKeySpec;

import dev.conduit.vault.keys.DataKeyScope;
import dev.conduit.vault.keys.SoftHsm;
import dev.conduit.vault.service.MapScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.Spi;

/** The SPI as Keycloak finds it, and each factory started from server settings as Keycloak passes them. */
class KeyProviderFactoriesTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] AAD = DataKeyScope.realm("realm-a", "dk-1").associatedData();

    @Test
    void keycloakFindsTheSpiAndItsThreeFactories() {
        assertThat(ServiceLoader.load(Spi.class).stream().map(ServiceLoader.Provider::get))
                .filteredOn(spi -> spi.getName().equals("conduit-key-provider"))
                .singleElement()
                .satisfies(spi -> {
                    assertThat(spi.getProviderClass()).isEqualTo(KeyProvider.class);
                    assertThat(spi.getProviderFactoryClass()).isEqualTo(KeyProviderFactory.class);
                });
        assertThat(ServiceLoader.load(KeyProviderFactory.class).stream().map(p -> p.get().getId()))
                .containsExactlyInAnyOrder("config", "keystore", "pkcs11");
    }

    @Test
    void onlyTheChosenProviderIsLoadedAndConfigWhenNoneIsChosen() {
        assertThat(StartedKeyProviderFactory.chosen("config", null)).isTrue();
        assertThat(StartedKeyProviderFactory.chosen("pkcs11", null)).isFalse();
        assertThat(StartedKeyProviderFactory.chosen("keystore", " ")).isFalse();
        assertThat(StartedKeyProviderFactory.chosen("pkcs11", "pkcs11")).isTrue();
        assertThat(StartedKeyProviderFactory.chosen("config", "pkcs11")).isFalse();
    }

    @Test
    void configTakesTodaysVaultKeys() {
        String key = Base64.getEncoder().encodeToString(random(32));

        var keks = ConfigKeyProviderFactory.fromVaultSettings(new MapScope(Map.of("keys", "k1:" + key + ",k2:" + key, "active-key", "k2")));

        assertThat(keks.activeKekId()).isEqualTo("k2");
        assertThat(keks.kekIds()).containsExactly("k1", "k2");
        assertThatThrownBy(() -> ConfigKeyProviderFactory.fromVaultSettings(new MapScope(Map.of())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("--spi-conduit-vault--keys");
    }

    @Test
    void keystoreStartsFromItsSettingsAndShowsIdsNeverThePassword(@TempDir Path dir) throws Exception {
        String password = HexFormat.of().formatHex(random(12));
        Path file = dir.resolve("keks.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, password.toCharArray());
        for (String alias : new String[] {"kek-a", "kek-b"}) {
            store.setEntry(alias, new KeyStore.SecretKeyEntry(new SecretKeySpec(random(32), "AES")),
                    new KeyStore.PasswordProtection(password.toCharArray()));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        KeystoreKeyProviderFactory factory = new KeystoreKeyProviderFactory();

        factory.init(new MapScope(Map.of("file", file.toString(), "password", password, "aliases", "kek-a, kek-b",
                "active-alias", "kek-b")));

        var keks = factory.create(null).keys();
        assertThat(keks.unwrap(keks.wrap(random(32), AAD), AAD)).hasSize(32);
        assertThat(factory.getOperationalInfo())
                .containsExactly(Map.entry("provider", "keystore"), Map.entry("active-kek", "kek-b"), Map.entry("kek-ids", "kek-a,kek-b"));
        assertThat(factory.getOperationalInfo().toString()).doesNotContain(password);
        assertThat(factory.getConfigMetadata()).filteredOn(p -> p.getName().equals("password"))
                .singleElement().extracting(ProviderConfigProperty::getType).isEqualTo(ProviderConfigProperty.PASSWORD);
        assertThatThrownBy(() -> new KeystoreKeyProviderFactory().init(new MapScope(Map.of("password", password))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'file' is required");
    }

    @Test
    void pkcs11StartsFromItsSettingsAgainstSoftHsmAndRefusesBadOnes() {
        SoftHsm hsm = SoftHsm.instance();
        SoftHsm.Token token = hsm.token("factory");
        hsm.generateAesKey(token, "kek-factory", false);
        Pkcs11KeyProviderFactory factory = new Pkcs11KeyProviderFactory();

        factory.init(new MapScope(Map.of("library", SoftHsm.LIBRARY.toString(), "slot", Long.toString(token.slot()),
                "pin", new String(token.pin()), "key-labels", "kek-factory")));

        var keks = factory.create(null).keys();
        byte[] dataKey = random(32);
        assertThat(keks.unwrap(keks.wrap(dataKey, AAD), AAD)).isEqualTo(dataKey);
        assertThat(factory.getOperationalInfo()).containsEntry("provider", "pkcs11").containsEntry("active-kek", "kek-factory");
        assertThat(factory.getOperationalInfo().toString()).doesNotContain(new String(token.pin()));
        assertThatThrownBy(() -> new Pkcs11KeyProviderFactory().init(new MapScope(Map.of("library", SoftHsm.LIBRARY.toString(),
                "slot", "one", "pin", "x", "key-labels", "k"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'slot' must be a number");
        assertThatThrownBy(() -> new Pkcs11KeyProviderFactory().init(new MapScope(Map.of("slot", "1", "pin", "x", "key-labels", "k"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("option 'library'");
    }

    private static byte[] random(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
