package dev.conduit.api.server;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The X.509 certificate an admin uploads to the provider's app (Salesforce: "Use digital signatures") for a key pair
 * Conduit generated: self-signed, SHA256withRSA, subject {@code CN=<name>}, no extensions. Only the certificate leaves
 * the vault; the provider checks assertions against it.
 */
public final class SelfSignedCertificate {

    /** sha256WithRSAEncryption (1.2.840.113549.1.1.11) with NULL parameters. */
    private static final byte[] SHA256_WITH_RSA = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
    /** commonName (2.5.4.3). */
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificate() {
    }

    /** A certificate for {@code keys}, valid from {@code notBefore} to {@code notAfter}, named {@code commonName}. */
    public static X509Certificate create(KeyPair keys, String commonName, Instant notBefore, Instant notAfter) {
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("the certificate must end after it starts");
        }
        byte[] name = Der.sequence(Der.set(Der.sequence(COMMON_NAME, Der.utf8String(commonName))));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)),
                Der.integer(new BigInteger(64, RANDOM).add(BigInteger.ONE)),
                SHA256_WITH_RSA,
                name,
                Der.sequence(time(notBefore), time(notAfter)),
                name,
                keys.getPublic().getEncoded());
        try {
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update(tbs);
            byte[] certificate = Der.sequence(tbs, SHA256_WITH_RSA, Der.bitString(signer.sign()));
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificate));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign a certificate with an RSA key", e);
        }
    }

    /** The certificate as PEM, the form the providers' consoles take. */
    public static String pem(X509Certificate certificate) {
        try {
            return RsaKeys.pem("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("a certificate Java parsed could not be encoded again", e);
        }
    }

    /** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
    private static byte[] time(Instant instant) {
        boolean generalized = instant.atZone(ZoneOffset.UTC).getYear() >= 2050;
        return Der.time((generalized ? GENERALIZED_TIME : UTC_TIME).format(instant), generalized);
    }
}
