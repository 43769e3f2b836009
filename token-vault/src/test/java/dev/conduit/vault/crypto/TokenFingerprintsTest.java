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

    // --- under the realm's data keys (f2, issue 16): no key outside the key provider keys a fingerprint

    private final FakeRealmKeys realmKeys = new FakeRealmKeys();

    private TokenFingerprints dataKeys() {
        return new TokenFingerprints(KeyRing.empty(), realmKeys);
    }

    @Test
    void withDataKeysTheFingerprintIsUnderTheRealmsActiveKeyAndNeedsNoRing() throws Exception {
        String stored = dataKeys().of("realm-1", "hubspot", token);
        DataKeySource.SealingKey active = realmKeys.realmActive("realm-1");
        assertThat(stored).startsWith("f2." + active.id() + ".").doesNotContain(token);
        assertThat(dataKeys().of("realm-1", "hubspot", token)).isEqualTo(stored);
        assertThat(dataKeys().of("realm-2", "hubspot", token)).as("another realm, another key")
                .doesNotEndWith(stored.substring(stored.lastIndexOf('.')));

        // HKDF-Expand(data key, "conduit-fingerprint-v2"): neither the data key itself nor the v1 derivation keys it
        String message = "conduit-refresh-token-v1|7:realm-1|7:hubspot|" + token.length() + ":" + token;
        Mac expand = Mac.getInstance("HmacSHA256");
        expand.init(new SecretKeySpec(active.key().getEncoded(), "HmacSHA256"));
        expand.update("conduit-fingerprint-v2".getBytes(StandardCharsets.US_ASCII));
        expand.update((byte) 1);
        Mac derived = Mac.getInstance("HmacSHA256");
        derived.init(new SecretKeySpec(expand.doFinal(), "HmacSHA256"));
        assertThat(stored).isEqualTo("f2." + active.id() + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(derived.doFinal(message.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void afterARealmKeyRotationOldFingerprintsStillMatchUntilTheRetiredKeyIsDeleted() {
        TokenFingerprints fingerprints = dataKeys();
        String before = fingerprints.of("realm-1", "hubspot", token);
        assertThat(fingerprints.current(before, "realm-1")).isTrue();
        realmKeys.rotate("realm-1");
        String after = fingerprints.of("realm-1", "hubspot", token);
        assertThat(after).isNotEqualTo(before);
        assertThat(fingerprints.current(before, "realm-1")).as("the rotation re-writes it").isFalse();
        assertThat(fingerprints.current(after, "realm-1")).isTrue();
        assertThat(fingerprints.candidates("realm-1", "hubspot", token)).containsExactly(after, before);
        realmKeys.deleteRetired("realm-1");
        assertThat(fingerprints.candidates("realm-1", "hubspot", token)).containsExactly(after);
    }

    /** An upgrade: rows fingerprinted under the ring still match while the ring is configured, and are not current. */
    @Test
    void ringFingerprintsStillMatchBesideDataKeyOnesAndAreNotCurrent() {
        String underRing = ring("k1").of("realm-1", "hubspot", token);
        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put("k1", k1);
        TokenFingerprints upgraded = new TokenFingerprints(KeyRing.of(keys, "k1"), realmKeys);
        assertThat(upgraded.of("realm-1", "hubspot", token)).startsWith("f2.");
        assertThat(upgraded.candidates("realm-1", "hubspot", token)).contains(underRing).hasSize(2);
        assertThat(upgraded.current(underRing, "realm-1")).isFalse();
        assertThat(upgraded.current(null, "realm-1")).isFalse();
        assertThat(dataKeys().candidates("realm-1", "hubspot", token)).as("ring removed").doesNotContain(underRing);
    }
}
