package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.assertOAuthError;
import static dev.conduit.sandbox.SandboxFixture.authParams;
import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

class SandboxEngineSalesforceTest {

    private static final Provider SF = Provider.SALESFORCE;

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;

    @Test
    void tokenResponseCarriesInstanceUrlIdentityUrlIssuedAtAndSignature() throws Exception {
        JsonNode tokens = sandbox.login(SF, authParams("api"), Accounts.SALESFORCE_CHARLES);

        assertThat(tokens.path("instance_url").asText()).isEqualTo(engine.instanceUrl());
        String id = tokens.path("id").asText();
        assertThat(id).startsWith("http").endsWith("/id/" + Accounts.SALESFORCE_ORG + "/"
                + Accounts.SALESFORCE_CHARLES.userId());
        assertThat(tokens.path("issued_at").isTextual()).isTrue();
        assertThat(tokens.path("issued_at").asText()).isEqualTo(String.valueOf(SandboxFixture.NOW.toEpochMilli()));
        assertThat(tokens.path("token_type").asText()).isEqualTo("Bearer");

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(sandbox.client(SF).clientSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(
                mac.doFinal((id + tokens.path("issued_at").asText()).getBytes(StandardCharsets.UTF_8)));
        assertThat(tokens.path("signature").asText()).isEqualTo(expected);
    }

    @Test
    void tokenResponseHasNoExpiresIn() {
        JsonNode tokens = sandbox.login(SF, authParams("api refresh_token"));

        assertThat(tokens.has("expires_in")).isFalse();
    }

    @Test
    void noRefreshTokenWithoutTheRefreshTokenScope() {
        JsonNode tokens = sandbox.login(SF, authParams("api id"));

        assertThat(tokens.has("access_token")).isTrue();
        assertThat(tokens.has("refresh_token")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"api refresh_token", "refresh_token", "api offline_access"})
    void refreshTokenWhenTheScopeAsksForIt(String scope) {
        JsonNode tokens = sandbox.login(SF, authParams(scope));

        assertThat(tokens.path("refresh_token").asText()).isNotEmpty();
        assertThat(engine.refreshTokenActive(tokens.path("refresh_token").asText())).isTrue();
    }

    @Test
    void identityUrlServesTheUserWithTheAccessToken() {
        JsonNode tokens = sandbox.login(SF, authParams("api"));
        String idPath = tokens.path("id").asText().substring(engine.issuer(SF).length());

        Reply reply = engine.handle(SF, "GET", idPath, Map.of(), Map.of(),
                Map.of("authorization", "Bearer " + tokens.path("access_token").asText()));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(json(reply).path("user_id").asText()).isEqualTo(Accounts.SALESFORCE_ADA.userId());
        assertThat(json(reply).path("organization_id").asText()).isEqualTo(Accounts.SALESFORCE_ORG);
        assertThat(engine.handle(SF, "GET", idPath, Map.of(), Map.of(), Map.of("authorization", "Bearer nope")).status())
                .isEqualTo(401);
    }

    @Test
    void refreshRotatesTheRefreshToken() {
        String original = sandbox.login(SF, authParams("api refresh_token")).path("refresh_token").asText();

        Reply reply = sandbox.refresh(SF, original);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        String next = json(reply).path("refresh_token").asText();
        assertThat(next).isNotEmpty().isNotEqualTo(original);
        assertThat(engine.accessTokenActive(json(reply).path("access_token").asText())).isTrue();
        assertThat(engine.refreshTokenActive(next)).isTrue();
        assertThat(engine.refreshTokenActive(original)).isFalse();
    }

    @Test
    void reuseOfARotatedRefreshTokenRevokesTheWholeChain() {
        String original = sandbox.login(SF, authParams("api refresh_token")).path("refresh_token").asText();
        JsonNode second = json(sandbox.refresh(SF, original));
        String newest = second.path("refresh_token").asText();

        assertOAuthError(sandbox.refresh(SF, original), 400, "invalid_grant");

        assertOAuthError(sandbox.refresh(SF, newest), 400, "invalid_grant");
        assertThat(engine.refreshTokenActive(newest)).isFalse();
        assertThat(engine.accessTokenActive(second.path("access_token").asText())).isFalse();
    }

    @Test
    void withoutRotationTheRefreshResponseHasNoRefreshTokenAndTheOriginalKeepsWorking() {
        engine.rotateRefreshTokens(SF, false);
        String original = sandbox.login(SF, authParams("api refresh_token")).path("refresh_token").asText();

        for (int i = 0; i < 3; i++) {
            Reply reply = sandbox.refresh(SF, original);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(json(reply).has("refresh_token")).isFalse();
            assertThat(json(reply).path("access_token").asText()).isNotEmpty();
        }
        assertThat(engine.refreshTokenActive(original)).isTrue();
    }

    @Test
    void revokingTheRefreshTokenEndsItsAccessTokens() {
        JsonNode tokens = sandbox.login(SF, authParams("api refresh_token"));
        String refreshToken = tokens.path("refresh_token").asText();

        Reply revoke = engine.handle(SF, "POST", "/services/oauth2/revoke", Map.of(), Map.of("token", refreshToken),
                Map.of());

        assertThat(revoke.status()).isEqualTo(200);
        assertThat(engine.accessTokenActive(tokens.path("access_token").asText())).isFalse();
        assertOAuthError(sandbox.refresh(SF, refreshToken), 400, "invalid_grant");
    }

    @Test
    void sessionLifetimeIsConfigurable() {
        engine.salesforceSessionSeconds(60);
        String accessToken = sandbox.login(SF, authParams("api")).path("access_token").asText();
        assertThat(engine.accessTokenActive(accessToken)).isTrue();

        engine.advanceClock(java.time.Duration.ofSeconds(61));

        assertThat(engine.accessTokenActive(accessToken)).isFalse();
    }
}
