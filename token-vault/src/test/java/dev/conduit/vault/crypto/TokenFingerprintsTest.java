package dev.conduit.vault.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

class TokenFingerprintsTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] k1 = key();
    private final byte[] k2 = key();
    private final String token = "na1-" + UUID.randomUUID();

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private TokenFingerprints ring(String active) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put("k1", k1);
        keys.put("k2", k2);
        return new TokenFingerprints(KeyRing.of(keys, active));
    }

    @Test
    void theSameTokenHasTheSameFingerprintWhoeverHoldsItAndNeverShowsTheToken() {
        String first = ring("k1").of("realm-1", "hubspot", token);
        assertThat(ring("k1").of("realm-1", "hubspot", token)).isEqualTo(first);
        assertThat(first).startsWith("f1.k1.").doesNotContain(token).hasSizeLessThanOrEqualTo(128);
        assertThat(ring("k1").of("realm-1", "hubspot", token + "x")).isNotEqualTo(first);
    }

    @Test
    void anotherRealmOrProviderGetsAnotherFingerprint() {
        String here = ring("k1").of("realm-1", "hubspot", token);
        assertThat(ring("k1").of("realm-2", "hubspot", token)).isNotEqualTo(here);
        assertThat(ring("k1").of("realm-1", "hubspot-eu", token)).isNotEqualTo(here);
        // length-prefixed: moving a character between realm and alias changes the input
        assertThat(ring("k1").of("realm-1h", "ubspot", token)).isNotEqualTo(here);
    }

    /** The MAC key is derived (HKDF-Expand), never the encryption key itself. */
    @Test
    void theEncryptionKeyDoesNotKeyTheMac() throws Exception {
        String stored = ring("k1").of("realm-1", "hubspot", token);
        Mac direct = Mac.getInstance("HmacSHA256");
        direct.init(new SecretKeySpec(k1, "HmacSHA256"));
        String message = "conduit-refresh-token-v1|7:realm-1|7:hubspot|" + token.length() + ":" + token;
        String underived = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(direct.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        assertThat(stored).isNotEqualTo("f1.k1." + underived);

        Mac expand = Mac.getInstance("HmacSHA256");
        expand.init(new SecretKeySpec(k1, "HmacSHA256"));
        expand.update("conduit-fingerprint-v1".getBytes(StandardCharsets.US_ASCII));
        expand.update((byte) 1);
        Mac derived = Mac.getInstance("HmacSHA256");
        derived.init(new SecretKeySpec(expand.doFinal(), "HmacSHA256"));
        assertThat(stored).isEqualTo("f1.k1." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(derived.doFinal(message.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * A row fingerprinted before the active key changed must still match after: if it did not, the check "is this
     * token shared?" would answer no and the token would be revoked from under the other connection.
     */
    @Test
    void aFingerprintWrittenBeforeKeyRotationStillMatchesAfterIt() {
        String beforeRotation = ring("k1").of("realm-1", "hubspot", token);
        TokenFingerprints afterRotation = ring("k2");

        assertThat(afterRotation.of("realm-1", "hubspot", token)).startsWith("f1.k2.").isNotEqualTo(beforeRotation);
        assertThat(afterRotation.candidates("realm-1", "hubspot", token))
                .contains(beforeRotation, afterRotation.of("realm-1", "hubspot", token)).hasSize(2);
        assertThat(afterRotation.candidates("realm-1", "hubspot", token + "x")).doesNotContain(beforeRotation);
    }

    @Test
    void aRetiredKeysFingerprintsNoLongerMatch() {
        String underK1 = ring("k1").of("realm-1", "hubspot", token);
        TokenFingerprints k1Retired = new TokenFingerprints(KeyRing.of(Map.of("k2", k2), "k2"));
        assertThat(k1Retired.candidates("realm-1", "hubspot", token)).doesNotContain(underK1).hasSize(1);
        assertThat(k1Retired.toString()).doesNotContain(Base64.getEncoder().encodeToString(k2));
    }
}
