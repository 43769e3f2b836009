package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.assertOAuthError;
import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

/** {@link SandboxEngine#mintGrant}: a grant without the consent page that behaves like a redeemed code's. */
class SandboxMintGrantTest {

    private static final Provider SF = Provider.SALESFORCE;
    private static final Set<String> SF_SCOPES = Set.of("api", "refresh_token");

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;

    private MintedGrant mintSalesforce() {
        return engine.mintGrant(SF, SandboxFixture.CLIENT_ID, Accounts.SALESFORCE_MARGARET.userId(), SF_SCOPES);
    }

    private static Set<String> scopesFor(Provider provider) {
        return switch (provider) {
            case SALESFORCE -> SF_SCOPES;
            case HUBSPOT -> Set.of("oauth", "crm.objects.contacts.read");
            case GOOGLE -> Set.of("openid", "email");
        };
    }

    @Test
    void mintedTokensAreLiveAndExpireLikeAnIssuedSession() {
        MintedGrant grant = mintSalesforce();

        assertThat(grant.accessToken()).startsWith(Accounts.SALESFORCE_ORG.substring(0, 15) + "!");
        assertThat(grant.refreshToken()).startsWith("5Aep861");
        assertThat(engine.accessTokenActive(grant.accessToken())).isTrue();
        assertThat(engine.refreshTokenActive(grant.refreshToken())).isTrue();
        assertThat(engine.issuedTokens()).contains(grant.accessToken(), grant.refreshToken());
        assertThat(grant.expiresAt()).isEqualTo(SandboxFixture.NOW.getEpochSecond() + 7200);
        assertThat(engine.tokenCalls(SF, "authorization_code")).as("minting is not a token call").isZero();
        assertThat(engine.calls(SF, Endpoint.TOKEN)).isZero();
    }

    @Test
    void mintedRefreshTokenRefreshesThroughTheTokenEndpointAndCountsAsARefreshCall() {
        MintedGrant grant = mintSalesforce();

        Reply reply = sandbox.refresh(SF, grant.refreshToken());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode tokens = json(reply);
        assertThat(tokens.path("access_token").asText()).isNotEmpty().isNotEqualTo(grant.accessToken());
        assertThat(engine.accessTokenActive(tokens.path("access_token").asText())).isTrue();
        assertThat(tokens.path("instance_url").asText()).isEqualTo(engine.instanceUrl());
        assertThat(tokens.path("id").asText()).endsWith("/" + Accounts.SALESFORCE_MARGARET.userId());
        assertThat(tokens.path("scope").asText().split(" ")).containsExactlyInAnyOrder("api", "refresh_token");
        assertThat(engine.tokenCalls(SF, "refresh_token")).isEqualTo(1);
        assertThat(engine.calls(SF, Endpoint.TOKEN)).isEqualTo(1);
    }

    @Test
    void salesforceRotatesTheMintedRefreshTokenAndReuseKillsTheChain() {
        MintedGrant grant = mintSalesforce();

        JsonNode refreshed = json(sandbox.refresh(SF, grant.refreshToken()));
        String next = refreshed.path("refresh_token").asText();

        assertThat(next).isNotEmpty().isNotEqualTo(grant.refreshToken());
        assertThat(engine.refreshTokenActive(next)).isTrue();
        assertThat(engine.refreshTokenActive(grant.refreshToken())).isFalse();

        assertOAuthError(sandbox.refresh(SF, grant.refreshToken()), 400, "invalid_grant");
        assertThat(engine.refreshTokenActive(next)).isFalse();
        assertThat(engine.accessTokenActive(refreshed.path("access_token").asText())).isFalse();
        assertThat(engine.tokenCalls(SF, "refresh_token")).isEqualTo(2);
    }

    @Test
    void withoutSalesforceRotationTheMintedRefreshTokenKeepsWorking() {
        engine.rotateRefreshTokens(SF, false);
        MintedGrant grant = mintSalesforce();

        for (int i = 0; i < 2; i++) {
            Reply reply = sandbox.refresh(SF, grant.refreshToken());
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(json(reply).has("refresh_token")).isFalse();
        }
        assertThat(engine.refreshTokenActive(grant.refreshToken())).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void everyProvidersMintedRefreshTokenRefreshes(Provider provider) {
        MintedGrant grant = engine.mintGrant(provider, SandboxFixture.CLIENT_ID,
                SandboxFixture.accountOf(provider).userId(), scopesFor(provider));

        Reply reply = sandbox.refresh(provider, grant.refreshToken());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(engine.accessTokenActive(json(reply).path("access_token").asText())).isTrue();
        assertThat(engine.tokenCalls(provider, "refresh_token")).isEqualTo(1);
    }

    @Test
    void refreshWithAnotherClientIsRefused() {
        SandboxClient other = new SandboxClient(SF, "other-client", "other-secret", java.util.List.of());
        engine.register(other);
        MintedGrant grant = engine.mintGrant(SF, "other-client", Accounts.SALESFORCE_MARGARET.userId(), SF_SCOPES);

        assertOAuthError(sandbox.refresh(SF, grant.refreshToken()), 400, "invalid_grant");
    }

    @Test
    void revokingTheMintedRefreshTokenEndsItsAccessToken() {
        MintedGrant grant = mintSalesforce();

        Reply revoke = engine.handle(SF, "POST", "/services/oauth2/revoke", Map.of(),
                Map.of("token", grant.refreshToken()), Map.of());

        assertThat(revoke.status()).isEqualTo(200);
        assertThat(engine.accessTokenActive(grant.accessToken())).isFalse();
        assertOAuthError(sandbox.refresh(SF, grant.refreshToken()), 400, "invalid_grant");
    }

    @Test
    void unknownClientOrAccountIsRefused() {
        String margaret = Accounts.SALESFORCE_MARGARET.userId();

        assertThatThrownBy(() -> engine.mintGrant(SF, "no-such-client", margaret, SF_SCOPES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> engine.mintGrant(SF, SandboxFixture.CLIENT_ID, "005nobody", SF_SCOPES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> engine.mintGrant(SF, SandboxFixture.CLIENT_ID, Accounts.HUBSPOT_GRACE.userId(),
                SF_SCOPES)).as("an account of another provider").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> engine.mintGrant(SF, SandboxFixture.CLIENT_ID, margaret, Set.of("api")))
                .as("Salesforce gives no refresh token without the scope").isInstanceOf(IllegalArgumentException.class);
        assertThat(engine.issuedTokens()).isEmpty();
    }

    @Test
    void toStringShowsNoToken() {
        MintedGrant grant = mintSalesforce();

        assertThat(grant.toString()).doesNotContain(grant.accessToken()).doesNotContain(grant.refreshToken())
                .contains(String.valueOf(grant.expiresAt()));
    }

    @Test
    void mintedRefreshTokenRefreshesOverHttp() throws Exception {
        try (ProviderSandbox server = ProviderSandbox.start(0)) {
            SandboxFixture fixture = new SandboxFixture(server.engine());
            MintedGrant grant = server.engine().mintGrant(SF, SandboxFixture.CLIENT_ID,
                    Accounts.SALESFORCE_MARGARET.userId(), SF_SCOPES);
            Map<String, String> form = fixture.clientForm(SF);
            form.put("grant_type", "refresh_token");
            form.put("refresh_token", grant.refreshToken());
            String body = form.entrySet().stream()
                    .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();

            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(server.salesforceLoginHost() + "/services/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode tokens = json(response.body());
            assertThat(tokens.path("refresh_token").asText()).isNotEmpty().isNotEqualTo(grant.refreshToken());
            assertThat(server.engine().accessTokenActive(tokens.path("access_token").asText())).isTrue();
            assertThat(server.engine().tokenCalls(SF, "refresh_token")).isEqualTo(1);
        }
    }
}
