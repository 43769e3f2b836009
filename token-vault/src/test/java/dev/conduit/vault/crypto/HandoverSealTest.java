package dev.conduit.vault.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;
import org.junit.jupiter.api.Test;

/**
 * The vault's seal of a first login's grant: bound to the login, under its realm's data key (the key id carried), so
 * no key outside the key provider is needed; a grant sealed under the ring before data keys still opens.
 */
class HandoverSealTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] k1 = key();
    private final String token = "5Aep861" + UUID.randomUUID();
    private final byte[] content = ("{\"refreshToken\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);
    private final GrantBinding login = new GrantBinding("realm-1", "root-a", "tab-1", "google");
    private final FakeRealmKeys realmKeys = new FakeRealmKeys();
    private final HandoverSeal seal = new HandoverSeal(new TokenCipher(KeyRing.of(Map.of("k1", k1), "k1")), realmKeys);

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    @Test
    void opensForTheSameLoginUnderTheRealmsDataKeyWithItsIdCarried() {
        String sealed = seal.seal(content, login);
        assertThat(sealed).startsWith("v2." + realmKeys.realmActive("realm-1").id() + ".").doesNotContain(token);
        assertThat(seal.open(sealed, new GrantBinding("realm-1", "root-a", "tab-1", "google"))).isEqualTo(content);
    }

    @Test
    void noKeyOfTheRingIsNeeded() {
        HandoverSeal withoutRing = new HandoverSeal(new TokenCipher(KeyRing.empty()), realmKeys);
        assertThat(withoutRing.open(withoutRing.seal(content, login), login)).isEqualTo(content);
    }

    @Test
    void aSealedGrantPastedIntoAnotherAuthenticationSessionFails() {
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

    /** The other realm's key id pasted in: the key is looked up in the login's realm only. */
    @Test
    void aGrantSealedInAnotherRealmDoesNotOpenHereEvenUnderItsOwnBinding() {
        GrantBinding elsewhere = new GrantBinding("realm-2", "root-a", "tab-1", "google");
        String sealed = seal.seal(content, elsewhere);
        assertThatThrownBy(() -> seal.open(sealed, login))
                .isInstanceOf(SealedGrantException.class)
                .hasMessageContaining("is not a key of this realm");
    }

    @Test
    void aTamperedSealedGrantFails() {
        String sealed = seal.seal(content, login);
        String[] parts = sealed.split("\\.");
        byte[] body = Base64.getUrlDecoder().decode(parts[3]);
        body[body.length - 1] ^= 1;
        String flipped = parts[0] + "." + parts[1] + "." + parts[2] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(body);
        for (String tampered : new String[] {flipped, sealed.substring(0, sealed.length() - 3), "v2.k9" + sealed.substring(parts[1].length() + 3),
                new String(content, StandardCharsets.UTF_8), "garbage"}) {
            assertThatThrownBy(() -> seal.open(tampered, login))
                    .isInstanceOf(SealedGrantException.class)
                    .hasMessageNotContaining(token);
        }
    }

    @Test
    void aRotatedRealmKeyStillOpensUntilTheRetiredOneIsDeletedAndShreddingEndsIt() {
        String sealed = seal.seal(content, login);
        realmKeys.rotate("realm-1");
        assertThat(seal.open(sealed, login)).isEqualTo(content);
        realmKeys.deleteRetired("realm-1");
        assertThatThrownBy(() -> seal.open(sealed, login)).isInstanceOf(SealedGrantException.class);
        String fresh = seal.seal(content, login);
        realmKeys.destroy("realm-1");
        assertThatThrownBy(() -> seal.open(fresh, login)).isInstanceOf(SealedGrantException.class);
    }

    /** A login in progress when the server was upgraded: its grant was sealed v1 under the ring's key. */
    @Test
    void aGrantSealedUnderTheRingBeforeDataKeysStillOpensWhileTheRingHoldsItsKey() throws Exception {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k1, "AES"), new GCMParameterSpec(128, nonce));
        aes.updateAAD(login.associatedData());
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String v1 = "v1.k1." + b64.encodeToString(nonce) + "." + b64.encodeToString(aes.doFinal(content));
        assertThat(seal.open(v1, login)).isEqualTo(content);
        assertThatThrownBy(() -> new HandoverSeal(new TokenCipher(KeyRing.empty()), realmKeys).open(v1, login))
                .isInstanceOf(SealedGrantException.class)
                .hasMessageContaining("unknown key id 'k1'");
    }

    @Test
    void aVaultRowCiphertextDoesNotOpenAsAHandoverNorTheOtherWayRound() {
        TokenCipher cipher = new TokenCipher(KeyRing.of(Map.of("k1", k1), "k1"));
        String row = cipher.encrypt(token, TokenOwner.user("realm-1", "root-a", "google", "refresh"));
        assertThatThrownBy(() -> seal.open(row, login)).isInstanceOf(SealedGrantException.class);
        String handover = seal.seal(token.getBytes(StandardCharsets.UTF_8), login);
        assertThatThrownBy(() -> cipher.decrypt(handover, TokenOwner.user("realm-1", "root-a", "google", "refresh")))
                .isInstanceOf(TokenDecryptionException.class);
    }
}
