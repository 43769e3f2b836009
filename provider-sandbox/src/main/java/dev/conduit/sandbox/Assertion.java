package dev.conduit.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A JWT bearer assertion (RFC 7523) as the sandbox receives it: parsed, its RS256 signature checkable. */
final class Assertion {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final Map<String, Object> header;
    private final Map<String, Object> claims;
    private final byte[] signingInput;
    private final byte[] signature;

    private Assertion(Map<String, Object> header, Map<String, Object> claims, byte[] signingInput, byte[] signature) {
        this.header = header;
        this.claims = claims;
        this.signingInput = signingInput;
        this.signature = signature;
    }

    /** The assertion, or null if it is not a compact JWS with JSON header and claims. */
    static Assertion parse(String jwt) {
        if (jwt == null) {
            return null;
        }
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            Base64.Decoder decoder = Base64.getUrlDecoder();
            Map<String, Object> header = JSON.readValue(decoder.decode(parts[0]), MAP);
            Map<String, Object> claims = JSON.readValue(decoder.decode(parts[1]), MAP);
            byte[] signature = decoder.decode(parts[2]);
            if (header == null || claims == null) {
                return null;
            }
            return new Assertion(header, claims, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
                    signature);
        } catch (IllegalArgumentException | IOException e) {
            // bad Base64 or JSON: not an assertion (the caller refuses it), never a 500
            return null;
        }
    }

    /** Whether the header says RS256 and the signature verifies with this key (never "none", never HMAC). */
    boolean signedBy(PublicKey key) {
        if (!"RS256".equals(header.get("alg"))) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update(signingInput);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    String headerString(String name) {
        return header.get(name) instanceof String s ? s : null;
    }

    String string(String claim) {
        return claims.get(claim) instanceof String s ? s : null;
    }

    /** A NumericDate claim in seconds, or null if absent or not a number. */
    Long seconds(String claim) {
        return claims.get(claim) instanceof Number n ? n.longValue() : null;
    }
}
