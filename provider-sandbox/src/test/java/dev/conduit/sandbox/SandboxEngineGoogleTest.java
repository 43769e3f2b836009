package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.assertOAuthError;
import static dev.conduit.sandbox.SandboxFixture.authParams;
import static dev.conduit.sandbox.SandboxFixture.json;
import static dev.conduit.sandbox.SandboxFixture.jwtPayload;
import static dev.conduit.sandbox.SandboxFixture.redirectParams;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class SandboxEngineGoogleTest {

    private static final Provider G = Provider.GOOGLE;
    private static final String CALENDAR = "https://www.googleapis.com/auth/calendar.readonly";

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;

    // ---- refresh tokens and consent ------------------------------------------------------------

    @Test
    void onlineAccessNeverGetsARefreshToken() {
        JsonNode tokens = sandbox.login(G, authParams("openid email", "prompt", "consent"));

        assertThat(tokens.has("refresh_token")).isFalse();
    }

    @Test
    void refreshTokenOnlyOnTheFirstOfflineConsentUnlessPromptIsConsent() {
        JsonNode first = sandbox.login(G, authParams("openid email", "access_type", "offline"));
        assertThat(first.path("refresh_token").asText()).isNotEmpty();

        JsonNode second = sandbox.login(G, authParams("openid email", "access_type", "offline"));
        assertThat(second.has("refresh_token")).isFalse();
        assertThat(second.path("access_token").asText()).isNotEmpty();

        JsonNode third = sandbox.login(G, authParams("openid email", "access_type", "offline", "prompt", "consent"));
        assertThat(third.path("refresh_token").asText()).isNotEmpty().isNotEqualTo(first.path("refresh_token").asText());
    }

    @Test
    void firstOfflineConsentIsTrackedPerAccount() {
        sandbox.login(G, authParams("openid", "access_type", "offline"), Accounts.GOOGLE_ALAN);

        JsonNode otherAccount = sandbox.login(G, authParams("openid", "access_type", "offline"), Accounts.GOOGLE_ADA);

        assertThat(otherAccount.path("refresh_token").asText()).isNotEmpty();
    }

    @Test
    void promptConsentOnTheAuthorizePageIsCounted() {
        sandbox.authorize(G, authParams("openid"));
        sandbox.authorize(G, authParams("openid", "prompt", "consent"));
        sandbox.authorize(G, authParams("openid", "prompt", "select_account consent"));

        assertThat(engine.consentPrompts(G)).isEqualTo(2);
        assertThat(engine.calls(G, Endpoint.AUTHORIZE)).isEqualTo(3);
    }

    @Test
    void includeGrantedScopesMergesEarlierGrantedScopes() {
        sandbox.login(G, authParams("openid email"));

        JsonNode merged = sandbox.login(G, authParams(CALENDAR, "include_granted_scopes", "true"));

        assertThat(merged.path("scope").asText().split(" ")).containsExactlyInAnyOrder("openid", "email", CALENDAR);
    }

    @Test
    void withoutIncludeGrantedScopesOnlyTheRequestedScopesAreGranted() {
        sandbox.login(G, authParams("openid email"));

        JsonNode tokens = sandbox.login(G, authParams(CALENDAR));

        assertThat(tokens.path("scope").asText().split(" ")).containsExactly(CALENDAR);
    }

    @Test
    void refreshDoesNotRotateAndReturnsNoRefreshToken() {
        String refreshToken = sandbox.login(G, authParams("openid", "access_type", "offline")).path("refresh_token").asText();

        for (int i = 0; i < 2; i++) {
            Reply reply = sandbox.refresh(G, refreshToken);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(json(reply).has("refresh_token")).isFalse();
            assertThat(json(reply).path("expires_in").asLong()).isEqualTo(3600);
        }
    }

    // ---- id token --------------------------------------------------------------------------------

    @Test
    void idTokenNamesTheIssuerTheClientTheNonceAndTheHostedDomain() throws Exception {
        String nonce = UUID.randomUUID().toString();
        JsonNode tokens = sandbox.login(G, authParams("openid email", "nonce", nonce), Accounts.GOOGLE_ALAN);

        String idToken = tokens.path("id_token").asText();
        JsonNode claims = jwtPayload(idToken);
        assertThat(claims.path("iss").asText()).isEqualTo(engine.issuer(G));
        assertThat(claims.path("aud").asText()).isEqualTo(SandboxFixture.CLIENT_ID);
        assertThat(claims.path("nonce").asText()).isEqualTo(nonce);
        assertThat(claims.path("sub").asText()).isEqualTo(Accounts.GOOGLE_ALAN.userId());
        assertThat(claims.path("email").asText()).isEqualTo(Accounts.GOOGLE_ALAN.email());
        assertThat(claims.path("hd").asText()).isEqualTo("acme.example");
        assertThat(claims.path("exp").asLong()).isEqualTo(SandboxFixture.NOW.getEpochSecond() + 3600);
        assertThat(verifiesAgainstJwks(idToken)).isTrue();
    }

    @Test
    void idTokenSignatureDoesNotVerifyOnceThePayloadIsAltered() throws Exception {
        String idToken = sandbox.login(G, authParams("openid")).path("id_token").asText();
        String[] parts = idToken.split("\\.");
        String forgedPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace(Accounts.GOOGLE_ALAN.userId(), Accounts.GOOGLE_ADA.userId())
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(verifiesAgainstJwks(parts[0] + "." + forgedPayload + "." + parts[2])).isFalse();
    }

    @Test
    void personalAccountIdTokenHasNoHostedDomain() {
        JsonNode tokens = sandbox.login(G, authParams("openid email"), Accounts.GOOGLE_PERSONAL);

        JsonNode claims = jwtPayload(tokens.path("id_token").asText());
        assertThat(claims.path("sub").asText()).isEqualTo(Accounts.GOOGLE_PERSONAL.userId());
        assertThat(claims.has("hd")).isFalse();
        assertThat(claims.has("nonce")).isFalse();
    }

    @Test
    void noIdTokenWithoutTheOpenidScope() {
        assertThat(sandbox.login(G, authParams("email")).has("id_token")).isFalse();
    }

    @Test
    void nextGoogleIdTokenIssuerAppliesToOneIdTokenOnly() {
        engine.nextGoogleIdTokenIssuer("https://accounts.evil.example");

        JsonNode forged = jwtPayload(sandbox.login(G, authParams("openid")).path("id_token").asText());
        JsonNode next = jwtPayload(sandbox.login(G, authParams("openid")).path("id_token").asText());

        assertThat(forged.path("iss").asText()).isEqualTo("https://accounts.evil.example");
        assertThat(next.path("iss").asText()).isEqualTo(engine.issuer(G));
    }

    @Test
    void authorizationResponseCarriesTheIssuer() {
        Reply reply = sandbox.decide(G, authParams("openid"), Accounts.GOOGLE_ALAN, "allow");

        assertThat(redirectParams(reply)).containsEntry("iss", engine.issuer(G));
    }

    // ---- revocation, expiry, identity -------------------------------------------------------------

    @Test
    void revokingTheRefreshTokenEndsTheGrant() {
        JsonNode tokens = sandbox.login(G, authParams("openid", "access_type", "offline"));
        String refreshToken = tokens.path("refresh_token").asText();
        String refreshedAccessToken = json(sandbox.refresh(G, refreshToken)).path("access_token").asText();
        assertThat(engine.accessTokenActive(refreshedAccessToken)).isTrue();

        Reply revoke = engine.handle(G, "POST", "/revoke", Map.of(), Map.of("token", refreshToken), Map.of());

        assertThat(revoke.status()).isEqualTo(200);
        assertOAuthError(sandbox.refresh(G, refreshToken), 400, "invalid_grant");
        assertThat(engine.accessTokenActive(tokens.path("access_token").asText())).isFalse();
        assertThat(engine.accessTokenActive(refreshedAccessToken)).isFalse();
        assertThat(engine.refreshTokenActive(refreshToken)).isFalse();
    }

    @Test
    void revokingAnUnknownTokenIsAnError() {
        Reply reply = engine.handle(G, "POST", "/revoke", Map.of(), Map.of("token", "nope"), Map.of());

        assertOAuthError(reply, 400, "invalid_token");
    }

    @Test
    void accessTokenExpiresAfterAnHourAndUserinfoThenAnswersAnError() {
        String accessToken = sandbox.login(G, authParams("openid email")).path("access_token").asText();
        assertThat(userinfo(accessToken).status()).isEqualTo(200);

        engine.advanceClock(Duration.ofSeconds(3599));
        assertThat(engine.accessTokenActive(accessToken)).isTrue();

        engine.advanceClock(Duration.ofSeconds(2));
        assertThat(engine.accessTokenActive(accessToken)).isFalse();
        assertOAuthError(userinfo(accessToken), 400, "invalid_token");
    }

    @Test
    void userinfoAndTokeninfoDescribeTheAccount() {
        String accessToken = sandbox.login(G, authParams("openid email"), Accounts.GOOGLE_ALAN)
                .path("access_token").asText();

        JsonNode userinfo = json(userinfo(accessToken));
        Reply tokeninfo = engine.handle(G, "GET", "/tokeninfo", Map.of("access_token", accessToken), Map.of(), Map.of());

        assertThat(userinfo.path("sub").asText()).isEqualTo(Accounts.GOOGLE_ALAN.userId());
        assertThat(userinfo.path("email").asText()).isEqualTo(Accounts.GOOGLE_ALAN.email());
        assertThat(userinfo.path("hd").asText()).isEqualTo("acme.example");
        assertThat(tokeninfo.status()).isEqualTo(200);
        assertThat(json(tokeninfo).path("aud").asText()).isEqualTo(SandboxFixture.CLIENT_ID);
        assertThat(json(tokeninfo).path("scope").asText()).isEqualTo("openid email");
    }

    @Test
    void accessTokenOfAnotherProviderIsNotAcceptedByUserinfo() {
        String salesforceToken = sandbox.login(Provider.SALESFORCE, authParams("api")).path("access_token").asText();

        assertThat(userinfo(salesforceToken).status()).isEqualTo(400);
    }

    private Reply userinfo(String accessToken) {
        return engine.handle(G, "GET", "/v1/userinfo", Map.of(), Map.of(),
                Map.of("authorization", "Bearer " + accessToken));
    }

    private boolean verifiesAgainstJwks(String jwt) throws Exception {
        Reply certs = engine.handle(G, "GET", "/oauth2/v3/certs", Map.of(), Map.of(), Map.of());
        JsonNode key = json(certs).path("keys").get(0);
        String[] parts = jwt.split("\\.");
        JsonNode header = json(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(header.path("kid").asText()).isEqualTo(key.path("kid").asText());
        PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, Base64.getUrlDecoder().decode(key.path("n").asText())),
                new BigInteger(1, Base64.getUrlDecoder().decode(key.path("e").asText()))));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initVerify(publicKey);
        signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return signature.verify(Base64.getUrlDecoder().decode(parts[2]));
    }

}
