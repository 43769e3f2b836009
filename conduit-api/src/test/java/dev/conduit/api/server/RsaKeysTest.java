package dev.conduit.api.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RsaKeysTest {

    private static KeyPair generated;
    private static String pkcs8;

    @BeforeAll
    static void generate() {
        generated = RsaKeys.generate();
        pkcs8 = RsaKeys.pem(generated.getPrivate());
    }

    @Test
    void aGeneratedKeyReadsBackWithItsPublicHalf() throws Exception {
        KeyPair read = RsaKeys.parsePrivateKey(pkcs8);

        assertThat(read.getPrivate().getEncoded()).isEqualTo(generated.getPrivate().getEncoded());
        assertThat(read.getPublic().getEncoded()).isEqualTo(generated.getPublic().getEncoded());
        assertThat(verifies(read, generated)).isTrue();
    }

    @Test
    void aPkcs1KeyAsOpensslGenrsaWritesItIsReadAsTheSameKey() throws Exception {
        byte[] der = generated.getPrivate().getEncoded();
        // PrivateKeyInfo: SEQUENCE(4) INTEGER 0(3) rsaEncryption(15) OCTET STRING(4) then the PKCS#1 RSAPrivateKey
        assertThat(der[22]).isEqualTo((byte) 0x04);
        String pkcs1 = RsaKeys.pem("RSA PRIVATE KEY", Arrays.copyOfRange(der, 26, der.length));

        KeyPair read = RsaKeys.parsePrivateKey(pkcs1);

        assertThat(read.getPrivate().getEncoded()).isEqualTo(der);
    }

    @Test
    void aKeyPastedIntoJsonWithEscapedNewlinesIsRead() throws Exception {
        KeyPair read = RsaKeys.parsePrivateKey("  " + pkcs8.replace("\n", "\\n") + "  ");

        assertThat(read.getPublic()).isEqualTo(generated.getPublic());
    }

    @Test
    void whatIsNotAnUnencryptedRsaPrivateKeyIsRefusedSayingWhatItIs() throws Exception {
        String body = pkcs8.substring(pkcs8.indexOf('\n') + 1, pkcs8.indexOf("-----END"));
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));

        assertRefused(null, "no private key given");
        assertRefused("just some text", "not a PEM private key");
        assertRefused(block("ENCRYPTED PRIVATE KEY", body), "encrypted");
        assertRefused(block("CERTIFICATE", body), "a certificate, not a private key");
        assertRefused(block("PUBLIC KEY", body), "a public key, not a private key");
        assertRefused(block("EC PRIVATE KEY", body), "an EC key");
        assertRefused(block("OPENSSH PRIVATE KEY", body), "'openssh private key'");
        assertRefused(RsaKeys.pem(ec.generateKeyPair().getPrivate()), "not an RSA private key");
        assertRefused(block("PRIVATE KEY", "AAAA" + body.substring(40)), "not an RSA private key");
        assertRefused(block("PRIVATE KEY", "a".repeat(RsaKeys.MAX_PEM_CHARS)), "larger than");
    }

    @Test
    void aKeyShorterThan2048BitsIsRefused() throws Exception {
        KeyPairGenerator weak = KeyPairGenerator.getInstance("RSA");
        weak.initialize(1024);

        assertRefused(RsaKeys.pem(weak.generateKeyPair().getPrivate()), "has 1024 bits; between 2048 and 8192");
    }

    @Test
    void noRefusalRepeatsAnyOfTheUploadedMaterial() {
        String body = pkcs8.substring(pkcs8.indexOf('\n') + 1, pkcs8.indexOf("-----END")).replace("\n", "");
        String broken = block("PRIVATE KEY", body.substring(0, 200) + "!!" + body.substring(200));

        assertThatThrownBy(() -> RsaKeys.parsePrivateKey(broken)).isInstanceOf(KeyMaterialException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(body.substring(0, 16)).doesNotContain(body.substring(100, 116)));
    }

    private static void assertRefused(String pem, String words) {
        assertThatThrownBy(() -> RsaKeys.parsePrivateKey(pem)).isInstanceOf(KeyMaterialException.class)
                .hasMessageContaining(words);
    }

    private static String block(String label, String body) {
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    static boolean verifies(KeyPair signer, KeyPair verifier) throws Exception {
        byte[] data = Base64.getDecoder().decode("Y29uZHVpdA==");
        Signature sign = Signature.getInstance("SHA256withRSA");
        sign.initSign(signer.getPrivate());
        sign.update(data);
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(verifier.getPublic());
        verify.update(data);
        return verify.verify(sign.sign());
    }
}
