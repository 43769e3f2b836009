package dev.conduit.broker.grant;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;

/**
 * AES-256-GCM under one key held in memory only, for the in-memory handover: the key is drawn at boot, so a
 * sealed grant opens only on the node (and boot) that sealed it. Form: {@code v1.<keyId>.<nonce>.<ciphertext+tag>}.
 */
public final class GrantSeal {

    private static final String VERSION = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecureRandom random = new SecureRandom();
    private final String keyId;
    private final SecretKey key;

    private GrantSeal(String keyId, byte[] key) {
        this.keyId = keyId;
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A fresh random key, with a random id so a value sealed before a restart is told apart as "unknown key". */
    public static GrantSeal withRandomKey() {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[32];
        random.nextBytes(key);
        byte[] id = new byte[6];
        random.nextBytes(id);
        return new GrantSeal("boot-" + HexFormat.of().formatHex(id), key);
    }

    public String seal(byte[] content, GrantBinding binding) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(binding.associatedData());
            byte[] sealed = cipher.doFinal(content);
            return VERSION + "." + keyId + "." + ENCODER.encodeToString(nonce) + "." + ENCODER.encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** @throws SealedGrantException when the value is malformed, under another key, bound elsewhere or altered */
    public byte[] open(String sealed, GrantBinding binding) {
        String[] parts = sealed == null ? new String[0] : sealed.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new SealedGrantException("sealed grant is not in the v1 format");
        }
        if (!keyId.equals(parts[1])) {
            throw new SealedGrantException("sealed grant is under a key this node does not hold");
        }
        try {
            byte[] nonce = DECODER.decode(parts[2]);
            if (nonce.length != NONCE_BYTES) {
                throw new SealedGrantException("sealed grant has a bad nonce");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(binding.associatedData());
            return cipher.doFinal(DECODER.decode(parts[3]));
        } catch (IllegalArgumentException e) {
            throw new SealedGrantException("sealed grant is not valid base64url");
        } catch (AEADBadTagException e) {
            throw new SealedGrantException("sealed grant belongs to another login or was altered");
        } catch (GeneralSecurityException e) {
            throw new SealedGrantException("sealed grant could not be opened: " + e.getClass().getSimpleName());
        }
    }
}
