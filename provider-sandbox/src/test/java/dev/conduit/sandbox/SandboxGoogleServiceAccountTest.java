package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Google service accounts with domain-wide delegation, as providers.md describes them. */
class SandboxGoogleServiceAccountTest {

    private static final Provider G = Provider.GOOGLE;
    private static final String CALENDAR = "https://www.googleapis.com/auth/calendar.readonly";
    private static final String GMAIL = "https://www.googleapis.com/auth/gmail.send";

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;
    private final ServerToServer s2s = engine.serverToServer();
    private final GoogleServiceAccount account = s2s.registerGoogleServiceAccount("acme-sync", "conduit",
            "acme.example", Set.of(CALENDAR));
    private final long now = engine.now();

    @Test
    void theJsonKeyFileHasTheConsoleFieldsAndItsKeySignsAnAcceptedAssertion() throws Exception {
        JsonNode file = json(account.jsonKeyFile());
        assertThat(file.path("type").asText()).isEqualTo("service_account");
        assertThat(file.path("project_id").asText()).isEqualTo("acme-sync");
        assertThat(file.path("client_email").asText()).isEqualTo("conduit@acme-sync.iam.gserviceaccount.com");
        assertThat(file.path("client_id").asText()).matches("\\d{21}");
        assertThat(file.path("private_key_id").asText()).matches("[0-9a-f]{40}");
        assertThat(file.path("token_uri").asText()).isEqualTo(s2s.googleTokenUrl());
        assertThat(account.toString()).doesNotContain("PRIVATE");

        // as Conduit will: read the PKCS#8 PEM from the file and sign with it
        String pem = file.path("private_key").asText();
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
        byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", ""));
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        Reply reply = post(SandboxKeys.signRs256(key, Map.of("kid", file.path("private_key_id").asText()),
                claims(Accounts.GOOGLE_ALAN.email(), CALENDAR, now, now + 3600)));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void aDelegatedTokenHasExpiresIn3599NoRefreshTokenAndReadsTheSubjectsCalendar() {
        JsonNode body = json(expectOk(assertion(Accounts.GOOGLE_ALAN.email(), CALENDAR, now, now + 3600)));

        assertThat(body.path("access_token").asText()).startsWith("ya29.");
        assertThat(body.path("expires_in").asLong()).isEqualTo(3599);
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.has("refresh_token")).isFalse();
        assertThat(engine.mints(G, ServerToServer.JWT_BEARER)).isEqualTo(1);

        Reply events = calendar(body.path("access_token").asText());
        assertThat(events.status()).as(events.body()).isEqualTo(200);
        assertThat(json(events).path("summary").asText()).isEqualTo(Accounts.GOOGLE_ALAN.email());

        engine.advanceClock(Duration.ofSeconds(3600));
        assertThat(calendar(body.path("access_token").asText()).status()).isEqualTo(401);
    }

    @Test
    void anotherKeyOfTheAccountWorksAndADeletedKeyIsRefused() {
        GoogleServiceAccount next = s2s.addGoogleServiceAccountKey(account.clientEmail());
        assertThat(next.privateKeyId()).isNotEqualTo(account.privateKeyId());

        expectOk(signed(next, claims(Accounts.GOOGLE_ADA.email(), CALENDAR, now, now + 600)));
        expectOk(assertion(Accounts.GOOGLE_ADA.email(), CALENDAR, now, now + 600));

        s2s.deleteGoogleServiceAccountKey(account.clientEmail(), account.privateKeyId());
        assertError(assertion(Accounts.GOOGLE_ADA.email(), CALENDAR, now, now + 600), 400, "invalid_grant",
                ServerToServer.G_BAD_SIGNATURE);
    }

    @Test
    void aScopeNotDelegatedIsAnUnauthorizedClient() {
        assertError(assertion(Accounts.GOOGLE_ALAN.email(), CALENDAR + " " + GMAIL, now, now + 600), 401,
                "unauthorized_client", ServerToServer.G_UNAUTHORIZED);

        s2s.delegateGoogleScopes(account.clientEmail(), Set.of(CALENDAR, GMAIL));
        expectOk(assertion(Accounts.GOOGLE_ALAN.email(), CALENDAR + " " + GMAIL, now, now + 600));
    }

    @Test
    void mallorysSubjectOutsideTheDomainIsAnUnauthorizedClient() {
        assertError(assertion(Accounts.GOOGLE_PERSONAL.email(), CALENDAR, now, now + 600), 401, "unauthorized_client",
                ServerToServer.G_UNAUTHORIZED);
        assertError(assertion("mallory@evil.example", CALENDAR, now, now + 600), 401, "unauthorized_client",
                ServerToServer.G_UNAUTHORIZED);
        assertThat(engine.mints(G, ServerToServer.JWT_BEARER)).isZero();
    }

    @Test
    void anUnknownUserOfTheDomainIsAnInvalidGrant() {
        assertError(assertion("nobody@acme.example", CALENDAR, now, now + 600), 400, "invalid_grant",
                ServerToServer.G_UNKNOWN_USER);
    }

    @Test
    void trudysOwnKeyAnUnknownKidOrAlgNoneIsABadSignature() {
        GoogleServiceAccount trudys = new GoogleServiceAccount("acme-sync", account.clientEmail(), account.clientId(),
                account.privateKeyId(), SandboxKeys.rsaKeyPair(), s2s.googleTokenUrl());
        Map<String, Object> claims = claims(Accounts.GOOGLE_ALAN.email(), CALENDAR, now, now + 600);

        assertError(signed(trudys, claims), 400, "invalid_grant", ServerToServer.G_BAD_SIGNATURE);
        assertError(SandboxKeys.signRs256(account.privateKey(), Map.of("kid", "0".repeat(40)), claims), 400,
                "invalid_grant", ServerToServer.G_BAD_SIGNATURE);
        assertError(SandboxKeys.signRs256(account.privateKey(), Map.of(), claims), 400, "invalid_grant",
                ServerToServer.G_BAD_SIGNATURE);
        String[] parts = signed(account, claims).split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"alg\":\"none\",\"kid\":\"" + account.privateKeyId() + "\"}").getBytes());
        assertError(none + "." + parts[1] + ".", 400, "invalid_grant", ServerToServer.G_BAD_SIGNATURE);
        assertError("garbage", 400, "invalid_grant", ServerToServer.G_BAD_SIGNATURE);
        assertThat(engine.mints(G, ServerToServer.JWT_BEARER)).isZero();
    }

    @Test
    void anUnknownServiceAccountIsAnInvalidGrant() {
        Map<String, Object> claims = claims(Accounts.GOOGLE_ALAN.email(), CALENDAR, now, now + 600);
        claims.put("iss", "other@acme-sync.iam.gserviceaccount.com");

        assertError(signed(account, claims), 400, "invalid_grant", ServerToServer.G_UNKNOWN_ACCOUNT);
    }

    @Test
    void theAudienceMustBeTheTokenUrl() {
        Map<String, Object> claims = claims(Accounts.GOOGLE_ALAN.email(), CALENDAR, now, now + 600);
        claims.put("aud", "https://oauth2.googleapis.com/token");

        assertError(signed(account, claims), 400, "invalid_grant", ServerToServer.G_BAD_AUDIENCE);
    }

    @Test
    void anExpiredTooLongOrFutureAssertionIsRefused() {
        String alan = Accounts.GOOGLE_ALAN.email();
        assertError(assertion(alan, CALENDAR, now - 3600, now), 400, "invalid_grant", ServerToServer.G_BAD_TIMES);
        assertError(assertion(alan, CALENDAR, now, now + 3601), 400, "invalid_grant", ServerToServer.G_BAD_TIMES);
        assertError(assertion(alan, CALENDAR, now + 60, now + 600), 400, "invalid_grant", ServerToServer.G_BAD_TIMES);
        Map<String, Object> noIat = claims(alan, CALENDAR, now, now + 600);
        noIat.remove("iat");
        assertError(signed(account, noIat), 400, "invalid_grant", ServerToServer.G_BAD_TIMES);
    }

    @Test
    void anEmptyScopeIsAnInvalidScope() {
        assertError(assertion(Accounts.GOOGLE_ALAN.email(), " ", now, now + 600), 400, "invalid_scope",
                ServerToServer.G_NO_SCOPE);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private Map<String, Object> claims(String sub, String scope, long iat, long exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", account.clientEmail());
        claims.put("sub", sub);
        claims.put("scope", scope);
        claims.put("aud", s2s.googleTokenUrl());
        claims.put("iat", iat);
        claims.put("exp", exp);
        return claims;
    }

    private String assertion(String sub, String scope, long iat, long exp) {
        return signed(account, claims(sub, scope, iat, exp));
    }

    private static String signed(GoogleServiceAccount key, Map<String, Object> claims) {
        return SandboxKeys.signRs256(key.privateKey(), Map.of("kid", key.privateKeyId()), claims);
    }

    private Reply post(String assertion) {
        return engine.handle(G, "POST", "/token", Map.of(), Map.of("grant_type", ServerToServer.JWT_BEARER,
                "assertion", assertion), Map.of());
    }

    private Reply expectOk(String assertion) {
        Reply reply = post(assertion);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply;
    }

    private Reply calendar(String token) {
        return engine.handle(G, "GET", "/calendar/v3/calendars/primary/events", Map.of(), Map.of(),
                Map.of("authorization", "Bearer " + token));
    }

    private void assertError(String assertion, int status, String error, String description) {
        Reply reply = post(assertion);
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(json(reply).path("error").asText()).isEqualTo(error);
        assertThat(json(reply).path("error_description").asText()).isEqualTo(description);
    }
}
