package dev.conduit.vault.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM encryption of one token, bound to its {@link TokenOwner} (the associated data). Two stored forms, the
 * key id travelling with the data:
 * <ul>
 * <li>{@code v2.<dataKeyId>.<base64url(nonce)>.<base64url(ciphertext+tag)>}: under a data key of the owner's scope
 * (envelope encryption, issue 16; {@link DataKeySource}). Every token is written so when a data-key source is given.</li>
 * <li>{@code v1.<keyId>.<nonce>.<ct>}: under a key of the configured ring (option {@code keys}), as the vault wrote
 * before data keys; still opened, so existing rows serve while the background migration re-seals them as v2, and
 * sign-in handovers sealed before the upgrade still open.</li>
 * </ul>
 */
public final class TokenCipher {

    private static final String V1 = "v1";
    private static final String V2 = "v2";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyRing keys;
    private final DataKeySource dataKeys;

    /** Seals v1 under the ring's active key: tests of the v1 form, and of rows as the vault wrote them before data keys. */
    public TokenCipher(KeyRing keys) {
        this(keys, null);
    }

    /** @param dataKeys null to seal v1 under the ring (tests of the v1 form) */
    public TokenCipher(KeyRing keys, DataKeySource dataKeys) {
        this.keys = keys;
        this.dataKeys = dataKeys;
    }

    /** One key for several columns of a row, so the row's {@code KEY_ID} is true of all of them. */
    public final class Sealer {
        private final String version;
        private final String keyId;
        private final SecretKey key;

        private Sealer(String version, String keyId, SecretKey key) {
            this.version = version;
            this.keyId = keyId;
            this.key = key;
        }

        public String keyId() {
            return keyId;
        }

        public String encrypt(String token, TokenOwner owner) {
            return sealWith(version, keyId, key, token.getBytes(StandardCharsets.UTF_8), owner.associatedData());
        }

        /** Re-seals under this key; a value already under it is returned unchanged. */
        public String reencrypt(String stored, TokenOwner owner) {
            return keyId.equals(keyIdOf(stored)) ? stored : encrypt(decrypt(stored, owner), owner);
        }
    }

    /** The sealer of {@code owner}'s scope: its ACTIVE data key (made if the scope has none yet). */
    public Sealer sealer(TokenOwner owner) {
        if (dataKeys == null) {
            return new Sealer(V1, keys.activeKeyId(), keys.active());
        }
        DataKeySource.SealingKey active = dataKeys.active(owner);
        return new Sealer(V2, active.id(), active.key());
    }

    /** The sealer of the parked revocations, whose key outlives their organization and realm. */
    public Sealer parkedSealer() {
        if (dataKeys == null) {
            return new Sealer(V1, keys.activeKeyId(), keys.active());
        }
        DataKeySource.SealingKey parked = dataKeys.parked();
        return new Sealer(V2, parked.id(), parked.key());
    }

    public String encrypt(String token, TokenOwner owner) {
        return sealer(owner).encrypt(token, owner);
    }

    /**
     * Seals any content under {@code key} (v2), bound to {@code associatedData}: the sign-in handover, under its realm's
     * data key ({@link HandoverSeal}).
     */
    String seal(DataKeySource.SealingKey key, byte[] content, byte[] associatedData) {
        return sealWith(V2, key.id(), key.key(), content, associatedData);
    }

    private static String sealWith(String version, String keyId, SecretKey key, byte[] content, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            byte[] sealed = cipher.doFinal(content);
            return version + "." + keyId + "." + ENCODER.encodeToString(nonce) + "." + ENCODER.encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * @throws TokenDecryptionException when the value is malformed, its key is unknown (a v1 key no longer configured,
     *         a data key shredded), or it was sealed for another owner or altered; the message never contains the value
     */
    public String decrypt(String stored, TokenOwner owner) {
        String[] parts = parts(stored);
        SecretKey key;
        if (V2.equals(parts[0])) {
            if (dataKeys == null) {
                throw new TokenDecryptionException("stored token is sealed under a data key, and this cipher has none");
            }
            key = dataKeys.opening(parts[1], owner);
        } else {
            key = v1Key(parts);
        }
        return new String(openWith(key, parts, owner.associatedData()), StandardCharsets.UTF_8);
    }

    /**
     * Opens what {@link #seal} sealed: v2 under the data key {@code dataKeys} gives for its id, v1 (sealed before data
     * keys) under the ring.
     *
     * @throws TokenDecryptionException as {@link #decrypt}
     */
    byte[] open(String stored, java.util.function.Function<String, SecretKey> dataKeys, byte[] associatedData) {
        String[] parts = parts(stored);
        SecretKey key = V2.equals(parts[0]) ? dataKeys.apply(parts[1]) : v1Key(parts);
        return openWith(key, parts, associatedData);
    }

    private static String[] parts(String stored) {
        String[] parts = stored == null ? new String[0] : stored.split("\\.", -1);
        if (parts.length != 4 || !(V1.equals(parts[0]) || V2.equals(parts[0]))) {
            throw new TokenDecryptionException("stored token is not in the v1 or v2 format");
        }
        return parts;
    }

    private SecretKey v1Key(String[] parts) {
        return keys.key(parts[1]).orElseThrow(() -> new TokenDecryptionException("unknown key id '" + parts[1] + "'"));
    }

    /**
     * One AES-GCM cipher per thread for opening: {@code Cipher.getInstance}'s provider lookup was the larger part of
     * a served token's decryption (issue 17's profile). Every use re-initialises it with its own key and nonce, and a
     * failed open leaves nothing behind (the next {@code init} resets it). Sealing keeps a fresh cipher per value.
     */
    private static final ThreadLocal<Cipher> OPENING = ThreadLocal.withInitial(TokenCipher::newGcmCipher);

    private static Cipher newGcmCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no AES/GCM/NoPadding", e);
        }
    }

    private static byte[] openWith(SecretKey key, String[] parts, byte[] associatedData) {
        try {
            byte[] nonce = DECODER.decode(parts[2]);
            byte[] sealed = DECODER.decode(parts[3]);
            if (nonce.length != NONCE_BYTES) {
                throw new TokenDecryptionException("stored token has a bad nonce");
            }
            Cipher cipher = OPENING.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(sealed);
        } catch (IllegalArgumentException e) {
            throw new TokenDecryptionException("stored token is not valid base64url");
        } catch (AEADBadTagException e) {
            throw new TokenDecryptionException("stored token does not belong to this owner or was altered");
        } catch (GeneralSecurityException e) {
            throw new TokenDecryptionException("stored token could not be decrypted: " + e.getClass().getSimpleName());
        }
    }

    /** The active key id of the configured ring (v1, as the vault sealed before data keys), null when it is empty. */
    public String ringKeyId() {
        return keys.activeKeyId();
    }

    /** The key id a stored value was sealed with, for re-encryption status without decrypting. */
    public static String keyIdOf(String stored) {
        String[] parts = stored.split("\\.", -1);
        return parts.length == 4 ? parts[1] : null;
    }

    /** Re-seals under the owner's sealer; a value already under it is returned unchanged. */
    public String reencrypt(String stored, TokenOwner owner) {
        return sealer(owner).reencrypt(stored, owner);
    }
}
