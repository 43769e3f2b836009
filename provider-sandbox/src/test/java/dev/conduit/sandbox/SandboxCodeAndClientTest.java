package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.assertOAuthError;
import static dev.conduit.sandbox.SandboxFixture.authParams;
import static dev.conduit.sandbox.SandboxFixture.json;
import static dev.conduit.sandbox.SandboxFixture.offlineParams;
import static dev.conduit.sandbox.SandboxFixture.redirectParams;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/** Behaviour shared by the three providers: codes, redirect URIs, PKCE, client authentication, counting. */
class SandboxCodeAndClientTest {

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;

    // ---- single-use codes --------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Provider.class)
    void secondRedemptionOfACodeIsRefusedAndRevokesTheTokensIssuedFromIt(Provider provider) {
        String code = sandbox.code(provider, offlineParams(provider), SandboxFixture.accountOf(provider));
        Reply first = sandbox.redeem(provider, code);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String accessToken = json(first).path("access_token").asText();
        String refreshToken = json(first).path("refresh_token").asText();
        assertThat(engine.accessTokenActive(accessToken)).isTrue();
        assertThat(engine.refreshTokenActive(refreshToken)).isTrue();

        assertOAuthError(sandbox.redeem(provider, code), 400, "invalid_grant");

        assertThat(engine.accessTokenActive(accessToken)).isFalse();
        assertThat(engine.refreshTokenActive(refreshToken)).isFalse();
        assertOAuthError(sandbox.refresh(provider, refreshToken), 400, "invalid_grant");
    }

    @Test
    void replayedCodeAlsoRevokesTokensObtainedLaterByRefreshing() {
        Provider provider = Provider.GOOGLE;
        String code = sandbox.code(provider, offlineParams(provider), Accounts.GOOGLE_ALAN);
        JsonNode first = json(sandbox.redeem(provider, code));
        Reply refreshed = sandbox.refresh(provider, first.path("refresh_token").asText());
        String laterAccessToken = json(refreshed).path("access_token").asText();
        assertThat(engine.accessTokenActive(laterAccessToken)).isTrue();

        sandbox.redeem(provider, code);

        assertThat(engine.accessTokenActive(laterAccessToken)).isFalse();
    }

    @Test
    void expiredCodeIsRefused() {
        String code = sandbox.code(Provider.SALESFORCE, authParams("api"), Accounts.SALESFORCE_ADA);
        engine.advanceClock(Duration.ofSeconds(301));

        assertOAuthError(sandbox.redeem(Provider.SALESFORCE, code), 400, "invalid_grant");
    }

    @Test
    void codeIsBoundToTheProviderThatIssuedIt() {
        String googleCode = sandbox.code(Provider.GOOGLE, authParams("openid email"), Accounts.GOOGLE_ALAN);

        assertOAuthError(sandbox.redeem(Provider.HUBSPOT, googleCode), 400, "invalid_grant");
    }

    @Test
    void codeIsBoundToTheClientThatRequestedIt() {
        String otherSecret = UUID.randomUUID().toString();
        engine.register(new SandboxClient(Provider.SALESFORCE, "other-client", otherSecret,
                List.of(SandboxFixture.REDIRECT_URI)));
        String code = sandbox.code(Provider.SALESFORCE, authParams("api"), Accounts.SALESFORCE_ADA);

        Reply reply = sandbox.redeem(Provider.SALESFORCE, code, "client_id", "other-client", "client_secret", otherSecret);

        assertOAuthError(reply, 400, "invalid_grant");
    }

    @Test
    void deniedConsentRedirectsWithAccessDeniedAndTheStateButNoCode() {
        Map<String, String> params = authParams("api");

        Map<String, String> redirect = redirectParams(
                sandbox.decide(Provider.SALESFORCE, params, Accounts.SALESFORCE_ADA, "deny"));

        assertThat(redirect).containsEntry("error", "access_denied").containsEntry("state", params.get("state"))
                .doesNotContainKey("code");
    }

    // ---- redirect URIs -----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/cb/", "http://localhost/cb?x=1", "https://localhost/cb",
            "http://localhost/CB", "http://evil.example/cb"})
    void authorizeWithAnUnregisteredRedirectUriShowsAnErrorPageAndDoesNotRedirect(String redirectUri) {
        Map<String, String> params = authParams("api", "redirect_uri", redirectUri);

        for (Reply reply : List.of(sandbox.authorize(Provider.SALESFORCE, params),
                sandbox.decide(Provider.SALESFORCE, params, Accounts.SALESFORCE_ADA, "allow"))) {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.contentType()).startsWith("text/html");
            assertThat(reply.body()).contains("redirect_uri_mismatch");
            assertThat(reply.headers()).doesNotContainKey("Location");
        }
    }

    @Test
    void authorizeWithAnUnknownClientIsRefusedWithoutRedirect() {
        Reply reply = sandbox.authorize(Provider.HUBSPOT, authParams("oauth", "client_id", "nobody"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).contains("invalid_client");
        assertThat(reply.headers()).doesNotContainKey("Location");
    }

    @Test
    void registeredRedirectUriGetsTheConsentPage() {
        Reply reply = sandbox.authorize(Provider.SALESFORCE, authParams("api"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).contains(Accounts.SALESFORCE_ADA.userId(), "decision");
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void tokenRequestWithADifferentRedirectUriIsInvalidGrant(Provider provider) {
        String code = sandbox.code(provider, offlineParams(provider), SandboxFixture.accountOf(provider));

        assertOAuthError(sandbox.redeem(provider, code, "redirect_uri", "http://localhost/cb/"), 400, "invalid_grant");
    }

    @Test
    void tokenRequestWithoutRedirectUriIsInvalidGrant() {
        String code = sandbox.code(Provider.GOOGLE, authParams("openid"), Accounts.GOOGLE_ALAN);
        Map<String, String> form = sandbox.clientForm(Provider.GOOGLE);
        form.put("grant_type", "authorization_code");
        form.put("code", code);

        assertOAuthError(sandbox.token(Provider.GOOGLE, form, Map.of()), 400, "invalid_grant");
    }

    // ---- PKCE --------------------------------------------------------------------------------

    @Test
    void salesforceWithoutVerifierIsInvalidGrant() {
        String code = sandbox.code(Provider.SALESFORCE, pkceParams(SandboxFixture.newVerifier()), Accounts.SALESFORCE_ADA);

        assertOAuthError(sandbox.redeem(Provider.SALESFORCE, code), 400, "invalid_grant");
    }

    @Test
    void salesforceWithWrongVerifierIsInvalidRequest() {
        String code = sandbox.code(Provider.SALESFORCE, pkceParams(SandboxFixture.newVerifier()), Accounts.SALESFORCE_ADA);

        Reply reply = sandbox.redeem(Provider.SALESFORCE, code, "code_verifier", SandboxFixture.newVerifier());

        assertOAuthError(reply, 400, "invalid_request");
    }

    @Test
    void googleWithWrongVerifierIsInvalidGrant() {
        String code = sandbox.code(Provider.GOOGLE, pkceParams(SandboxFixture.newVerifier()), Accounts.GOOGLE_ALAN);

        Reply reply = sandbox.redeem(Provider.GOOGLE, code, "code_verifier", SandboxFixture.newVerifier());

        assertOAuthError(reply, 400, "invalid_grant");
    }

    @Test
    void googleWithoutVerifierIsInvalidGrant() {
        String code = sandbox.code(Provider.GOOGLE, pkceParams(SandboxFixture.newVerifier()), Accounts.GOOGLE_ALAN);

        assertOAuthError(sandbox.redeem(Provider.GOOGLE, code), 400, "invalid_grant");
    }

    @ParameterizedTest
    @EnumSource(value = Provider.class, names = {"SALESFORCE", "GOOGLE"})
    void rightS256VerifierIsAccepted(Provider provider) {
        String verifier = SandboxFixture.newVerifier();
        String code = sandbox.code(provider, pkceParams(verifier), SandboxFixture.accountOf(provider));

        Reply reply = sandbox.redeem(provider, code, "code_verifier", verifier);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(json(reply).path("access_token").asText()).isNotEmpty();
    }

    @Test
    void unsupportedChallengeMethodIsRedirectedAsInvalidRequest() {
        Map<String, String> params = authParams("openid", "code_challenge", "abc", "code_challenge_method", "S512");

        assertThat(redirectParams(sandbox.authorize(Provider.GOOGLE, params))).containsEntry("error", "invalid_request");
    }

    private static Map<String, String> pkceParams(String verifier) {
        return authParams("openid api", "code_challenge", SandboxFixture.s256(verifier), "code_challenge_method", "S256");
    }

    // ---- client authentication ---------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Provider.class)
    void wrongClientSecretIsInvalidClient(Provider provider) {
        String code = sandbox.code(provider, offlineParams(provider), SandboxFixture.accountOf(provider));

        Reply reply = sandbox.redeem(provider, code, "client_secret", UUID.randomUUID().toString());

        assertOAuthError(reply, 401, "invalid_client");
    }

    @Test
    void missingClientSecretIsInvalidClient() {
        Map<String, String> form = Map.of("grant_type", "refresh_token", "refresh_token", "x", "client_id",
                SandboxFixture.CLIENT_ID);

        assertOAuthError(sandbox.token(Provider.SALESFORCE, form, Map.of()), 401, "invalid_client");
    }

    @Test
    void wrongSecretInHttpBasicIsInvalidClient() {
        String code = sandbox.code(Provider.GOOGLE, authParams("openid"), Accounts.GOOGLE_ALAN);
        Map<String, String> form = Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", SandboxFixture.REDIRECT_URI);

        Reply reply = sandbox.token(Provider.GOOGLE, form,
                Map.of("authorization", basic(SandboxFixture.CLIENT_ID, UUID.randomUUID().toString())));

        assertOAuthError(reply, 401, "invalid_client");
    }

    @Test
    void rightSecretInHttpBasicIsAccepted() {
        String code = sandbox.code(Provider.GOOGLE, authParams("openid"), Accounts.GOOGLE_ALAN);
        Map<String, String> form = Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", SandboxFixture.REDIRECT_URI);

        Reply reply = sandbox.token(Provider.GOOGLE, form,
                Map.of("authorization", basic(SandboxFixture.CLIENT_ID, sandbox.client(Provider.GOOGLE).clientSecret())));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void basicCredentialsTakePrecedenceOverAWrongFormSecret() {
        String code = sandbox.code(Provider.SALESFORCE, authParams("api"), Accounts.SALESFORCE_ADA);
        Map<String, String> form = Map.of("grant_type", "authorization_code", "code", code,
                "redirect_uri", SandboxFixture.REDIRECT_URI, "client_id", SandboxFixture.CLIENT_ID,
                "client_secret", UUID.randomUUID().toString());

        Reply reply = sandbox.token(Provider.SALESFORCE, form, Map.of("authorization",
                basic(SandboxFixture.CLIENT_ID, sandbox.client(Provider.SALESFORCE).clientSecret())));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void malformedBasicHeaderIsInvalidClient() {
        Map<String, String> form = Map.of("grant_type", "refresh_token", "refresh_token", "x");

        Reply reply = sandbox.token(Provider.SALESFORCE, form, Map.of("authorization", "Basic %%%not-base64"));

        assertOAuthError(reply, 401, "invalid_client");
    }

    @Test
    void secretOfTheSameClientIdAtAnotherProviderIsRejected() {
        String code = sandbox.code(Provider.HUBSPOT, authParams("oauth"), Accounts.HUBSPOT_GRACE);

        Reply reply = sandbox.redeem(Provider.HUBSPOT, code, "client_secret",
                sandbox.client(Provider.GOOGLE).clientSecret());

        assertOAuthError(reply, 401, "invalid_client");
    }

    @Test
    void unsupportedGrantTypeIsRefused() {
        Map<String, String> form = sandbox.clientForm(Provider.GOOGLE);
        form.put("grant_type", "password");

        assertOAuthError(sandbox.token(Provider.GOOGLE, form, Map.of()), 400, "unsupported_grant_type");
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    // ---- counting ----------------------------------------------------------------------------

    @Test
    void tokenCallsAreCountedPerGrantTypeAndEndpointCallsPerEndpoint() {
        JsonNode tokens = sandbox.login(Provider.SALESFORCE, offlineParams(Provider.SALESFORCE));
        engine.rotateRefreshTokens(Provider.SALESFORCE, false);
        String refreshToken = tokens.path("refresh_token").asText();
        sandbox.refresh(Provider.SALESFORCE, refreshToken);
        sandbox.refresh(Provider.SALESFORCE, refreshToken);
        sandbox.refresh(Provider.SALESFORCE, "unknown");
        sandbox.refresh(Provider.GOOGLE, "unknown");

        assertThat(engine.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(3);
        assertThat(engine.tokenCalls(Provider.SALESFORCE, "authorization_code")).isEqualTo(1);
        assertThat(engine.calls(Provider.SALESFORCE, Endpoint.TOKEN)).isEqualTo(4);
        assertThat(engine.calls(Provider.SALESFORCE, Endpoint.AUTHORIZE)).isEqualTo(1);
        assertThat(engine.tokenCalls(Provider.GOOGLE, "refresh_token")).isEqualTo(1);
        assertThat(engine.calls(Provider.GOOGLE, Endpoint.TOKEN)).isEqualTo(1);
        assertThat(engine.calls(Provider.HUBSPOT, Endpoint.TOKEN)).isZero();

        engine.resetCounts();

        assertThat(engine.tokenCalls(Provider.SALESFORCE, "refresh_token")).isZero();
        assertThat(engine.calls(Provider.SALESFORCE, Endpoint.TOKEN)).isZero();
    }

    @Test
    void failedTokenCallsAreCountedToo() {
        Map<String, String> form = Map.of("grant_type", "refresh_token", "refresh_token", "x",
                "client_id", SandboxFixture.CLIENT_ID, "client_secret", UUID.randomUUID().toString());

        sandbox.token(Provider.HUBSPOT, form, Map.of());

        assertThat(engine.tokenCalls(Provider.HUBSPOT, "refresh_token")).isEqualTo(1);
        assertThat(engine.calls(Provider.HUBSPOT, Endpoint.TOKEN)).isEqualTo(1);
    }
}
