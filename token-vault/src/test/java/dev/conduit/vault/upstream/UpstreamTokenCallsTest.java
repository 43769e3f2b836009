package dev.conduit.vault.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import dev.conduit.api.grant.UpstreamClient;
import org.junit.jupiter.api.Test;

class UpstreamTokenCallsTest {

    @Test
    void wireFailuresAreDescribedInWordsNotClassNames() {
        assertThat(UpstreamTokenCalls.describe(new SocketTimeoutException("Read timed out"))).isEqualTo("timed out");
        assertThat(UpstreamTokenCalls.describe(new ConnectException("refused"))).isEqualTo("connection refused");
        assertThat(UpstreamTokenCalls.describe(new SocketException("Connection reset"))).isEqualTo("connection failed");
        assertThat(UpstreamTokenCalls.describe(new IOException("x"))).doesNotContain("Exception");
    }

    @Test
    void onlyAVaultExpressionCountsAsAVaultReference() {
        assertThat(UpstreamTokenCalls.isVaultReference("${vault.salesforce_client_secret}")).isTrue();
        assertThat(UpstreamTokenCalls.isVaultReference("plain-secret-value")).isFalse();
        assertThat(UpstreamTokenCalls.isVaultReference("${env.SECRET}")).isFalse();
    }

    @Test
    void aMissingVaultSecretIsReportedWithoutTheReference() {
        String message = new UpstreamTokenCalls.MissingSecretException().getMessage();
        assertThat(message).startsWith("client_secret_missing").doesNotContain("${vault");
    }

    @Test
    void tokenTypeHintGoesOnlyToTheRfc7009Endpoint() {
        assertThat(UpstreamTokenCalls.tokenTypeHint(UpstreamClient.Revocation.POST_FORM, true)).isEqualTo("refresh_token");
        assertThat(UpstreamTokenCalls.tokenTypeHint(UpstreamClient.Revocation.POST_FORM, false)).isEqualTo("access_token");
        assertThat(UpstreamTokenCalls.tokenTypeHint(UpstreamClient.Revocation.POST_FORM_WHOLE_GRANT, true)).isNull();
        assertThat(UpstreamTokenCalls.tokenTypeHint(UpstreamClient.Revocation.DELETE_PATH, true)).isNull();
    }
}
