package dev.conduit.vault.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;
import org.junit.jupiter.api.Test;

/** The vault's seal of a first login's grant: bound to the login, under the key ring, key id carried. */
class HandoverSealTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] k1 = key();
    private final byte[] k2 = key();
    private final String token = "5Aep861" + UUID.randomUUID();
    private final byte[] content = ("{\"refreshToken\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);
    private final GrantBinding login = new GrantBinding("realm-1", "root-a", "tab-1", "google");

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private HandoverSeal seal(Map<String, byte[]> keys, String active) {
        return new HandoverSeal(new TokenCipher(KeyRing.of(keys, active)));
    }

    @Test
    void opensForTheSameLoginWithTheKeyIdCarried() {
        String sealed = seal(Map.of("k1", k1), "k1").seal(content, login);
        assertThat(sealed).startsWith("v1.k1.").doesNotContain(token);
        assertThat(seal(Map.of("k1", k1), "k1").open(sealed, new GrantBinding("realm-1", "root-a", "tab-1", "google")))
                .isEqualTo(content);
    }

    @Test
    void aSealedGrantPastedIntoAnotherAuthenticationSessionFails() {
        HandoverSeal seal = seal(Map.of("k1", k1), "k1");
        String sealed = seal.seal(content, login);
        for (GrantBinding other : new GrantBinding[] {
                new GrantBinding("realm-1", "root-b", "tab-1", "google"),
                new GrantBinding("realm-1", "root-a", "tab-2", "google"),
                new GrantBinding("realm-2", "root-a", "tab-1", "google"),
                new GrantBinding("realm-1", "root-a", "tab-1", "salesforce")}) {
            assertThatThrownBy(() -> seal.open(sealed, other))
                    .isInstanceOf(SealedGrantException.class)
                    .hasMessageNotContaining(token);
        }
    }

    @Test
    void aTamperedSealedGrantFails() {
        HandoverSeal seal = seal(Map.of("k1", k1), "k1");
        String sealed = seal.seal(content, login);
        String[] parts = sealed.split("\\.");
        byte[] body = Base64.getUrlDecoder().decode(parts[3]);
        body[body.length - 1] ^= 1;
        String flipped = parts[0] + "." + parts[1] + "." + parts[2] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(body);
        for (String tampered : new String[] {flipped, sealed.substring(0, sealed.length() - 3), "v1.k9" + sealed.substring(5),
                new String(content, StandardCharsets.UTF_8), "garbage"}) {
            assertThatThrownBy(() -> seal.open(tampered, login))
                    .isInstanceOf(SealedGrantException.class)
                    .hasMessageNotContaining(token);
        }
    }

    @Test
    void aRotatedKeyStillOpensARetiredOneDoesNot() {
        String sealed = seal(Map.of("k1", k1), "k1").seal(content, login);
        assertThat(seal(Map.of("k1", k1, "k2", k2), "k2").open(sealed, login)).isEqualTo(content);
        assertThatThrownBy(() -> seal(Map.of("k2", k2), "k2").open(sealed, login))
                .isInstanceOf(SealedGrantException.class)
                .hasMessageContaining("unknown key id 'k1'");
    }

    @Test
    void aVaultRowCiphertextDoesNotOpenAsAHandoverNorTheOtherWayRound() {
        TokenCipher cipher = new TokenCipher(KeyRing.of(Map.of("k1", k1), "k1"));
        HandoverSeal seal = new HandoverSeal(cipher);
        String row = cipher.encrypt(token, TokenOwner.user("realm-1", "root-a", "google", "refresh"));
        assertThatThrownBy(() -> seal.open(row, login)).isInstanceOf(SealedGrantException.class);
        String handover = seal.seal(token.getBytes(StandardCharsets.UTF_8), login);
        assertThatThrownBy(() -> cipher.decrypt(handover, TokenOwner.user("realm-1", "root-a", "google", "refresh")))
                .isInstanceOf(TokenDecryptionException.class);
    }
}
