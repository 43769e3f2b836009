package dev.conduit.api.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An RS256 JWT (RFC 7515 compact form) used as an authorization grant (RFC 7523): the Salesforce JWT bearer flow and
 * Google's service-account flow. Claims are written as given; callers choose {@code iss}, {@code sub}, {@code aud},
 * {@code exp} per provider.
 */
public final class SignedAssertion {

    /** RFC 7523's grant type, the {@code grant_type} that carries such an assertion. */
    public static final String JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private SignedAssertion() {
    }

    /** The compact JWT: header {@code {"alg":"RS256","typ":"JWT"}} (and {@code kid} when given), the claims, the signature. */
    public static String rs256(Map<String, Object> claims, String keyId, PrivateKey key) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        if (keyId != null) {
            header.put("kid", keyId);
        }
        String signingInput = part(header) + "." + part(claims);
        try {
            java.security.Signature signer = java.security.Signature.getInstance("SHA256withRSA");
            signer.initSign(key);
            signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + BASE64URL.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign an RS256 assertion (is the key RSA?)", e);
        }
    }

    private static String part(Map<String, Object> json) {
        try {
            return BASE64URL.encodeToString(JSON.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("claims that are not JSON", e);
        }
    }
}
