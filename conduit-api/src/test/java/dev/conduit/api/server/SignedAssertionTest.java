package dev.conduit.api.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

class SignedAssertionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KeyPair keys = RsaKeys.generate();

    @Test
    void theAssertionIsAnRs256JwtWhoseSignatureVerifiesWithThePublicKey() throws Exception {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "3MVG9consumer");
        claims.put("sub", "integration@acme.example");
        claims.put("aud", "https://login.salesforce.com");
        claims.put("exp", 1_800_000_000L);

        String jwt = SignedAssertion.rs256(claims, "key-1", keys.getPrivate());

        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode body = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(header.get("kid").asText()).isEqualTo("key-1");
        assertThat(body.get("sub").asText()).isEqualTo("integration@acme.example");
        assertThat(body.get("exp").asLong()).isEqualTo(1_800_000_000L);
        assertThat(jwt).doesNotContain("=").doesNotContain("+").doesNotContain("/");
        assertThat(verifies(parts, keys)).isTrue();
        assertThat(verifies(parts, RsaKeys.generate())).as("another key").isFalse();
    }

    @Test
    void withoutAKeyIdTheHeaderHasNone() throws Exception {
        String jwt = SignedAssertion.rs256(Map.of("iss", "a"), null, keys.getPrivate());

        assertThat(JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0])).has("kid")).isFalse();
    }

    private static boolean verifies(String[] parts, KeyPair verifier) throws Exception {
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(verifier.getPublic());
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return verify.verify(Base64.getUrlDecoder().decode(parts[2]));
    }
}
