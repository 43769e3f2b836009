package dev.conduit.vault.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import javax.crypto.SecretKey;

import dev.conduit.vault.keys.ConfigKeyEncryptionKeys;
import dev.conduit.vault.keys.DataKeyCache;
import dev.conduit.vault.keys.DataKeys;
import dev.conduit.vault.keys.KeyEncryptionKeys;
import dev.conduit.vault.keys.ReachableKeys;
import dev.conduit.vault.keys.KeyUnavailableException;
import dev.conduit.vault.keys.SealedDataKey;
import org.junit.jupiter.api.Test;

/** v2 sealing: tokens under a realm's data key (envelope encryption), v1 rows of the configured ring still opening. */
class EnvelopeSealingTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] ring = key();
    private final String kek = "kek1:" + Base64.getEncoder().encodeToString(key());
    private final TokenOwner ada = TokenOwner.user("realm-1", "user-ada", "salesforce", "refresh");
    private final String token = "5Aep861" + UUID.randomUUID();

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The stored data keys as CONDUIT_DATA_KEY holds them: wrapped, one active per realm; a removal deletes them. */
    private static final class StoredKeys implements DataKeySource {
        final DataKeys keys;
        final Map<String, SealedDataKey> byId = new HashMap<>();
        final Map<String, String> activeByRealm = new HashMap<>();

        StoredKeys(KeyEncryptionKeys keks) {
            keys = new DataKeys(keks, new DataKeyCache(Duration.ofMinutes(5), 10, Clock.systemUTC()));
        }

        @Override
        public SealingKey active(TokenOwner owner) {
            String id = activeByRealm.computeIfAbsent(owner.realmId(), realm -> {
                SealedDataKey made = keys.create(realm, null);
                byId.put(made.scope().dataKeyId(), made);
                return made.scope().dataKeyId();
            });
            return new SealingKey(id, keys.key(byId.get(id)));
        }

        @Override
        public SealingKey parked() {
            return active(TokenOwner.user("#parked", "-", "-", "-"));
        }

        @Override
        public SecretKey opening(String dataKeyId, TokenOwner owner) {
            SealedDataKey sealed = byId.get(dataKeyId);
            if (sealed == null) {
                throw new TokenDecryptionException("data key '" + dataKeyId + "' does not exist");
            }
            return keys.key(sealed);
        }

        void destroy(String realmId) {
            byId.values().removeIf(sealed -> sealed.scope().realmId().equals(realmId));
            activeByRealm.remove(realmId);
        }
    }

    private final ReachableKeys keks = new ReachableKeys(ConfigKeyEncryptionKeys.parse(kek, "kek1"));
    private final StoredKeys dataKeys = new StoredKeys(keks);
    private final TokenCipher cipher = new TokenCipher(KeyRing.of(Map.of("k1", ring), "k1"), dataKeys);

    @Test
    void sealsV2UnderTheRealmsDataKeyAndOpensIt() {
        String stored = cipher.encrypt(token, ada);
        String dataKeyId = dataKeys.activeByRealm.get("realm-1");
        assertThat(stored).startsWith("v2." + dataKeyId + ".").doesNotContain(token);
        assertThat(TokenCipher.keyIdOf(stored)).isEqualTo(dataKeyId);
        assertThat(cipher.decrypt(stored, ada)).isEqualTo(token);
    }

    @Test
    void eachRealmHasItsOwnDataKey() {
        TokenOwner grace = TokenOwner.user("realm-2", "user-grace", "salesforce", "refresh");
        assertThat(TokenCipher.keyIdOf(cipher.encrypt(token, ada))).isNotEqualTo(TokenCipher.keyIdOf(cipher.encrypt(token, grace)));
    }

    @Test
    void aV2ValueCopiedToAnotherOwnerDoesNotOpen() {
        String stored = cipher.encrypt(token, ada);
        TokenOwner mallory = TokenOwner.user("realm-1", "user-mallory", "salesforce", "refresh");
        assertThatThrownBy(() -> cipher.decrypt(stored, mallory)).isInstanceOf(TokenDecryptionException.class)
                .hasMessageNotContaining(token);
        TokenOwner otherColumn = TokenOwner.user("realm-1", "user-ada", "salesforce", "access");
        assertThatThrownBy(() -> cipher.decrypt(stored, otherColumn)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void v1ValuesOfTheConfiguredRingStillOpen() {
        String v1 = new TokenCipher(KeyRing.of(Map.of("k1", ring), "k1")).encrypt(token, ada);
        assertThat(v1).startsWith("v1.k1.");
        assertThat(cipher.decrypt(v1, ada)).isEqualTo(token);
        String migrated = cipher.reencrypt(v1, ada);
        assertThat(migrated).startsWith("v2.");
        assertThat(cipher.decrypt(migrated, ada)).isEqualTo(token);
        assertThat(cipher.reencrypt(migrated, ada)).isSameAs(migrated);
    }

    @Test
    void anUnknownOrDestroyedDataKeyIdIsRefused() {
        String stored = cipher.encrypt(token, ada);
        String relabelled = "v2." + UUID.randomUUID() + stored.substring(stored.indexOf('.', 3));
        assertThatThrownBy(() -> cipher.decrypt(relabelled, ada)).isInstanceOf(TokenDecryptionException.class)
                .hasMessageContaining("does not exist");
        dataKeys.destroy("realm-1");
        assertThatThrownBy(() -> cipher.decrypt(stored, ada)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void aV2ValueMovedUnderAnotherDataKeyIdDoesNotOpen() {
        TokenOwner grace = TokenOwner.user("realm-2", "user-grace", "salesforce", "refresh");
        cipher.encrypt(token, grace);
        String stored = cipher.encrypt(token, ada);
        String otherKey = dataKeys.activeByRealm.get("realm-2");
        String moved = "v2." + otherKey + stored.substring(stored.indexOf('.', 3));
        assertThatThrownBy(() -> cipher.decrypt(moved, ada)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void withTheKeyProviderAwayANewDataKeyIsRefusedAndNothingIsSealedWeaker() {
        keks.up = false;
        assertThatThrownBy(() -> cipher.encrypt(token, ada)).isInstanceOf(KeyUnavailableException.class);
        assertThat(dataKeys.byId).isEmpty();
    }

    @Test
    void withTheKeyProviderAwayACachedDataKeyKeepsServing() {
        String stored = cipher.encrypt(token, ada);
        keks.up = false;
        assertThat(cipher.decrypt(stored, ada)).isEqualTo(token);
        assertThat(cipher.encrypt(token, ada)).startsWith("v2.");
    }

    @Test
    void aCipherWithoutDataKeysRefusesV2RatherThanGuessing() {
        String stored = cipher.encrypt(token, ada);
        TokenCipher ringOnly = new TokenCipher(KeyRing.of(Map.of("k1", ring), "k1"));
        assertThatThrownBy(() -> ringOnly.decrypt(stored, ada)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void parkedRevocationsHaveAKeyOfTheirOwn() {
        cipher.encrypt(token, ada);
        TokenCipher.Sealer parked = cipher.parkedSealer();
        assertThat(parked.keyId()).isNotEqualTo(dataKeys.activeByRealm.get("realm-1"));
        String stored = parked.encrypt(token, ada);
        dataKeys.destroy("realm-1");
        assertThat(cipher.decrypt(stored, ada)).isEqualTo(token);
    }
}
