package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Salesforce's JWT bearer flow (RFC 7523) and client credentials, as providers.md describes them. */
class SandboxSalesforceServerGrantsTest {

    private static final Provider SF = Provider.SALESFORCE;
    private static final String KEY = "3MVG9-consumer-key-jwt";
    private static final String CC_KEY = "3MVG9-consumer-key-cc";
    private static final String CC_SECRET = "cc-secret-0123456789";
    private static final KeyPair APP_KEY = SandboxKeys.rsaKeyPair();
    private static final KeyPair OTHER_KEY = SandboxKeys.rsaKeyPair();
    private static final String QUERY = "SELECT Id,Name,Email FROM Contact";

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;
    private final ServerToServer s2s = engine.serverToServer();
    private final String myDomain = s2s.registerSalesforceMyDomain("acme");
    private final long now = engine.now();
    private final String appCertificate = SandboxKeys.selfSignedCertificatePem(APP_KEY, "conduit");

    {
        s2s.registerSalesforceJwtApp(KEY, appCertificate, Set.of("api"),
                Set.of(Accounts.SALESFORCE_ADA.username()));
        s2s.registerSalesforceClientCredentialsApp(CC_KEY, CC_SECRET, Accounts.SALESFORCE_CHARLES.username(),
                Set.of("api"));
    }

    // ---- JWT bearer: acceptance ------------------------------------------------------------------

    @Test
    void jwtBearerIssuesATokenWithInstanceUrlNoRefreshTokenNoExpiresIn() {
        Reply reply = jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(), now + 180), "");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode body = json(reply);
        assertThat(body.path("access_token").asText()).startsWith(Accounts.SALESFORCE_ORG.substring(0, 15) + "!");
        assertThat(body.path("scope").asText()).isEqualTo("api");
        assertThat(body.path("instance_url").asText()).isEqualTo(engine.instanceUrl());
        assertThat(body.path("id").asText()).endsWith("/id/" + Accounts.SALESFORCE_ORG + "/"
                + Accounts.SALESFORCE_ADA.userId());
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.has("refresh_token")).isFalse();
        assertThat(body.has("expires_in")).isFalse();
        assertThat(engine.mints(SF, ServerToServer.JWT_BEARER)).isEqualTo(1);
        assertThat(engine.tokenCalls(SF, ServerToServer.JWT_BEARER)).isEqualTo(1);
    }

    @Test
    void theTokenQueriesTheApiUntilTheSessionTimeout() {
        engine.salesforceSessionSeconds(600);
        String token = json(jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(),
                now + 60), "")).path("access_token").asText();

        Reply ok = query(token);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).path("totalSize").asInt()).isEqualTo(ProviderApis.CONTACTS_PER_ACCOUNT);

        engine.advanceClock(Duration.ofSeconds(601));
        Reply expired = query(token);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body()).contains("INVALID_SESSION_ID");
    }

    @Test
    void jwtBearerWorksAtTheTestHostAndAtMyDomainWithItsOwnAudience() {
        Reply test = jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceTestLoginUrl(), now + 60),
                "/test");
        Reply mine = jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), myDomain, now + 60), "/my/acme");

        assertThat(test.status()).as(test.body()).isEqualTo(200);
        assertThat(mine.status()).as(mine.body()).isEqualTo(200);
        assertThat(engine.mints(SF, ServerToServer.JWT_BEARER)).isEqualTo(2);
    }

    @Test
    void aNewCertificateWorksBesideTheOldOneAndARemovedOneIsRefused() {
        s2s.addSalesforceCertificate(KEY, SandboxKeys.selfSignedCertificatePem(OTHER_KEY, "conduit-next"));
        Map<String, Object> claims = claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(), now + 60);

        assertThat(jwt(OTHER_KEY, claims, "").status()).isEqualTo(200);
        assertThat(jwt(APP_KEY, claims, "").status()).isEqualTo(200);

        s2s.removeSalesforceCertificate(KEY, appCertificate);
        assertError(jwt(APP_KEY, claims, ""), "invalid_grant", ServerToServer.SF_INVALID_ASSERTION);
        assertThat(jwt(OTHER_KEY, claims, "").status()).isEqualTo(200);
    }

    // ---- JWT bearer: refusals ------------------------------------------------------------------------

    @Test
    void malloryNotPreAuthorizedIsRefusedAsNotApproved() {
        assertError(jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_MALLORY.username(), s2s.salesforceLoginUrl(), now + 60),
                ""), "invalid_grant", ServerToServer.SF_NOT_APPROVED);
        assertError(jwt(APP_KEY, claims(KEY, "nobody@acme.example", s2s.salesforceLoginUrl(), now + 60), ""),
                "invalid_grant", ServerToServer.SF_NOT_APPROVED);
        assertNoMint();
    }

    @Test
    void aRevokedPreAuthorizationIsRefused() {
        s2s.revokeSalesforcePreAuthorization(KEY, Accounts.SALESFORCE_ADA.username());

        assertError(jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(), now + 60), ""),
                "invalid_grant", ServerToServer.SF_NOT_APPROVED);
    }

    @Test
    void trudySignsWithAKeyWhoseCertificateIsNotUploaded() {
        assertError(jwt(OTHER_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(), now + 60),
                ""), "invalid_grant", ServerToServer.SF_INVALID_ASSERTION);
        assertNoMint();
    }

    @Test
    void trudyStripsTheSignatureWithAlgNoneOrUsesHmac() {
        Map<String, Object> claims = claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(), now + 60);
        String signed = SandboxKeys.signRs256(APP_KEY.getPrivate(), Map.of(), claims);
        String[] parts = signed.split("\\.");
        String noneHeader = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String hsHeader = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

        assertError(post("", form(noneHeader + "." + parts[1] + ".")), "invalid_grant", ServerToServer.SF_INVALID_ASSERTION);
        assertError(post("", form(hsHeader + "." + parts[1] + "." + parts[2])), "invalid_grant",
                ServerToServer.SF_INVALID_ASSERTION);
        assertError(post("", form("not-a-jwt")), "invalid_grant", ServerToServer.SF_INVALID_ASSERTION);
        assertError(post("", form(null)), "invalid_grant", ServerToServer.SF_INVALID_ASSERTION);
        assertNoMint();
    }

    @Test
    void anUnknownIssuerIsAnInvalidClientId() {
        assertError(jwt(APP_KEY, claims("3MVG9-unknown", Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(),
                now + 60), ""), "invalid_client_id", ServerToServer.SF_UNKNOWN_CLIENT);
    }

    @Test
    void anAudienceOtherThanTheHostPostedToIsRefused() {
        // signed for the login host, posted to My Domain; and signed for My Domain, posted to the login host
        assertError(jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(), now + 60),
                "/my/acme"), "invalid_grant", ServerToServer.SF_BAD_AUDIENCE);
        assertError(jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), myDomain, now + 60), ""),
                "invalid_grant", ServerToServer.SF_BAD_AUDIENCE);
        assertNoMint();
    }

    @Test
    void anExpiredTooDistantOrMissingExpIsRefused() {
        String user = Accounts.SALESFORCE_ADA.username();
        assertError(jwt(APP_KEY, claims(KEY, user, s2s.salesforceLoginUrl(), now), ""), "invalid_grant",
                ServerToServer.SF_EXPIRED);
        assertError(jwt(APP_KEY, claims(KEY, user, s2s.salesforceLoginUrl(), now - 30), ""), "invalid_grant",
                ServerToServer.SF_EXPIRED);
        assertError(jwt(APP_KEY, claims(KEY, user, s2s.salesforceLoginUrl(), now + 180 + 11), ""), "invalid_grant",
                ServerToServer.SF_INVALID_ASSERTION);
        Map<String, Object> noExp = claims(KEY, user, s2s.salesforceLoginUrl(), now);
        noExp.remove("exp");
        assertError(jwt(APP_KEY, noExp, ""), "invalid_grant", ServerToServer.SF_INVALID_ASSERTION);
        assertThat(jwt(APP_KEY, claims(KEY, user, s2s.salesforceLoginUrl(), now + 180 + 10), "").status())
                .as("3 minutes and the tolerated skew").isEqualTo(200);
    }

    @Test
    void anUnknownHostIsNotFound() {
        Reply reply = jwt(APP_KEY, claims(KEY, Accounts.SALESFORCE_ADA.username(), s2s.salesforceLoginUrl(), now + 60),
                "/my/unregistered");
        assertThat(reply.status()).isEqualTo(404);
    }

    @Test
    void registrationRefusesBrokenInput() {
        assertThatThrownBy(() -> s2s.registerSalesforceJwtApp("k", "-----BEGIN CERTIFICATE-----\nAAAA\n"
                + "-----END CERTIFICATE-----", null, Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s2s.preAuthorizeSalesforceUser(KEY, "nobody@acme.example"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s2s.registerSalesforceMyDomain("Bad/Domain")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSelfSignedCertificateParsesAndCarriesThePublicKey() throws Exception {
        X509Certificate certificate = SandboxKeys.parseCertificate(SandboxKeys.selfSignedCertificatePem(APP_KEY, "acme"));

        certificate.verify(APP_KEY.getPublic());
        certificate.checkValidity();
        assertThat(certificate.getPublicKey()).isEqualTo(APP_KEY.getPublic());
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=acme");
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    // ---- client credentials ----------------------------------------------------------------------------

    @Test
    void clientCredentialsAtMyDomainActsAsTheRunAsUser() {
        Map<String, String> form = ccForm(CC_KEY, CC_SECRET);
        Reply reply = post("/my/acme", form);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode body = json(reply);
        assertThat(body.path("id").asText()).endsWith("/" + Accounts.SALESFORCE_CHARLES.userId());
        assertThat(body.path("instance_url").asText()).isEqualTo(engine.instanceUrl());
        assertThat(body.path("signature").asText()).isEqualTo(SandboxEngine.hmac(CC_SECRET,
                body.path("id").asText() + body.path("issued_at").asText()));
        assertThat(body.has("refresh_token")).isFalse();
        Reply api = query(body.path("access_token").asText());
        assertThat(api.status()).as(api.body()).isEqualTo(200);
        assertThat(json(api).path("records").get(0).path("Id").asText())
                .isEqualTo(ProviderApis.contactsOf(Accounts.SALESFORCE_CHARLES).get(0).id());
        assertThat(engine.mints(SF, ServerToServer.CLIENT_CREDENTIALS)).isEqualTo(1);
    }

    @Test
    void clientCredentialsWithHttpBasic() {
        Map<String, String> form = new LinkedHashMap<>(Map.of("grant_type", "client_credentials"));
        String basic = "Basic " + Base64.getEncoder().encodeToString((CC_KEY + ":" + CC_SECRET)
                .getBytes(StandardCharsets.UTF_8));

        Reply reply = engine.handle(SF, "POST", "/my/acme/services/oauth2/token", Map.of(), form,
                Map.of("authorization", basic));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void clientCredentialsAtAGenericLoginHostIsRefused() {
        assertError(post("", ccForm(CC_KEY, CC_SECRET)), "invalid_grant", ServerToServer.SF_NOT_ON_THIS_DOMAIN);
        assertError(post("/test", ccForm(CC_KEY, CC_SECRET)), "invalid_grant", ServerToServer.SF_NOT_ON_THIS_DOMAIN);
        assertThat(engine.mints(SF, ServerToServer.CLIENT_CREDENTIALS)).isZero();
    }

    @Test
    void malloryWithAWrongSecretOrUnknownKeyIsRefused() {
        assertError(post("/my/acme", ccForm(CC_KEY, "guessed")), "invalid_client", ServerToServer.SF_BAD_SECRET);
        assertError(post("/my/acme", ccForm(CC_KEY, null)), "invalid_client", ServerToServer.SF_BAD_SECRET);
        assertError(post("/my/acme", ccForm("3MVG9-unknown", CC_SECRET)), "invalid_client_id",
                ServerToServer.SF_UNKNOWN_CLIENT);
        assertError(post("/my/acme", ccForm(KEY, "anything")), "invalid_grant", ServerToServer.SF_NO_CC_USER);
        assertThat(engine.mints(SF, ServerToServer.CLIENT_CREDENTIALS)).isZero();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static Map<String, Object> claims(String iss, String sub, String aud, long exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", iss);
        claims.put("sub", sub);
        claims.put("aud", aud);
        claims.put("exp", exp);
        return claims;
    }

    private Reply jwt(KeyPair key, Map<String, Object> claims, String host) {
        return post(host, form(SandboxKeys.signRs256(key.getPrivate(), Map.of(), claims)));
    }

    private static Map<String, String> form(String assertion) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", ServerToServer.JWT_BEARER);
        if (assertion != null) {
            form.put("assertion", assertion);
        }
        return form;
    }

    private static Map<String, String> ccForm(String id, String secret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", id);
        if (secret != null) {
            form.put("client_secret", secret);
        }
        return form;
    }

    private Reply post(String host, Map<String, String> form) {
        return engine.handle(SF, "POST", host + "/services/oauth2/token", Map.of(), form, Map.of());
    }

    private Reply query(String token) {
        return engine.handle(SF, "GET", "/instance/services/data/v62.0/query", Map.of("q", QUERY), Map.of(),
                Map.of("authorization", "Bearer " + token));
    }

    private void assertNoMint() {
        assertThat(engine.mints(SF, ServerToServer.JWT_BEARER)).isZero();
    }

    private static void assertError(Reply reply, String error, String description) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(json(reply).path("error").asText()).isEqualTo(error);
        assertThat(json(reply).path("error_description").asText()).isEqualTo(description);
    }

    private static String b64(String value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
