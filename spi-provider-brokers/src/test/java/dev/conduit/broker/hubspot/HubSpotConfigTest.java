package dev.conduit.broker.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HubSpotConfigTest {

    @Test
    void endpointsDefaultToHubSpotWithTheV3TokenEndpoint() {
        HubSpotIdentityProviderConfig config = new HubSpotIdentityProviderConfig();
        config.applyEndpointDefaults();
        assertThat(config.getAuthorizationUrl()).isEqualTo("https://app.hubspot.com/oauth/authorize");
        assertThat(config.getTokenUrl()).isEqualTo("https://api.hubapi.com/oauth/v3/token");
        assertThat(config.getAccessTokenInfoUrl()).isEqualTo("https://api.hubapi.com/oauth/v1/access-tokens/");
        assertThat(config.getOptionalScopeParameter()).isEqualTo("optional_scope");
    }

    @Test
    void tokenPathAndOptionalScopeParameterAreConfigurable() {
        HubSpotIdentityProviderConfig config = new HubSpotIdentityProviderConfig();
        config.getConfig().put(HubSpotIdentityProviderConfig.API_BASE_URL, "http://localhost:8089/hubspot/");
        config.getConfig().put(HubSpotIdentityProviderConfig.TOKEN_PATH, "/oauth/2026-03/token");
        config.getConfig().put(HubSpotIdentityProviderConfig.OPTIONAL_SCOPE_PARAMETER, "optional_scopes");
        config.applyEndpointDefaults();
        assertThat(config.getTokenUrl()).isEqualTo("http://localhost:8089/hubspot/oauth/2026-03/token");
        assertThat(config.getOptionalScopeParameter()).isEqualTo("optional_scopes");
    }
}
