package dev.conduit.vault.keys;

import static dev.conduit.vault.keys.Pkcs11KeyEncryptionKeysTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import org.junit.jupiter.api.Test;

class DataKeysTest {

    private static final String K1 = "k1:" + Base64.getEncoder().encodeToString(random(32));
    private static final String K2 = "k2:" + Base64.getEncoder().encodeToString(random(32));

    private final TestClock clock = new TestClock();
    private final ReachableKeys keks = new ReachableKeys(ConfigKeyEncryptionKeys.parse(K1 + "," + K2, "k1"));

    private DataKeys node(Duration ttl, int size) {
        return new DataKeys(keks, new DataKeyCache(ttl, size, clock));
    }

    @Test
    void aNewDataKeyIs32FreshBytesWrappedUnderTheActiveKekForItsOwner() {
        DataKeys node = node(Duration.ofMinutes(5), 10);

        SealedDataKey realmKey = node.create("realm-a", null);
        SealedDataKey orgKey = node.create("realm-a", "org-1");

        assertThat(realmKey.scope().organizationId()).isNull();
        assertThat(orgKey.scope()).extracting(DataKeyScope::realmId, DataKeyScope::organizationId).containsExactly("realm-a", "org-1");
        assertThat(realmKey.scope().dataKeyId()).isNotEqualTo(orgKey.scope().dataKeyId());
        assertThat(realmKey.wrapped().kekId()).isEqualTo("k1");
        assertThat(node.key(realmKey).getEncoded()).hasSize(32).isNotEqualTo(node.key(orgKey).getEncoded());
        assertThat(keks.unwraps).as("a new key is cached as made").isZero();
        assertThat(node(Duration.ofMinutes(5), 10).key(orgKey).getEncoded()).as("another node unwraps it")
                .isEqualTo(node.key(orgKey).getEncoded());
    }

    @Test
    void anOpenedKeyIsServedFromMemoryUntilItsTimeIsUpThenUnwrappedAgain() {
        SealedDataKey sealed = node(Duration.ofMinutes(5), 10).create("realm-a", null);
        DataKeys node = node(Duration.ofMinutes(5), 10);

        node.key(sealed);
        node.key(sealed);
        clock.advance(Duration.ofMinutes(4));
        node.key(sealed);
        assertThat(keks.unwraps).isEqualTo(1);

        clock.advance(Duration.ofMinutes(1));
        node.key(sealed);
        assertThat(keks.unwraps).isEqualTo(2);
    }

    @Test
    void theCacheHoldsAtMostItsSizeDroppingTheLeastRecentlyUsed() {
        DataKeys maker = node(Duration.ofMinutes(5), 10);
        SealedDataKey a = maker.create("realm-a", null);
        SealedDataKey b = maker.create("realm-b", null);
        SealedDataKey c = maker.create("realm-c", null);
        DataKeys node = node(Duration.ofMinutes(5), 2);

        node.key(a);
        node.key(b);
        node.key(a);
        node.key(c);
        assertThat(keks.unwraps).isEqualTo(3);

        node.key(a);
        assertThat(keks.unwraps).as("a was used after b, so b went").isEqualTo(3);
        node.key(b);
        assertThat(keks.unwraps).isEqualTo(4);
    }

    @Test
    void whileTheProviderIsAwayCachedKeysServeAndNothingElseDoes() {
        DataKeys node = node(Duration.ofMinutes(5), 10);
        SealedDataKey cached = node.create("realm-a", null);
        byte[] key = node.key(cached).getEncoded();
        SealedDataKey notCached = node(Duration.ofMinutes(5), 10).create("realm-a", "org-1");

        keks.up = false;

        assertThat(node.key(cached).getEncoded()).isEqualTo(key);
        assertThatThrownBy(() -> node.key(notCached)).isInstanceOf(KeyUnavailableException.class);
        assertThatThrownBy(() -> node.create("realm-a", null)).isInstanceOf(KeyUnavailableException.class);
        assertThatThrownBy(() -> node.rewrap(new SealedDataKey(cached.scope(), new WrappedKey("k2", cached.wrapped().bytes()))))
                .isInstanceOf(KeyUnavailableException.class);
        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> node.key(cached)).as("the time bound holds during an outage too")
                .isInstanceOf(KeyUnavailableException.class);

        keks.up = true;
        assertThat(node.key(cached).getEncoded()).isEqualTo(key);
    }

    @Test
    void malloryCannotGetAnotherOwnersDataKeyByCopyingItsWrappedKey() {
        DataKeys node = node(Duration.ofMinutes(5), 10);
        SealedDataKey alices = node.create("realm-a", "org-alice");
        node.key(alices);
        var mallorys = new SealedDataKey(new DataKeyScope("realm-a", "org-mallory", alices.scope().dataKeyId()), alices.wrapped());
        var asRealmKey = new SealedDataKey(DataKeyScope.realm("realm-a", alices.scope().dataKeyId()), alices.wrapped());

        assertThatThrownBy(() -> node.key(mallorys)).isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> node.key(asRealmKey)).isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> node.key(mallorys)).as("a refusal is not cached as a key").isInstanceOf(WrappedKeyRefusedException.class);
        assertThatThrownBy(() -> node.rewrap(new SealedDataKey(mallorys.scope(), new WrappedKey("k2", alices.wrapped().bytes()))))
                .isInstanceOf(WrappedKeyRefusedException.class);
        assertThat(node.key(alices).getEncoded()).hasSize(32);
    }

    @Test
    void rewrapMovesADataKeyToTheActiveKekAndWhatItSealedStillOpens() throws Exception {
        DataKeys before = new DataKeys(ConfigKeyEncryptionKeys.parse(K1 + "," + K2, "k1"), new DataKeyCache(Duration.ofMinutes(5), 10, clock));
        SealedDataKey underK1 = before.create("realm-a", "org-1");
        byte[] nonce = random(12);
        byte[] row = seal(before.key(underK1), nonce, "refresh-token-of-a-row");

        DataKeys rotating = new DataKeys(ConfigKeyEncryptionKeys.parse(K1 + "," + K2, "k2"), new DataKeyCache(Duration.ofMinutes(5), 10, clock));
        SealedDataKey underK2 = rotating.rewrap(underK1);
        DataKeys after = new DataKeys(ConfigKeyEncryptionKeys.parse(K2, "k2"), new DataKeyCache(Duration.ofMinutes(5), 10, clock));

        assertThat(underK2.wrapped().kekId()).isEqualTo("k2");
        assertThat(underK2.scope()).isEqualTo(underK1.scope());
        assertThat(rotating.rewrap(underK2)).as("already under the active KEK: unchanged").isSameAs(underK2);
        assertThat(open(after.key(underK2), nonce, row)).isEqualTo("refresh-token-of-a-row");
        assertThatThrownBy(() -> after.key(underK1)).as("k1 retired").isInstanceOf(WrappedKeyRefusedException.class);
    }

    private static byte[] seal(SecretKey key, byte[] nonce, String text) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        return cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String open(SecretKey key, byte[] nonce, byte[] sealed) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        return new String(cipher.doFinal(sealed), StandardCharsets.UTF_8);
    }
}
