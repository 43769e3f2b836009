package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.assertOAuthError;
import static dev.conduit.sandbox.SandboxFixture.authParams;
import static dev.conduit.sandbox.SandboxFixture.json;
import static dev.conduit.sandbox.SandboxFixture.redirectParams;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class SandboxEngineHubSpotTest {

    private static final Provider HS = Provider.HUBSPOT;

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;

    @Test
    void optionalScopesThePortalLacksAreDroppedAndSupportedOnesGranted() {
        Map<String, String> params = authParams("oauth crm.objects.contacts.read",
                "optional_scope", "crm.schemas.deals.read crm.objects.deals.read");
        assertThat(sandbox.authorize(HS, params).status()).isEqualTo(200);

        JsonNode tokens = sandbox.login(HS, params);

        assertThat(scopesOf(tokens.path("access_token").asText()))
                .contains("oauth", "crm.objects.contacts.read", "crm.objects.deals.read")
                .doesNotContain("crm.schemas.deals.read");
    }

    @Test
    void requiredScopeThePortalLacksIsRedirectedAsInvalidScope() {
        Map<String, String> params = authParams("oauth crm.schemas.deals.read");

        Map<String, String> redirect = redirectParams(sandbox.authorize(HS, params));

        assertThat(redirect).containsEntry("error", "invalid_scope").containsEntry("state", params.get("state"))
                .doesNotContainKey("code");
    }

    @Test
    void accessTokenInfoNamesTheHubAndTheUser() {
        String accessToken = sandbox.login(HS, authParams("oauth"), Accounts.HUBSPOT_ADA).path("access_token").asText();

        Reply reply = accessTokenInfo(accessToken);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode info = json(reply);
        assertThat(info.path("hub_id").isNumber()).isTrue();
        assertThat(info.path("hub_id").asLong()).isEqualTo(Long.parseLong(Accounts.HUBSPOT_HUB));
        assertThat(info.path("user_id").asLong()).isEqualTo(Long.parseLong(Accounts.HUBSPOT_ADA.userId()));
        assertThat(info.path("user").asText()).isEqualTo(Accounts.HUBSPOT_ADA.email());
    }

    @Test
    void accessTokenInfoOfAnUnknownTokenIsUnauthorized() {
        assertThat(accessTokenInfo("CO-unknown").status()).isEqualTo(401);
    }

    @Test
    void accessTokensLiveThirtyMinutes() {
        JsonNode tokens = sandbox.login(HS, authParams("oauth"));

        assertThat(tokens.path("expires_in").asLong()).isEqualTo(1800);
        assertThat(tokens.path("refresh_token").asText()).isNotEmpty();
        engine.advanceClock(java.time.Duration.ofSeconds(1801));
        assertThat(engine.accessTokenActive(tokens.path("access_token").asText())).isFalse();
    }

    @Test
    void invalidGrantCarriesTheLegacyStatus() {
        Reply reply = sandbox.refresh(HS, "na1-unknown");

        assertOAuthError(reply, 400, "invalid_grant");
        assertThat(json(reply).path("status").asText()).isEqualTo("BAD_REFRESH_TOKEN");
    }

    @Test
    void refreshKeepsTheSameRefreshToken() {
        String refreshToken = sandbox.login(HS, authParams("oauth")).path("refresh_token").asText();

        Reply reply = sandbox.refresh(HS, refreshToken);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(json(reply).path("refresh_token").asText()).isEqualTo(refreshToken);
        assertThat(sandbox.refresh(HS, refreshToken).status()).isEqualTo(200);
    }

    @Test
    void deletingTheRefreshTokenMakesLaterRefreshesInvalidGrant() {
        String refreshToken = sandbox.login(HS, authParams("oauth")).path("refresh_token").asText();

        Reply delete = engine.handle(HS, "DELETE", "/oauth/v1/refresh-tokens/" + refreshToken, Map.of(), Map.of(),
                Map.of());

        assertThat(delete.status()).isEqualTo(204);
        Reply refresh = sandbox.refresh(HS, refreshToken);
        assertOAuthError(refresh, 400, "invalid_grant");
        assertThat(json(refresh).path("status").asText()).isEqualTo("BAD_REFRESH_TOKEN");
    }

    @Test
    void deletingAnUnknownRefreshTokenIsNotFound() {
        Reply delete = engine.handle(HS, "DELETE", "/oauth/v1/refresh-tokens/na1-unknown", Map.of(), Map.of(), Map.of());

        assertThat(delete.status()).isEqualTo(404);
    }

    private Reply accessTokenInfo(String accessToken) {
        return engine.handle(HS, "GET", "/oauth/v1/access-tokens/" + accessToken, Map.of(), Map.of(), Map.of());
    }

    private List<String> scopesOf(String accessToken) {
        Reply reply = accessTokenInfo(accessToken);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<String> scopes = new ArrayList<>();
        json(reply).path("scopes").forEach(s -> scopes.add(s.asText()));
        return scopes;
    }
}
