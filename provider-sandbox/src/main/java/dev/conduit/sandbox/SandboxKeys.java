package dev.conduit.sandbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Key material for the server-to-server grants, made with {@code java.security} only: RSA key pairs, a self-signed
 * X.509 certificate (what an admin uploads to a Salesforce Connected App, "Use digital signatures"), PKCS#8 PEM (the
 * {@code private_key} of a Google service account's JSON key file), and RS256 signing of a JWT assertion.
 * The JDK has no public API to build a certificate, so {@link #selfSignedCertificatePem} writes the DER itself.
 */
public final class SandboxKeys {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** sha256WithRSAEncryption, 1.2.840.113549.1.1.11 */
    private static final byte[] SHA256_WITH_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
        0x01, 0x01, 0x0b};
    /** commonName, 2.5.4.3 */
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private SandboxKeys() {
    }

    /** A fresh 2048-bit RSA key pair. */
    public static KeyPair rsaKeyPair() {
        return rsaKeyPair(2048);
    }

    public static KeyPair rsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    /** A self-signed certificate for the key pair, valid from a day ago for a year (SHA256withRSA). */
    public static String selfSignedCertificatePem(KeyPair keyPair, String commonName) {
        Instant now = Instant.now();
        return selfSignedCertificatePem(keyPair, commonName, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
    }

    /** A self-signed X.509 v3 certificate (no extensions) for the key pair, as PEM; dates before 2050. */
    public static String selfSignedCertificatePem(KeyPair keyPair, String commonName, Instant notBefore, Instant notAfter) {
        byte[] algorithm = seq(SHA256_WITH_RSA, new byte[] {0x05, 0x00});
        byte[] name = seq(tlv(0x31, seq(COMMON_NAME, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
        byte[] tbs = seq(
                tlv(0xa0, tlv(0x02, new byte[] {0x02})),
                tlv(0x02, new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray()),
                algorithm,
                name,
                seq(utcTime(notBefore), utcTime(notAfter)),
                name,
                keyPair.getPublic().getEncoded());
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(keyPair.getPrivate());
            signature.update(tbs);
            byte[] sig = signature.sign();
            byte[] bits = new byte[sig.length + 1];
            System.arraycopy(sig, 0, bits, 1, sig.length);
            return pem("CERTIFICATE", seq(tbs, algorithm, tlv(0x03, bits)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign the certificate", e);
        }
    }

    /** The private key as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}), as in a Google JSON key file. */
    public static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /** Parses one PEM certificate; throws IllegalArgumentException if it is not one. */
    public static X509Certificate parseCertificate(String pem) {
        if (pem == null) {
            throw new IllegalArgumentException("certificate is required");
        }
        String body = pem.replace("-----BEGIN CERTIFICATE-----", "").replace("-----END CERTIFICATE-----", "")
                .replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(body);
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | CertificateException e) {
            throw new IllegalArgumentException("not a PEM X.509 certificate", e);
        }
    }

    /** A compact JWS signed with RS256: header {@code alg=RS256, typ=JWT} plus {@code extraHeader}. */
    public static String signRs256(PrivateKey key, Map<String, Object> extraHeader, Map<String, Object> claims) {
        try {
            Map<String, Object> header = new java.util.LinkedHashMap<>();
            header.put("alg", "RS256");
            header.put("typ", "JWT");
            header.putAll(extraHeader);
            String input = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new IllegalStateException("could not sign the assertion", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] utcTime(Instant instant) {
        return tlv(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] seq(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return tlv(0x30, out.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
