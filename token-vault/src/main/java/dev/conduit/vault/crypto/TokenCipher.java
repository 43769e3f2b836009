package dev.conduit.vault.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM encryption of one token, bound to its {@link TokenOwner}. The stored form is
 * {@code v1.<keyId>.<base64url(nonce)>.<base64url(ciphertext+tag)>}: the key id travels with the data.
 */
public final class TokenCipher {

    private static final String VERSION = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final KeyRing keys;
    private final SecureRandom random = new SecureRandom();

    public TokenCipher(KeyRing keys) {
        this.keys = keys;
    }

    public String encrypt(String token, TokenOwner owner) {
        return seal(token.getBytes(StandardCharsets.UTF_8), owner.associatedData());
    }

    /** Seals any content under the active key, bound to {@code associatedData}; the same stored form as a token. */
    String seal(byte[] content, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.active(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData);
            byte[] sealed = cipher.doFinal(content);
            return VERSION + "." + keys.activeKeyId() + "." + ENCODER.encodeToString(nonce) + "." + ENCODER.encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * @throws TokenDecryptionException when the value is malformed, its key is unknown, or it was sealed for
     *         another owner or altered; the message never contains the value
     */
    public String decrypt(String stored, TokenOwner owner) {
        return new String(open(stored, owner.associatedData()), StandardCharsets.UTF_8);
    }

    /**
     * Opens what {@link #seal} sealed.
     *
     * @throws TokenDecryptionException as {@link #decrypt}
     */
    byte[] open(String stored, byte[] associatedData) {
        String[] parts = stored == null ? new String[0] : stored.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new TokenDecryptionException("stored token is not in the v1 format");
        }
        var key = keys.key(parts[1]).orElseThrow(() -> new TokenDecryptionException("unknown key id '" + parts[1] + "'"));
        try {
            byte[] nonce = DECODER.decode(parts[2]);
            byte[] sealed = DECODER.decode(parts[3]);
            if (nonce.length != NONCE_BYTES) {
                throw new TokenDecryptionException("stored token has a bad nonce");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
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

    public String activeKeyId() {
        return keys.activeKeyId();
    }

    /** The key id a stored value was sealed with, for re-encryption status without decrypting. */
    public static String keyIdOf(String stored) {
        String[] parts = stored.split("\\.", -1);
        return parts.length == 4 ? parts[1] : null;
    }

    /** Re-seals under the active key; a value already under it is returned unchanged. */
    public String reencrypt(String stored, TokenOwner owner) {
        if (keys.activeKeyId().equals(keyIdOf(stored))) {
            return stored;
        }
        return encrypt(decrypt(stored, owner), owner);
    }
}
