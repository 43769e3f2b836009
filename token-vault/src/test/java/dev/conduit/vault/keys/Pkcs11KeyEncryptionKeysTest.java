package dev.conduit.vault.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.crypto.SecretKey;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pkcs11 key provider against a real SoftHSM2 token (see {@link SoftHsm}). */
class Pkcs11KeyEncryptionKeysTest {

    private static final byte[] REALM_A = DataKeyScope.realm("realm-a", "dk-1").associatedData();
    private static SoftHsm hsm;
    private static SoftHsm.Token token;

    @BeforeAll
    static void token() {
        hsm = SoftHsm.instance();
        token = hsm.token("conduit-kek");
        hsm.generateAesKey(token, "kek-2026-11", false);
        hsm.generateAesKey(token, "kek-2026-12", false);
    }

    private static Pkcs11KeyEncryptionKeys.Settings settings(SoftHsm.Token on, List<String> labels, String active) {
        return new Pkcs11KeyEncryptionKeys.Settings(SoftHsm.LIBRARY, on.slot(), null, on.pin(), labels, active);
    }

    @Test
    void wrapsAndUnwrapsInsideTheHsmUnderTheActiveLabel() {
        var keks = Pkcs11KeyEncryptionKeys.start(settings(token, List.of("kek-2026-11", "kek-2026-12"), "kek-2026-12"));
        byte[] dataKey = random(32);

        WrappedKey wrapped = keks.wrap(dataKey, REALM_A);

        assertThat(wrapped.kekId()).isEqualTo("kek-2026-12");
        assertThat(keks.unwrap(wrapped, REALM_A)).isEqualTo(dataKey);
        assertThat(keks.unwrap(WrappedKey.parse(wrapped.stored()), REALM_A)).isEqualTo(dataKey);
    }

    @Test
    void theKekCannotBeReadOutOfTheToken() throws Exception {
        Provider provider = Security.getProvider("SunPKCS11")
                .configure("--name = Reader\nlibrary = \"" + SoftHsm.LIBRARY + "\"\nslot = " + token.slot() + "\n");
        KeyStore store = KeyStore.getInstance("PKCS11", provider);
        store.load(null, token.pin());

        Key kek = store.getKey("kek-2026-12", null);

        assertThat(kek).isInstanceOf(SecretKey.class);
        assertThat(kek.getAlgorithm()).isEqualTo("AES");
        assertThat(kek.getEncoded()).isNull();
    }

    @Test
    void malloryCannotOpenAWrappedKeyForAnotherRealmOrAlteredOrRelabelled() {
        var keks = Pkcs11KeyEncryptionKeys.start(settings(token, List.of("kek-2026-11", "kek-2026-12"), "kek-2026-12"));
        byte[] dataKey = random(32);
        WrappedKey wrapped = keks.wrap(dataKey, REALM_A);
        byte[] tampered = wrapped.bytes();
        tampered[20] ^= 1;

        assertThatThrownBy(() -> keks.unwrap(wrapped, DataKeyScope.realm("realm-mallory", "dk-1").associatedData()))
                .isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> keks.unwrap(new WrappedKey("kek-2026-12", tampered), REALM_A))
                .isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> keks.unwrap(new WrappedKey("kek-2026-11", wrapped.bytes()), REALM_A))
                .isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> keks.unwrap(new WrappedKey("kek-unknown", wrapped.bytes()), REALM_A))
                .isInstanceOf(WrappedKeyRefusedException.class).hasMessageContaining("kek-unknown");
        assertThat(keks.unwrap(wrapped, REALM_A)).as("the HSM still opens the original").isEqualTo(dataKey);
    }

    @Test
    void malloryCannotMakeAnExtractableKeyTheKek() {
        SoftHsm.Token mallorys = hsm.token("mallory");
        hsm.generateAesKey(mallorys, "kek-extractable", true);

        assertThatThrownBy(() -> Pkcs11KeyEncryptionKeys.start(settings(mallorys, List.of("kek-extractable"), null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'kek-extractable' can leave the HSM")
                .hasMessageContaining("slot " + mallorys.slot());
    }

    @Test
    void aWrongLibrarySlotPinOrLabelRefusesTheStartNamingItButNeverThePin() {
        String pin = new String(token.pin());
        var wrongLibrary = new Pkcs11KeyEncryptionKeys.Settings(Path.of("/usr/lib/softhsm/libmissing.so"), token.slot(), null,
                token.pin(), List.of("kek-2026-12"), null);
        var wrongSlot = new Pkcs11KeyEncryptionKeys.Settings(SoftHsm.LIBRARY, 4242L, null, token.pin(), List.of("kek-2026-12"), null);
        // a token no one in this JVM has logged in to: PKCS#11 logins are per application, not per session
        var wrongPin = new Pkcs11KeyEncryptionKeys.Settings(SoftHsm.LIBRARY, hsm.token("wrong-pin").slot(), null,
                "not-the-pin".toCharArray(), List.of("kek-2026-12"), null);
        var missingLabel = settings(token, List.of("kek-2026-12", "kek-missing"), "kek-2026-12");

        assertThatThrownBy(() -> Pkcs11KeyEncryptionKeys.start(wrongLibrary)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/usr/lib/softhsm/libmissing.so").hasMessageNotContaining(pin);
        assertThatThrownBy(() -> Pkcs11KeyEncryptionKeys.start(wrongSlot)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("slot 4242").hasMessageNotContaining(pin);
        assertThatThrownBy(() -> Pkcs11KeyEncryptionKeys.start(wrongPin)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the PIN").hasMessageNotContaining("not-the-pin");
        assertThatThrownBy(() -> Pkcs11KeyEncryptionKeys.start(missingLabel)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no key labelled 'kek-missing'").hasMessageContaining(SoftHsm.LIBRARY.toString())
                .hasMessageNotContaining(pin);
    }

    @Test
    void whenTheTokenGoesAwayCachedDataKeysServeAndTheRestIsUnavailable() {
        SoftHsm.Token going = hsm.token("going-away");
        hsm.generateAesKey(going, "kek-1", false);
        TestClock clock = new TestClock();
        var keks = Pkcs11KeyEncryptionKeys.start(settings(going, List.of("kek-1"), null), clock);
        DataKeys node = new DataKeys(keks, new DataKeyCache(Duration.ofMinutes(5), 100, java.time.Clock.systemUTC()));
        SealedDataKey cached = node.create("realm-a", null);
        byte[] cachedKey = node.key(cached).getEncoded();
        SealedDataKey notCached = new DataKeys(keks, new DataKeyCache(Duration.ofMinutes(5), 100, java.time.Clock.systemUTC()))
                .create("realm-a", "org-1");

        hsm.deleteToken(going);

        assertThat(node.key(cached).getEncoded()).as("a cached data key keeps serving").isEqualTo(cachedKey);
        assertThatThrownBy(() -> node.key(notCached)).isInstanceOf(KeyUnavailableException.class)
                .hasMessageContaining("slot " + going.slot()).hasMessageNotContaining(new String(going.pin()));
        assertThatThrownBy(() -> node.create("realm-a", null)).isInstanceOf(KeyUnavailableException.class);
        assertThatThrownBy(() -> keks.unwrap(notCached.wrapped(), notCached.scope().associatedData()))
                .as("never a verdict on the wrapped key while the HSM is away").isInstanceOf(KeyUnavailableException.class)
                .hasMessageContaining("next attempt within");
        clock.advance(Pkcs11KeyEncryptionKeys.RECONNECT_PAUSE);
        assertThatThrownBy(() -> node.create("realm-a", null)).as("tries the HSM again after the pause: still gone")
                .isInstanceOf(KeyUnavailableException.class).hasMessageContaining("no key labelled 'kek-1'");
        assertThat(node.key(cached).getEncoded()).isEqualTo(cachedKey);
    }

    @Test
    void whenTheHsmDropsTheLoginTheNextCallLogsInAgain() throws Exception {
        SoftHsm.Token token = hsm.token("factory");
        hsm.generateAesKey(token, "kek-relogin", false);
        TestClock clock = new TestClock();
        var keks = Pkcs11KeyEncryptionKeys.start(settings(token, List.of("kek-relogin"), null), clock);
        byte[] dataKey = random(32);
        WrappedKey wrapped = keks.wrap(dataKey, REALM_A);

        hsm.logout(token);

        assertThatThrownBy(() -> keks.unwrap(wrapped, REALM_A)).isInstanceOf(KeyUnavailableException.class);
        assertThat(keks.unwrap(wrapped, REALM_A)).as("the next call logs in again").isEqualTo(dataKey);
        assertThat(keks.unwrap(keks.wrap(dataKey, REALM_A), REALM_A)).isEqualTo(dataKey);
    }

    @Test
    void wrapsPerSecondConfigVersusPkcs11() {
        var pkcs11 = Pkcs11KeyEncryptionKeys.start(settings(token, List.of("kek-2026-12"), null));
        var config = ConfigKeyEncryptionKeys.parse("k1:" + Base64.getEncoder().encodeToString(random(32)), "k1");
        int wraps = 20_000;
        double configRate = wrapsPerSecond(config, wraps);
        double pkcs11Rate = wrapsPerSecond(pkcs11, wraps);

        System.out.printf("[conduit] KEK wraps of a 32-byte data key: config %.0f/s, pkcs11 (SoftHSM2) %.0f/s (%d each)%n",
                configRate, pkcs11Rate, wraps);
        assertThat(pkcs11Rate).isPositive();
    }

    private static double wrapsPerSecond(KeyEncryptionKeys keks, int wraps) {
        byte[] dataKey = random(32);
        for (int i = 0; i < 200; i++) {
            keks.unwrap(keks.wrap(dataKey, REALM_A), REALM_A);
        }
        long start = System.nanoTime();
        for (int i = 0; i < wraps; i++) {
            keks.wrap(dataKey, REALM_A);
        }
        return wraps / ((System.nanoTime() - start) / 1e9);
    }

    static byte[] random(int count) {
        byte[] bytes = new byte[count];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
