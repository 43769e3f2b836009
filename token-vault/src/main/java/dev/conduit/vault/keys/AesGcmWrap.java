package dev.conduit.vault.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM wrapping of a data key under one KEK, in whichever JCA provider holds the KEK (the JDK's for keys in
 * memory, SunPKCS11 for a key inside an HSM). Wrapped bytes: {@code nonce(12) || ciphertext || tag(16)}. The
 * associated data is the KEK id (length-prefixed) and the caller's {@code aad}, so a wrapped key relabelled with
 * another KEK id does not open either.
 */
final class AesGcmWrap {

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcmWrap() {
    }

    /** @param provider the JCA provider holding {@code kek}, or null for the JDK's default */
    static byte[] wrap(Key kek, Provider provider, String kekId, byte[] dataKey, byte[] aad) throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        Cipher cipher = cipher(provider);
        cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(associatedData(kekId, aad));
        byte[] sealed = cipher.doFinal(dataKey);
        byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
        System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
        return out;
    }

    /**
     * @throws AEADBadTagException when the bytes were altered or wrapped for other associated data
     * @throws GeneralSecurityException when the provider cannot run the cipher
     */
    static byte[] unwrap(Key kek, Provider provider, String kekId, byte[] wrapped, byte[] aad) throws GeneralSecurityException {
        if (wrapped.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new AEADBadTagException("wrapped key is too short");
        }
        Cipher cipher = cipher(provider);
        cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, wrapped, 0, NONCE_BYTES));
        cipher.updateAAD(associatedData(kekId, aad));
        return cipher.doFinal(wrapped, NONCE_BYTES, wrapped.length - NONCE_BYTES);
    }

    private static Cipher cipher(Provider provider) throws GeneralSecurityException {
        return provider == null ? Cipher.getInstance(TRANSFORMATION) : Cipher.getInstance(TRANSFORMATION, provider);
    }

    private static byte[] associatedData(String kekId, byte[] aad) {
        byte[] prefix = ("conduit-kek-v1|" + kekId.length() + ":" + kekId + "|").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(prefix, prefix.length + aad.length);
        System.arraycopy(aad, 0, out, prefix.length, aad.length);
        return out;
    }
}
