package dev.conduit.vault.upstream;

import static dev.conduit.api.grant.UpstreamClient.Revocation.DELETE_PATH;
import static dev.conduit.api.grant.UpstreamClient.Revocation.POST_FORM;
import static dev.conduit.api.grant.UpstreamClient.Revocation.POST_FORM_WHOLE_GRANT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.conduit.vault.refresh.RefreshFailure;
import org.junit.jupiter.api.Test;

class TokenAnswerTest {

    @Test
    void aSalesforceRefreshAnswerHasNoExpiryAndNoRotatedTokenButAnInstanceUrl() {
        TokenAnswer answer = TokenAnswer.parse(200, "{\"access_token\":\"00D!abc\",\"instance_url\":\"https://acme.my.salesforce.com\","
                + "\"issued_at\":\"1700000000000\",\"signature\":\"x\",\"scope\":\"api refresh_token\",\"token_type\":\"Bearer\"}", null);

        assertThat(answer).isInstanceOf(TokenAnswer.Granted.class);
        TokenAnswer.Granted granted = (TokenAnswer.Granted) answer;
        assertThat(granted.accessToken()).isEqualTo("00D!abc");
        assertThat(granted.refreshToken()).isNull();
        assertThat(granted.expiresIn()).isNull();
        assertThat(granted.instanceUrl()).isEqualTo("https://acme.my.salesforce.com");
        assertThat(granted.scopes()).containsExactly("api", "refresh_token");
    }

    @Test
    void aRotatingAnswerCarriesTheNewRefreshTokenAndExpiry() {
        TokenAnswer.Granted granted = (TokenAnswer.Granted) TokenAnswer.parse(200,
                "{\"access_token\":\"a\",\"refresh_token\":\"r2\",\"expires_in\":\"1800\"}", null);

        assertThat(granted.refreshToken()).isEqualTo("r2");
        assertThat(granted.expiresIn()).isEqualTo(1800L);
        assertThat(granted.scopes()).as("no scope in the answer: keep the recorded ones").isNull();
    }

    @Test
    void invalidGrantMeansReconnectRequiredAlsoInHubSpotsLegacyForm() {
        assertThat(refused(400, "{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}").failure())
                .isEqualTo(RefreshFailure.RECONNECT_REQUIRED);
        assertThat(refused(400, "{\"status\":\"BAD_REFRESH_TOKEN\",\"message\":\"missing or invalid refresh token\"}").failure())
                .isEqualTo(RefreshFailure.RECONNECT_REQUIRED);
    }

    @Test
    void serverErrorsRateLimitsAndGarbageAreTransientAndKeepRetryAfter() {
        TokenAnswer.Refused limited = (TokenAnswer.Refused) TokenAnswer.parse(429, "{\"error\":\"rate_limited\"}", "7");
        assertThat(limited.failure()).isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(refused(503, "<html>maintenance</html>").failure()).isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(refused(200, "{\"access_token\": ").failure()).isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(refused(200, "").failure()).isEqualTo(RefreshFailure.TRANSIENT);
    }

    @Test
    void aBadClientIsAConfigurationProblem() {
        assertThat(refused(401, "{\"error\":\"invalid_client\"}").failure()).isEqualTo(RefreshFailure.CONFIGURATION);
    }

    @Test
    void anErrorCodeThatIsNotAPlainWordIsNotRepeated() {
        TokenAnswer.Refused refused = refused(400, "{\"error\":\"<script>alert(1)</script>\"}");
        assertThat(refused.reason()).doesNotContain("<script>").contains("HTTP 400");
    }

    @Test
    void aGrantedAnswerNeverShowsItsTokens() {
        TokenAnswer answer = TokenAnswer.parse(200, "{\"access_token\":\"secret-access\",\"refresh_token\":\"secret-refresh\"}", null);
        assertThat(answer.toString()).doesNotContain("secret-access").doesNotContain("secret-refresh");
    }

    @Test
    void aRevocationIsDoneOnSuccessOrOnTheProvidersNoSuchTokenAnswerOnly() {
        assertThat(RevokeAnswer.of(POST_FORM, 200, null).done()).isTrue();
        assertThat(RevokeAnswer.of(DELETE_PATH, 204, null).done()).isTrue();
        assertThat(RevokeAnswer.of(POST_FORM, 400, "{\"error\":\"invalid_token\",\"error_description\":\"x\"}").done()).isTrue();
        assertThat(RevokeAnswer.of(POST_FORM_WHOLE_GRANT, 400, "{\"error\":\"invalid_token\"}").done()).isTrue();
        assertThat(RevokeAnswer.of(DELETE_PATH, 404, "{\"status\":\"error\",\"message\":\"not found\"}").done()).isTrue();
    }

    @Test
    void everyOtherRevocationAnswerIsAFailureNamingStatusAndCode() {
        RevokeAnswer wrongSecret = RevokeAnswer.of(POST_FORM, 400, "{\"error\":\"invalid_client\"}");
        assertThat(wrongSecret.done()).isFalse();
        assertThat(wrongSecret.reason()).contains("invalid_client").contains("HTTP 400");
        assertThat(RevokeAnswer.of(POST_FORM, 400, "{\"error\":\"unsupported_token_type\"}").done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM_WHOLE_GRANT, 400, "{\"error\":\"invalid_request\"}").done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 401, "{\"error\":\"invalid_client\"}").done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 400, "<html>bad request</html>").done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 400, null).done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 404, "{\"error\":\"invalid_token\"}").done()).isFalse();
        assertThat(RevokeAnswer.of(DELETE_PATH, 404, "<html>no such page</html>").done()).isFalse();
        assertThat(RevokeAnswer.of(DELETE_PATH, 400, "{\"error\":\"invalid_token\"}").done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 403, "{}").done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 429, null).done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 503, "{\"error\":\"temporarily_unavailable\"}").done()).isFalse();
        assertThat(RevokeAnswer.of(POST_FORM, 302, null).done()).isFalse();
    }

    @Test
    void aRevocationRefusalNeverRepeatsTheBodyOrAnOddErrorCode() {
        RevokeAnswer answer = RevokeAnswer.of(POST_FORM, 400,
                "{\"error\":\"<script>\\r\\nforged\",\"error_description\":\"secret-token-value\"}");
        assertThat(answer.done()).isFalse();
        assertThat(answer.reason()).doesNotContain("<script>").doesNotContain("secret-token-value").doesNotContain("\n");
    }

    private static TokenAnswer.Refused refused(int status, String body) {
        TokenAnswer answer = TokenAnswer.parse(status, body, null);
        assertThat(answer).isInstanceOf(TokenAnswer.Refused.class);
        return (TokenAnswer.Refused) answer;
    }
}
