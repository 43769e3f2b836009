package dev.conduit.broker.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;
import org.junit.jupiter.api.Test;

/** The in-memory handover's seal: a first login's grant opens only for the login, node and boot that sealed it. */
class GrantSealTest {

    private final GrantSeal seal = GrantSeal.withRandomKey();
    private final String token = "00D5g000004AcmeEAA!" + UUID.randomUUID();
    private final byte[] content = ("{\"accessToken\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);
    private final GrantBinding login = new GrantBinding("realm-1", "root-a", "tab-1", "salesforce");

    @Test
    void opensForTheSameLoginAndHoldsNoTokenInClear() {
        String sealed = seal.seal(content, login);
        assertThat(sealed).startsWith("v1.boot-").doesNotContain(token);
        assertThat(new String(Base64.getUrlDecoder().decode(sealed.split("\\.")[3]), StandardCharsets.ISO_8859_1))
                .doesNotContain(token);
        assertThat(seal.open(sealed, new GrantBinding("realm-1", "root-a", "tab-1", "salesforce"))).isEqualTo(content);
    }

    @Test
    void aSealedGrantPastedIntoAnotherAuthenticationSessionFails() {
        String sealed = seal.seal(content, login);
        for (GrantBinding other : new GrantBinding[] {
                new GrantBinding("realm-1", "root-b", "tab-1", "salesforce"),
                new GrantBinding("realm-1", "root-a", "tab-2", "salesforce"),
                new GrantBinding("realm-2", "root-a", "tab-1", "salesforce"),
                new GrantBinding("realm-1", "root-a", "tab-1", "hubspot")}) {
            assertThatThrownBy(() -> seal.open(sealed, other))
                    .isInstanceOf(SealedGrantException.class)
                    .hasMessageContaining("another login")
                    .hasMessageNotContaining(token);
        }
    }

    @Test
    void aTamperedSealedGrantFails() {
        String sealed = seal.seal(content, login);
        String[] parts = sealed.split("\\.");
        byte[] body = Base64.getUrlDecoder().decode(parts[3]);
        body[0] ^= 1;
        String flippedCiphertext = parts[0] + "." + parts[1] + "." + parts[2] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(body);
        byte[] nonce = Base64.getUrlDecoder().decode(parts[2]);
        nonce[0] ^= 1;
        String flippedNonce = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce) + "." + parts[3];
        for (String tampered : new String[] {flippedCiphertext, flippedNonce, sealed.substring(0, sealed.length() - 2),
                sealed + "x", "v2" + sealed.substring(2), "{\"accessToken\":\"" + token + "\"}", "", "v1..."}) {
            assertThatThrownBy(() -> seal.open(tampered, login))
                    .isInstanceOf(SealedGrantException.class)
                    .hasMessageNotContaining(token);
        }
    }

    @Test
    void aGrantSealedBeforeARestartOrOnAnotherNodeFails() {
        String sealed = GrantSeal.withRandomKey().seal(content, login);
        assertThatThrownBy(() -> seal.open(sealed, login))
                .isInstanceOf(SealedGrantException.class)
                .hasMessageContaining("key this node does not hold");
    }

    @Test
    void bindingFieldsCannotBeShiftedIntoEachOther() {
        GrantBinding a = new GrantBinding("realm", "root|x", "tab", "alias");
        GrantBinding b = new GrantBinding("realm", "root", "x|tab", "alias");
        assertThat(a.associatedData()).isNotEqualTo(b.associatedData());
        String sealed = seal.seal(content, a);
        assertThatThrownBy(() -> seal.open(sealed, b)).isInstanceOf(SealedGrantException.class);
    }
}
