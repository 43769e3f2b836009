package dev.conduit.api.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import org.junit.jupiter.api.Test;

class SelfSignedCertificateTest {

    private final KeyPair keys = RsaKeys.generate();

    @Test
    void theCertificateCarriesThePublicKeyAndIsSignedByItsPrivateKey() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X509Certificate certificate = SelfSignedCertificate.create(keys, "conduit acme salesforce", start,
                start.plus(Duration.ofDays(730)));

        certificate.verify(keys.getPublic());
        certificate.checkValidity(Date.from(start.plusSeconds(60)));
        assertThat(certificate.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=conduit acme salesforce");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(certificate.getVersion()).isEqualTo(3);
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(start);
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(start.plus(Duration.ofDays(730)));
        assertThat(certificate.getSerialNumber().signum()).isPositive();
    }

    @Test
    void anotherKeyDoesNotVerifyIt() {
        X509Certificate certificate = SelfSignedCertificate.create(keys, "a", Instant.now(), Instant.now().plusSeconds(3600));

        assertThatThrownBy(() -> certificate.verify(RsaKeys.generate().getPublic())).isInstanceOf(SignatureException.class);
    }

    @Test
    void thePemReadsBackAsTheSameCertificateAndDatesFrom2050AreEncodedAsGeneralizedTime() throws Exception {
        Instant start = Instant.parse("2049-06-01T00:00:00Z");
        X509Certificate certificate = SelfSignedCertificate.create(keys, "long lived", start, Instant.parse("2051-06-01T00:00:00Z"));

        String pem = SelfSignedCertificate.pem(certificate);
        X509Certificate read = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));

        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(read).isEqualTo(certificate);
        assertThat(read.getNotAfter().toInstant()).isEqualTo(Instant.parse("2051-06-01T00:00:00Z"));
    }

    @Test
    void aCertificateThatEndsBeforeItStartsIsNotMade() {
        Instant now = Instant.now();

        assertThatThrownBy(() -> SelfSignedCertificate.create(keys, "a", now, now)).isInstanceOf(IllegalArgumentException.class);
    }
}
