package dev.conduit.vault.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TokenCipherTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] k1 = key();
    private final byte[] k2 = key();
    private final TokenOwner ada = TokenOwner.user("realm-1", "user-ada", "salesforce", "refresh");
    private final String token = "5Aep861" + UUID.randomUUID();

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private TokenCipher cipher(String active) {
        return new TokenCipher(KeyRing.of(Map.of("k1", k1, "k2", k2), active));
    }

    @Test
    void roundTripsAndNeverStoresTheTokenInClear() {
        String stored = cipher("k1").encrypt(token, ada);
        assertThat(stored).startsWith("v1.k1.").doesNotContain(token);
        assertThat(cipher("k1").decrypt(stored, ada)).isEqualTo(token);
    }

    @Test
    void twoEncryptionsOfTheSameTokenDiffer() {
        assertThat(cipher("k1").encrypt(token, ada)).isNotEqualTo(cipher("k1").encrypt(token, ada));
    }

    @Test
    void aValueCopiedToAnotherOwnerOrFieldFailsToDecrypt() {
        String stored = cipher("k1").encrypt(token, ada);
        for (TokenOwner other : new TokenOwner[] {
                TokenOwner.user("realm-1", "user-bob", "salesforce", "refresh"),
                TokenOwner.user("realm-2", "user-ada", "salesforce", "refresh"),
                TokenOwner.user("realm-1", "user-ada", "hubspot", "refresh"),
                TokenOwner.user("realm-1", "user-ada", "salesforce", "access"),
                TokenOwner.organization("realm-1", "user-ada", "salesforce", "refresh")}) {
            assertThatThrownBy(() -> cipher("k1").decrypt(stored, other))
                    .isInstanceOf(TokenDecryptionException.class)
                    .hasMessageNotContaining(token);
        }
    }

    @Test
    void ownerFieldsCannotBeShiftedIntoEachOther() {
        TokenOwner a = TokenOwner.user("realm", "u|x", "alias", "refresh");
        TokenOwner b = TokenOwner.user("realm", "u", "x|alias", "refresh");
        String stored = cipher("k1").encrypt(token, a);
        assertThatThrownBy(() -> cipher("k1").decrypt(stored, b)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void alteredCiphertextIsDetected() {
        String stored = cipher("k1").encrypt(token, ada);
        // not the last character: unpadded base64 may carry bits there that decoding ignores
        int at = stored.length() - 5;
        char original = stored.charAt(at);
        String altered = stored.substring(0, at) + (original == 'A' ? 'B' : 'A') + stored.substring(at + 1);
        assertThatThrownBy(() -> cipher("k1").decrypt(altered, ada)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void aRefusedOpenLeavesTheThreadsCipherReadyForTheNextValue() {
        // openings share one cipher per thread: a wrong owner, an altered value or a wrong key in between must not
        // spoil the next good value, nor open it under another key or owner
        String stored = cipher("k1").encrypt(token, ada);
        String other = cipher("k2").encrypt("another-" + token, ada);
        TokenOwner bob = TokenOwner.user("realm-1", "user-bob", "salesforce", "refresh");
        TokenCipher both = cipher("k2");
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> both.decrypt(stored, bob)).isInstanceOf(TokenDecryptionException.class);
            assertThat(both.decrypt(stored, ada)).isEqualTo(token);
            assertThat(both.decrypt(other, ada)).isEqualTo("another-" + token);
            assertThatThrownBy(() -> new TokenCipher(KeyRing.of(Map.of("k1", k1), "k1")).decrypt(other, ada))
                    .isInstanceOf(TokenDecryptionException.class);
        }
    }

    @Test
    void rotationReencryptsUnderTheNewKeyAndOldValuesStillOpenMeanwhile() {
        String underK1 = cipher("k1").encrypt(token, ada);
        TokenCipher afterRotation = cipher("k2");

        assertThat(afterRotation.decrypt(underK1, ada)).isEqualTo(token);
        String underK2 = afterRotation.reencrypt(underK1, ada);
        assertThat(TokenCipher.keyIdOf(underK2)).isEqualTo("k2");
        assertThat(afterRotation.reencrypt(underK2, ada)).isSameAs(underK2);

        TokenCipher k1Retired = new TokenCipher(KeyRing.of(Map.of("k2", k2), "k2"));
        assertThat(k1Retired.decrypt(underK2, ada)).isEqualTo(token);
        assertThatThrownBy(() -> k1Retired.decrypt(underK1, ada)).hasMessageContaining("unknown key id 'k1'");
    }

    @Test
    void malformedStoredValuesAreRefusedClearly() {
        for (String bad : new String[] {null, "", "plain-token", "v0.k1.a.b", "v1.k1.!!!.###", "v1.k1.AAAA.AAAA"}) {
            assertThatThrownBy(() -> cipher("k1").decrypt(bad, ada)).isInstanceOf(TokenDecryptionException.class);
        }
    }

    @Test
    void keyRingRefusesWeakKeysAndAMissingActiveKey() {
        assertThatThrownBy(() -> KeyRing.of(Map.of("k1", new byte[16]), "k1")).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> KeyRing.of(Map.of("k1", k1), "k9")).hasMessageContaining("k9");
        assertThatThrownBy(() -> KeyRing.of(Map.of("k.1", k1), "k.1")).hasMessageContaining("without");
        assertThat(KeyRing.of(Map.of("k1", k1), "k1").toString()).doesNotContain(new String(k1));
    }
}
