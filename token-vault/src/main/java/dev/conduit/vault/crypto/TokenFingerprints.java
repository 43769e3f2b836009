package dev.conduit.vault.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed fingerprints of refresh tokens, so "does another connection hold this refresh token?" is an index lookup
 * instead of decrypting every connection of the realm and provider (issue 13, item 3).
 *
 * <p>The fingerprint is HMAC-SHA256 over the realm id, the provider alias and the token (length-prefixed), under a MAC
 * key derived from a key: {@code HKDF-Expand(key, info, 32)} (RFC 5869 section 2.3; the extract step is skipped because
 * the key is already 32 uniformly random bytes), which is {@code HMAC-SHA256(key, info || 0x01)}. The encryption key
 * itself never keys the MAC. The owner is not part of the input: two owners holding the same token must match, so the
 * key is the realm's, never an organization's. Two stored forms, the key id travelling with the fingerprint:
 * <ul>
 * <li>{@code f2.<dataKeyId>.<base64url(mac)>}: under the ACTIVE data key of the realm's own scope ({@link RealmKeys},
 * info {@code conduit-fingerprint-v2}); every seal writes this form when the vault has data keys (issue 16), so no
 * key material outside the key provider is needed for fingerprints.</li>
 * <li>{@code f1.<keyId>.<mac>}: under a key of the configured ring (option {@code keys}, info
 * {@code conduit-fingerprint-v1}), as the vault wrote before data keys; still matched while the ring holds the key,
 * and replaced by the next re-seal (rotation or migration).</li>
 * </ul>
 * A lookup asks for the token's fingerprint under <em>every</em> key that may have made a stored one
 * ({@link #candidates}): each realm data key still kept (ACTIVE and RETIRED) and each key of the ring, so a row sealed
 * before a rotation still matches until the rotation re-seals it, and after.
 */
public final class TokenFingerprints {

    private static final String F1 = "f1";
    private static final String F2 = "f2";
    private static final byte[] INFO_V1 = "conduit-fingerprint-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO_V2 = "conduit-fingerprint-v2".getBytes(StandardCharsets.US_ASCII);
    private static final String HMAC = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final KeyRing ring;
    private final RealmKeys realmKeys;

    /** Fingerprints under the ring only (f1): rows as the vault wrote them before data keys, and their tests. */
    public TokenFingerprints(KeyRing ring) {
        this(ring, null);
    }

    /**
     * @param ring the configured ring (may be {@link KeyRing#empty()}), whose keys still match f1 fingerprints
     * @param realmKeys the realms' data keys, under which fingerprints are written (f2); null to write f1
     */
    public TokenFingerprints(KeyRing ring, RealmKeys realmKeys) {
        this.ring = ring;
        this.realmKeys = realmKeys;
    }

    /**
     * The token's fingerprint as stored: under the realm's ACTIVE data key, or without data keys the ring's active key.
     *
     * @throws dev.conduit.vault.keys.KeyUnavailableException when the realm's key is not in memory and the key provider
     *         cannot be reached
     */
    public String of(String realmId, String providerAlias, String token) {
        if (realmKeys == null) {
            return under(F1, ring.activeKeyId(), ring.active(), INFO_V1, realmId, providerAlias, token);
        }
        DataKeySource.SealingKey key = realmKeys.realmActive(realmId);
        return under(F2, key.id(), key.key(), INFO_V2, realmId, providerAlias, token);
    }

    /**
     * The token's fingerprint under every key that may have made a stored one: what a stored fingerprint of the same
     * token is one of. Fails rather than answer fewer (a missed match would revoke a token another connection holds).
     *
     * @throws dev.conduit.vault.keys.KeyUnavailableException as {@link #of}
     */
    public List<String> candidates(String realmId, String providerAlias, String token) {
        List<String> all = new ArrayList<>();
        if (realmKeys != null) {
            for (DataKeySource.SealingKey key : realmKeys.realmKeys(realmId)) {
                all.add(under(F2, key.id(), key.key(), INFO_V2, realmId, providerAlias, token));
            }
        }
        for (String id : ring.keyIds()) {
            all.add(under(F1, id, ring.key(id).orElseThrow(), INFO_V1, realmId, providerAlias, token));
        }
        return all;
    }

    /**
     * Whether a stored fingerprint is in the form {@link #of} writes now for the realm (its ACTIVE data key's, or
     * without data keys the ring's active key's): a key rotation re-writes the others.
     */
    public boolean current(String stored, String realmId) {
        if (stored == null) {
            return false;
        }
        String prefix = realmKeys == null ? F1 + "." + ring.activeKeyId() + "."
                : F2 + "." + realmKeys.realmActive(realmId).id() + ".";
        return stored.startsWith(prefix);
    }

    private static String under(String version, String keyId, SecretKey key, byte[] info, String realmId,
            String providerAlias, String token) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(derive(key.getEncoded(), info));
            return version + "." + keyId + "." + ENCODER.encodeToString(mac.doFinal(message(realmId, providerAlias, token)));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("the derived key cannot key HMAC-SHA256", e);
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
    private static SecretKeySpec derive(byte[] key, byte[] info) {
        if (key == null) {
            throw new IllegalStateException("the key's bytes are not readable here, so it cannot key a fingerprint");
        }
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            mac.update(info);
            mac.update((byte) 1);
            return new SecretKeySpec(mac.doFinal(), HMAC);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("the key cannot key HMAC-SHA256", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "TokenFingerprints[ring=" + ring.keyIds() + ", data keys=" + (realmKeys != null) + "]";
    }
}
