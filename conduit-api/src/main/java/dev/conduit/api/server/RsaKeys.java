package dev.conduit.api.server;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RSA private keys for signed assertions (RFC 7523): parsed from the PEM an admin uploads (PKCS#8
 * {@code PRIVATE KEY}, or PKCS#1 {@code RSA PRIVATE KEY} as {@code openssl genrsa} writes it), generated, and
 * written back as PKCS#8 PEM to be sealed. Anything else is refused with a message naming what was uploaded.
 */
public final class RsaKeys {

    /** Enough for an 8192-bit key in PEM with its headers; anything larger is not a key. */
    public static final int MAX_PEM_CHARS = 16 * 1024;
    public static final int MIN_BITS = 2048;
    public static final int MAX_BITS = 8192;
    public static final int GENERATED_BITS = 2048;

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    /** AlgorithmIdentifier rsaEncryption with NULL parameters, as a PKCS#8 wrapper of a PKCS#1 key needs. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private RsaKeys() {
    }

    /** The private key (with its public half) in {@code pem}, or why it cannot be used. */
    public static KeyPair parsePrivateKey(String pem) throws KeyMaterialException {
        if (pem == null || pem.isBlank()) {
            throw new KeyMaterialException("no private key given");
        }
        if (pem.length() > MAX_PEM_CHARS) {
            throw new KeyMaterialException("the private key is larger than " + MAX_PEM_CHARS + " characters");
        }
        Matcher block = PEM.matcher(pem.replace("\\n", "\n"));
        if (!block.find()) {
            throw new KeyMaterialException("not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
        }
        String label = block.group(1);
        byte[] der = decode(block.group(2));
        switch (label) {
            case "PRIVATE KEY":
                return pair(toPrivateKey(der));
            case "RSA PRIVATE KEY":
                return pair(toPrivateKey(pkcs8OfPkcs1(der)));
            case "ENCRYPTED PRIVATE KEY":
                throw new KeyMaterialException("the private key is encrypted: upload it unencrypted (openssl pkcs8 -topk8 -nocrypt)");
            case "CERTIFICATE":
                throw new KeyMaterialException("this is a certificate, not a private key");
            case "PUBLIC KEY":
            case "RSA PUBLIC KEY":
                throw new KeyMaterialException("this is a public key, not a private key");
            case "EC PRIVATE KEY":
                throw new KeyMaterialException("an EC key: RS256 assertions need an RSA key");
            default:
                throw new KeyMaterialException("a PEM block of type '" + label.toLowerCase(Locale.ROOT)
                        + "', not a private key");
        }
    }

    /** A new key pair of {@link #GENERATED_BITS} bits. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(GENERATED_BITS);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no RSA key generator", e);
        }
    }

    /** The private key as PKCS#8 PEM, the form {@link #parsePrivateKey} reads back. */
    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static byte[] decode(String body) throws KeyMaterialException {
        try {
            return Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new KeyMaterialException("the PEM block is not valid base64");
        }
    }

    private static PrivateKey toPrivateKey(byte[] pkcs8) throws KeyMaterialException {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyMaterialException("the PEM block is not an RSA private key (is it an EC or Ed25519 key?)");
        }
    }

    private static KeyPair pair(PrivateKey key) throws KeyMaterialException {
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new KeyMaterialException("the RSA private key lacks its public exponent (CRT form expected)");
        }
        int bits = crt.getModulus().bitLength();
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new KeyMaterialException("the RSA key has " + bits + " bits; between " + MIN_BITS + " and " + MAX_BITS
                    + " are accepted");
        }
        try {
            RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new KeyPair(publicKey, crt);
        } catch (GeneralSecurityException e) {
            throw new KeyMaterialException("the RSA private key's public half is not valid");
        }
    }

    /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey: SEQUENCE { INTEGER 0, rsaEncryption, OCTET STRING key }. */
    private static byte[] pkcs8OfPkcs1(byte[] pkcs1) {
        return Der.sequence(Der.integer(BigInteger.ZERO), RSA_ALGORITHM, Der.octetString(pkcs1));
    }
}
