package dev.conduit.vault.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed fingerprints of refresh tokens, so "does another connection hold this refresh token?" is an index lookup
 * instead of decrypting every connection of the realm and provider (issue 13, item 3).
 *
 * <p>The fingerprint is HMAC-SHA256 over the realm id, the provider alias and the token (length-prefixed), under a
 * MAC key of its own per key-ring key: {@code HKDF-Expand(key, "conduit-fingerprint-v1", 32)} (RFC 5869 section 2.3;
 * the extract step is skipped because the key is already 32 uniformly random bytes), which is
 * {@code HMAC-SHA256(key, "conduit-fingerprint-v1" || 0x01)}. The encryption key itself never keys the MAC. The owner
 * is not part of the input: two owners holding the same token must match.
 *
 * <p>Stability across key rotation: the stored form is {@code f1.<keyId>.<base64url(mac)>}, the key id travels with
 * the fingerprint as it does with the ciphertext. A fingerprint is written under the active key whenever the row's
 * refresh token is sealed (connect, refresh, re-owning, key rotation), and a lookup asks for the fingerprints of the
 * token under <em>every</em> key of the ring ({@link #candidates}), so a row sealed before the active key changed
 * still matches until the rotation re-seals it, and after. Only a key removed from the ring stops its fingerprints
 * matching, and then its ciphertexts cannot be opened either (the old key stays configured until the rotation ran).
 */
public final class TokenFingerprints {

    private static final String VERSION = "f1";
    private static final byte[] INFO = "conduit-fingerprint-v1".getBytes(StandardCharsets.US_ASCII);
    private static final String HMAC = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final String activeKeyId;
    /** MAC key per key-ring key id, derived once; in the ring's order. */
    private final Map<String, SecretKeySpec> macKeys = new LinkedHashMap<>();

    public TokenFingerprints(KeyRing keys) {
        this.activeKeyId = keys.activeKeyId();
        for (String id : keys.keyIds()) {
            macKeys.put(id, derive(keys.key(id).orElseThrow().getEncoded()));
        }
    }

    /** The token's fingerprint under the active key, as stored. */
    public String of(String realmId, String providerAlias, String token) {
        return under(activeKeyId, realmId, providerAlias, token);
    }

    /** The token's fingerprint under every key of the ring: what a stored fingerprint of the same token is one of. */
    public List<String> candidates(String realmId, String providerAlias, String token) {
        return macKeys.keySet().stream().map(id -> under(id, realmId, providerAlias, token)).toList();
    }

    private String under(String keyId, String realmId, String providerAlias, String token) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(macKeys.get(keyId));
            return VERSION + "." + keyId + "." + ENCODER.encodeToString(mac.doFinal(message(realmId, providerAlias, token)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static byte[] message(String realmId, String providerAlias, String token) {
        StringBuilder out = new StringBuilder("conduit-refresh-token-v1");
        for (String part : new String[] {realmId, providerAlias, token}) {
            out.append('|').append(part.length()).append(':').append(part);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** HKDF-Expand with one output block: T(1) = HMAC(PRK, info || 0x01). */
    private static SecretKeySpec derive(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            mac.update(INFO);
            mac.update((byte) 1);
            return new SecretKeySpec(mac.doFinal(), HMAC);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("the key cannot key HMAC-SHA256", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "TokenFingerprints[active=" + activeKeyId + ", ids=" + macKeys.keySet() + "]";
    }
}
