package dev.conduit.broker.google;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoogleConfigTest {

    @Test
    void endpointsDefaultToGoogleAndPkceAndSignatureChecksAreOn() {
        GoogleIdentityProviderConfig config = new GoogleIdentityProviderConfig();
        config.applyDefaults();
        assertThat(config.getAuthorizationUrl()).isEqualTo("https://accounts.google.com/o/oauth2/v2/auth");
        assertThat(config.getTokenUrl()).isEqualTo("https://oauth2.googleapis.com/token");
        assertThat(config.getIssuer()).isEqualTo("https://accounts.google.com");
        assertThat(config.isPkceEnabled()).isTrue();
        assertThat(config.getPkceMethod()).isEqualTo("S256");
        assertThat(config.isValidateSignature()).isTrue();
        assertThat(config.isOfflineAccess()).isTrue();
        assertThat(config.isIncludeGrantedScopes()).isTrue();
        assertThat(config.getHostedDomains()).isEmpty();
    }

    @Test
    void overriddenEndpointsAreKept() {
        GoogleIdentityProviderConfig config = new GoogleIdentityProviderConfig();
        config.getConfig().put("tokenUrl", "http://localhost:8089/google/token");
        config.getConfig().put(GoogleIdentityProviderConfig.HOSTED_DOMAIN, "acme.example, beta.example");
        config.applyDefaults();
        assertThat(config.getTokenUrl()).isEqualTo("http://localhost:8089/google/token");
        assertThat(config.getHostedDomains()).containsExactly("acme.example", "beta.example");
    }
}
