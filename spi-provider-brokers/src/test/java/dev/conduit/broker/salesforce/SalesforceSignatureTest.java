package dev.conduit.broker.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

class SalesforceSignatureTest {

    private final String secret = UUID.randomUUID().toString();
    private final String id = "https://login.salesforce.com/id/00D5g000004AcmeEAA/0055g00000AdaLoEAA";
    private final String issuedAt = "1795000000123";

    private String hmac(String key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void signatureOverIdAndIssuedAtWithTheConsumerSecretVerifies() throws Exception {
        assertThat(SalesforceSignature.verify(id, issuedAt, hmac(secret, id + issuedAt), secret)).isTrue();
    }

    @Test
    void anotherSecretAnotherIdOrAnotherTimeDoesNotVerify() throws Exception {
        String signature = hmac(secret, id + issuedAt);
        assertThat(SalesforceSignature.verify(id, issuedAt, signature, secret + "x")).isFalse();
        assertThat(SalesforceSignature.verify(id.replace("AdaLo", "Evil1"), issuedAt, signature, secret)).isFalse();
        assertThat(SalesforceSignature.verify(id, "1795000000124", signature, secret)).isFalse();
    }

    @Test
    void missingPartsNeverVerify() {
        assertThat(SalesforceSignature.verify(id, issuedAt, null, secret)).isFalse();
        assertThat(SalesforceSignature.verify(id, null, "x", secret)).isFalse();
        assertThat(SalesforceSignature.verify(id, issuedAt, "x", null)).isFalse();
    }
}
