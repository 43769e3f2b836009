package dev.conduit.sandbox;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Signs id tokens with RS256 under a key generated at start, and publishes it as a JWKS. */
final class JwtSigner {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final ObjectMapper json = new ObjectMapper();
    private final KeyPair keyPair;
    private final String keyId = "sandbox-rs256";

    JwtSigner() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keyPair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    String sign(Map<String, Object> claims) {
        try {
            String header = B64.encodeToString(json.writeValueAsBytes(Map.of("alg", "RS256", "kid", keyId, "typ", "JWT")));
            String payload = B64.encodeToString(json.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(keyPair.getPrivate());
            signature.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + B64.encodeToString(signature.sign());
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new IllegalStateException("could not sign id token", e);
        }
    }

    String jwks() {
        RSAPublicKey key = (RSAPublicKey) keyPair.getPublic();
        try {
            return json.writeValueAsString(Map.of("keys", new Object[] {Map.of(
                    "kty", "RSA", "alg", "RS256", "use", "sig", "kid", keyId,
                    "n", B64.encodeToString(unsigned(key.getModulus())),
                    "e", B64.encodeToString(unsigned(key.getPublicExponent())))}));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            byte[] trimmed = new byte[bytes.length - 1];
            System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
            return trimmed;
        }
        return bytes;
    }
}
