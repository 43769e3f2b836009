package dev.conduit.broker.salesforce;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Salesforce signs each token response: {@code signature} = Base64(HMAC-SHA256(consumer secret, id + issued_at)).
 * Checking it proves the response came from the org that knows our consumer secret.
 */
public final class SalesforceSignature {

    private SalesforceSignature() {
    }

    public static String sign(String identityUrl, String issuedAt, String consumerSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(consumerSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] raw = mac.doFinal((identityUrl + issuedAt).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(raw);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public static boolean verify(String identityUrl, String issuedAt, String signature, String consumerSecret) {
        if (identityUrl == null || issuedAt == null || signature == null || consumerSecret == null) {
            return false;
        }
        byte[] expected = sign(identityUrl, issuedAt, consumerSecret).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }
}
