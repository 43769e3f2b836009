package dev.conduit.exchange.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class LegacyExchangeTest {

    private static final String ACCESS = "urn:ietf:params:oauth:token-type:access_token";

    @Test
    void onlyTheLegacyFormDefaultsAMissingSubjectTokenTypeToAnAccessToken() {
        assertThat(LegacyExchange.subjectTokenType(null, true)).isEqualTo(ACCESS);
        assertThat(LegacyExchange.subjectTokenType(null, false)).isNull();
    }

    @Test
    void aTypeThatWasSentIsNeverReplaced() {
        assertThat(LegacyExchange.subjectTokenType("urn:ietf:params:oauth:token-type:refresh_token", true))
                .isEqualTo("urn:ietf:params:oauth:token-type:refresh_token");
        assertThat(LegacyExchange.subjectTokenType("urn:ietf:params:oauth:token-type:id_token", true))
                .isEqualTo("urn:ietf:params:oauth:token-type:id_token");
        assertThat(LegacyExchange.subjectTokenType("", true)).isEmpty();
    }

    @Test
    void theLegacyFormIsTheOneWithRequestedIssuer() {
        assertThat(LegacyExchange.isLegacyForm("salesforce")).isTrue();
        assertThat(LegacyExchange.isLegacyForm(null)).isFalse();
    }

    @Test
    void v1ErrorsForNotConnectedAndReconnectRequiredOnly() {
        assertThat(LegacyExchange.error("not_connected")).hasValueSatisfying(e ->
                assertThat(e).containsExactly("not_linked", "identity provider is not linked"));
        assertThat(LegacyExchange.error("reconnect_required")).hasValueSatisfying(e ->
                assertThat(e).containsExactly("token_expired", "linked token is expired"));
        assertThat(LegacyExchange.error("temporarily_unavailable")).isEmpty();
    }

    @Test
    void theLinkIsKeycloaksClientInitiatedLinkWithItsHash() throws Exception {
        String url = LegacyExchange.accountLinkUrl(URI.create("https://kc.example/"), "conduit", "salesforce", "legacy-app",
                "session-1", "nonce-1");

        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest("nonce-1session-1legacy-appsalesforce".getBytes(StandardCharsets.UTF_8));
        String hash = Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        assertThat(url).isEqualTo("https://kc.example/realms/conduit/broker/salesforce/link?nonce=nonce-1&hash=" + hash
                + "&client_id=legacy-app");
        assertThat(hash).doesNotContain("=", "+", "/");
    }

    @Test
    void theLinkKeepsABaseUriPath() {
        assertThat(LegacyExchange.accountLinkUrl(URI.create("https://example/auth/"), "r", "google", "c", "s", "n"))
                .startsWith("https://example/auth/realms/r/broker/google/link?nonce=n&hash=");
    }
}
