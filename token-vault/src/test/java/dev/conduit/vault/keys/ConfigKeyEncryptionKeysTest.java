package dev.conduit.vault.keys;

import static dev.conduit.vault.keys.Pkcs11KeyEncryptionKeysTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

class ConfigKeyEncryptionKeysTest {

    private static final String K1 = Base64.getEncoder().encodeToString(random(32));
    private static final String K2 = Base64.getEncoder().encodeToString(random(32));
    private static final byte[] REALM_A = DataKeyScope.realm("realm-a", "dk-1").associatedData();

    @Test
    void readsTodaysVaultKeysAndWrapsUnderTheActiveOne() {
        KeyEncryptionKeys keks = ConfigKeyEncryptionKeys.parse("k1:" + K1 + ", k2:" + K2, "k2");
        byte[] dataKey = random(32);

        WrappedKey wrapped = keks.wrap(dataKey, REALM_A);

        assertThat(keks.providerId()).isEqualTo("config");
        assertThat(keks.kekIds()).containsExactly("k1", "k2");
        assertThat(wrapped.kekId()).isEqualTo("k2");
        assertThat(keks.unwrap(wrapped, REALM_A)).isEqualTo(dataKey);
        assertThat(ConfigKeyEncryptionKeys.parse("k1:" + K1, null).activeKekId()).as("default: the first key").isEqualTo("k1");
    }

    @Test
    void aKekStillListedUnwrapsWhatItWrappedAfterTheActiveKekChanged() {
        byte[] dataKey = random(32);
        WrappedKey underK1 = ConfigKeyEncryptionKeys.parse("k1:" + K1, "k1").wrap(dataKey, REALM_A);

        KeyEncryptionKeys rotated = ConfigKeyEncryptionKeys.parse("k1:" + K1 + ",k2:" + K2, "k2");

        assertThat(rotated.unwrap(underK1, REALM_A)).isEqualTo(dataKey);
        assertThatThrownBy(() -> ConfigKeyEncryptionKeys.parse("k2:" + K2, "k2").unwrap(underK1, REALM_A))
                .isInstanceOf(WrappedKeyRefusedException.class).hasMessageContaining("'k1'");
    }

    @Test
    void malloryCannotOpenAWrappedKeyAsAnotherOwnerAlteredOrRelabelled() {
        KeyEncryptionKeys keks = ConfigKeyEncryptionKeys.parse("k1:" + K1 + ",k2:" + K2, "k2");
        WrappedKey wrapped = keks.wrap(random(32), REALM_A);
        byte[] tampered = wrapped.bytes();
        tampered[tampered.length - 1] ^= 1;

        assertThatThrownBy(() -> keks.unwrap(wrapped, DataKeyScope.realm("realm-a", "dk-2").associatedData()))
                .isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> keks.unwrap(wrapped, DataKeyScope.organization("realm-a", "org-mallory", "dk-1").associatedData()))
                .isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> keks.unwrap(new WrappedKey("k2", tampered), REALM_A)).isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> keks.unwrap(new WrappedKey("k2", new byte[5]), REALM_A)).isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> keks.unwrap(new WrappedKey("k1", wrapped.bytes()), REALM_A))
                .as("the KEK id is bound too").isInstanceOf(WrappedKeyRefusedException.class);
    }

    @Test
    void badOptionsAreRefusedWithTheVaultsMessagesNamingNoKeyMaterial() {
        String shortKey = Base64.getEncoder().encodeToString(random(16));

        assertThatThrownBy(() -> ConfigKeyEncryptionKeys.parse(null, null)).hasMessageContaining("no key-encryption keys");
        assertThatThrownBy(() -> ConfigKeyEncryptionKeys.parse("k1:" + shortKey, null))
                .hasMessageContaining("'k1' must be 32 bytes").hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> ConfigKeyEncryptionKeys.parse("k1:" + K1, "k9"))
                .hasMessageContaining("'k9'").hasMessageNotContaining(K1);
    }

    @Test
    void theStoredFormRoundTripsAndAMalformedOneIsRefused() {
        WrappedKey wrapped = new WrappedKey("k1", random(60));

        assertThat(WrappedKey.parse(wrapped.stored())).isEqualTo(wrapped);
        assertThat(wrapped.stored()).startsWith("k1.k1.");
        assertThat(wrapped.toString()).doesNotContain(wrapped.stored().substring(6));
        for (String bad : List.of("", "k1.k1", "k2.k1.AAAA", "k1..AAAA", "k1.k1.***")) {
            assertThatThrownBy(() -> WrappedKey.parse(bad)).isInstanceOf(WrappedKeyRefusedException.class);
        }
    }
}
