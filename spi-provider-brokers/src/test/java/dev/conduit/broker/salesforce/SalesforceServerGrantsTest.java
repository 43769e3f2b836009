package dev.conduit.broker.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.MintRefusal;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.RsaKeys;
import dev.conduit.api.server.ServerCredential;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

class SalesforceServerGrantsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private final SalesforceJwtBearer jwt = new SalesforceJwtBearer();
    private final SalesforceClientCredentials clientCredentials = new SalesforceClientCredentials();

    @Test
    void aJwtBearerConnectionGetsAGeneratedKeyWhoseCertificateIsShownAndWhosePrivateKeyIsOnlySealed() throws Exception {
        ServerCredential credential = jwt.accept(provider("https://acme.my.salesforce.com"), jwtInput(), NOW);

        X509Certificate certificate = certificate(credential.shown("certificate"));
        KeyPair sealed = RsaKeys.parsePrivateKey(credential.sealed("private_key"));
        certificate.verify(sealed.getPublic());
        assertThat(certificate.getPublicKey()).isEqualTo(sealed.getPublic());
        assertThat(credential.shown("key_origin")).isEqualTo("generated");
        assertThat(credential.shown("certificate_sha256")).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(credential.shown().values()).noneMatch(value -> value.contains("PRIVATE KEY"));
        assertThat(credential.toString()).doesNotContain("PRIVATE KEY").contains("private_key");
    }

    @Test
    void anUploadedKeyIsTheOneThatSigns() throws Exception {
        KeyPair own = RsaKeys.generate();
        Map<String, String> input = jwtInput();
        input.put("private_key", RsaKeys.pem(own.getPrivate()));

        ServerCredential credential = jwt.accept(provider(null), input, NOW);
        MintRequest mint = jwt.mintRequest(provider(null), credential, null, java.util.Set.of(), NOW).orElseThrow();

        assertThat(credential.shown("key_origin")).isEqualTo("uploaded");
        assertThat(verifies(mint.form().get("assertion"), own)).isTrue();
    }

    @Test
    void theAssertionIsWhatSalesforceTakes() throws Exception {
        IdentityProviderModel provider = provider("https://acme.my.salesforce.com/");
        provider.getConfig().put(SalesforceIdentityProviderConfig.SESSION_LIFETIME, "900");
        ServerCredential credential = jwt.accept(provider, jwtInput(), NOW);

        MintRequest mint = jwt.mintRequest(provider, credential, null, java.util.Set.of(), NOW).orElseThrow();

        assertThat(mint.tokenUrl()).isEqualTo("https://acme.my.salesforce.com/services/oauth2/token");
        assertThat(mint.form()).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer").containsKey("assertion");
        assertThat(mint.lifetimeWithoutExpiresIn()).as("the org's session timeout").isEqualTo(900);
        JsonNode claims = claims(mint.form().get("assertion"));
        assertThat(claims.get("iss").asText()).isEqualTo("3MVG9.consumer_key");
        assertThat(claims.get("sub").asText()).isEqualTo("integration@acme.example");
        assertThat(claims.get("aud").asText()).isEqualTo("https://acme.my.salesforce.com");
        assertThat(claims.get("exp").asLong() - NOW.getEpochSecond()).as("at most 3 minutes ahead").isPositive().isLessThanOrEqualTo(180);
        assertThat(verifies(mint.form().get("assertion"), RsaKeys.parsePrivateKey(credential.sealed("private_key")))).isTrue();
        assertThat(mint.toString()).doesNotContain(mint.form().get("assertion"));
    }

    @Test
    void theConnectionsOwnLoginHostIsTheAudienceWhenGiven() throws Exception {
        Map<String, String> input = jwtInput();
        input.put("login_host", "https://TEST.salesforce.com/");
        ServerCredential credential = jwt.accept(provider(null), input, NOW);

        MintRequest mint = jwt.mintRequest(provider(null), credential, null, java.util.Set.of(), NOW).orElseThrow();

        assertThat(claims(mint.form().get("assertion")).get("aud").asText()).isEqualTo("https://test.salesforce.com");
        assertThat(mint.tokenUrl()).isEqualTo("https://test.salesforce.com/services/oauth2/token");
    }

    @Test
    void badJwtBearerInputIsRefusedNamingTheField() {
        assertJwtRefused(without(jwtInput(), "consumer_key"), "consumer_key is required");
        assertJwtRefused(with(jwtInput(), "consumer_key", "3MVG9 <script>"), "consumer_key has characters");
        assertJwtRefused(with(jwtInput(), "username", "integration"), "username has characters");
        assertJwtRefused(with(jwtInput(), "login_host", "http://login.salesforce.com"), "login_host must be an https URL");
        assertJwtRefused(with(jwtInput(), "login_host", "https://login.salesforce.com/services/oauth2/token"), "no path");
        assertJwtRefused(with(jwtInput(), "login_host", "https://user:pw@login.salesforce.com"), "login_host must be");
        assertJwtRefused(with(jwtInput(), "private_key", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
                "a certificate, not a private key");
        assertJwtRefused(with(jwtInput(), "private_key", "x".repeat(RsaKeys.MAX_PEM_CHARS + 1)), "private_key is larger than");
    }

    @Test
    void salesforceRefusalsAreReadAsWhatTheAdminMustFix() {
        assertThat(jwt.readRefusal(400, "invalid_grant", "user hasn't approved this consumer"))
                .isEqualTo(MintRefusal.admin("user_not_pre_authorized", jwt.readRefusal(400, "invalid_grant", "user hasn't approved this consumer").words()));
        assertThat(jwt.readRefusal(400, "invalid_grant", "invalid assertion").code()).isEqualTo("assertion_refused");
        assertThat(jwt.readRefusal(400, "invalid_grant", "audience is invalid").code()).isEqualTo("assertion_refused");
        assertThat(jwt.readRefusal(400, "invalid_grant", "user is inactive").code()).isEqualTo("integration_user_refused");
        assertThat(jwt.readRefusal(400, "invalid_client_id", "client identifier invalid").code()).isEqualTo("unknown_consumer_key");
        assertThat(jwt.readRefusal(400, "invalid_request", "something new").adminAction()).isTrue();
        assertThat(jwt.readRefusal(503, "server_error", "down").adminAction()).as("an outage is retried").isFalse();
        assertThat(jwt.readRefusal(429, null, null).adminAction()).isFalse();
        assertThat(jwt.readRefusal(400, "invalid_grant", "user hasn't approved this consumer").subjectOnly()).isFalse();
    }

    @Test
    void clientCredentialsAreMintedAtTheOrgsMyDomainOnly() throws Exception {
        String secret = UUID.randomUUID().toString();
        Map<String, String> input = new HashMap<>(Map.of("consumer_key", "3MVG9.cc", "consumer_secret", secret));

        assertThatThrownBy(() -> clientCredentials.accept(provider(null), input, NOW)).isInstanceOf(KeyMaterialException.class)
                .hasMessageContaining("my_domain is required").hasMessageNotContaining(secret);
        assertThatThrownBy(() -> clientCredentials.accept(provider(null), with(input, "my_domain", "https://test.salesforce.com"), NOW))
                .hasMessageContaining("only at the org's My Domain");

        ServerCredential credential = clientCredentials.accept(provider(null), with(input, "my_domain", "https://acme.my.salesforce.com"), NOW);
        MintRequest mint = clientCredentials.mintRequest(provider(null), credential, null, java.util.Set.of(), NOW).orElseThrow();

        assertThat(mint.tokenUrl()).isEqualTo("https://acme.my.salesforce.com/services/oauth2/token");
        assertThat(mint.form()).containsEntry("grant_type", "client_credentials").containsEntry("client_id", "3MVG9.cc")
                .containsEntry("client_secret", secret);
        assertThat(credential.shown().values()).doesNotContain(secret);
        assertThat(credential.toString()).doesNotContain(secret);
        assertThat(mint.toString()).doesNotContain(secret);
    }

    @Test
    void anIdentityProviderAlreadyAtAMyDomainNeedsNoOtherHost() throws Exception {
        ServerCredential credential = clientCredentials.accept(provider("https://acme.my.salesforce.com"),
                Map.of("consumer_key", "3MVG9.cc", "consumer_secret", UUID.randomUUID().toString()), NOW);

        assertThat(clientCredentials.mintRequest(provider("https://acme.my.salesforce.com"), credential, null, java.util.Set.of(), NOW)
                .orElseThrow().tokenUrl()).isEqualTo("https://acme.my.salesforce.com/services/oauth2/token");
        assertThat(clientCredentials.readRefusal(400, "invalid_grant", "request not supported on this domain").code()).isEqualTo("not_my_domain");
        assertThat(clientCredentials.readRefusal(400, "invalid_grant", "no client credentials user enabled").code()).isEqualTo("no_run_as_user");
        assertThat(clientCredentials.readRefusal(401, "invalid_client", "invalid client credentials").code()).isEqualTo("client_refused");
        assertThat(clientCredentials.readRefusal(500, "server_error", null).adminAction()).isFalse();
    }

    @Test
    void theSalesforceBrokerOffersBothKinds() {
        assertThat(new SalesforceIdentityProviderFactory().serverGrantKinds()).extracting(kind -> kind.id())
                .containsExactly("salesforce-jwt-bearer", "salesforce-client-credentials");
        assertThat(new SalesforceIdentityProviderFactory().serverGrantKind("salesforce-jwt-bearer")).containsInstanceOf(SalesforceJwtBearer.class);
        assertThat(new SalesforceIdentityProviderFactory().serverGrantKind("google-service-account")).isEmpty();
    }

    private void assertJwtRefused(Map<String, String> input, String words) {
        assertThatThrownBy(() -> jwt.accept(provider(null), input, NOW)).isInstanceOf(KeyMaterialException.class)
                .hasMessageContaining(words);
    }

    private static Map<String, String> jwtInput() {
        return new HashMap<>(Map.of("consumer_key", "3MVG9.consumer_key", "username", "integration@acme.example"));
    }

    private static Map<String, String> with(Map<String, String> input, String name, String value) {
        Map<String, String> copy = new HashMap<>(input);
        copy.put(name, value);
        return copy;
    }

    private static Map<String, String> without(Map<String, String> input, String name) {
        Map<String, String> copy = new HashMap<>(input);
        copy.remove(name);
        return copy;
    }

    static IdentityProviderModel provider(String loginHost) {
        IdentityProviderModel model = new IdentityProviderModel();
        model.setAlias("salesforce");
        model.setProviderId(SalesforceIdentityProviderFactory.PROVIDER_ID);
        model.setConfig(new HashMap<>());
        if (loginHost != null) {
            model.getConfig().put(SalesforceIdentityProviderConfig.LOGIN_HOST, loginHost);
        }
        return model;
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    static JsonNode claims(String jwt) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    static boolean verifies(String jwt, KeyPair keys) throws Exception {
        String[] parts = jwt.split("\\.");
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(keys.getPublic());
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return verify.verify(Base64.getUrlDecoder().decode(parts[2]));
    }
}
