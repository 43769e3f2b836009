package dev.conduit.broker.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SalesforceConfigTest {

    @Test
    void endpointsDefaultToProductionLogin() {
        SalesforceIdentityProviderConfig config = new SalesforceIdentityProviderConfig();
        config.deriveEndpointsFromLoginHost();
        assertThat(config.getAuthorizationUrl()).isEqualTo("https://login.salesforce.com/services/oauth2/authorize");
        assertThat(config.getTokenUrl()).isEqualTo("https://login.salesforce.com/services/oauth2/token");
        assertThat(config.getRevocationUrl()).isEqualTo("https://login.salesforce.com/services/oauth2/revoke");
        assertThat(config.getSessionLifetimeSeconds()).isEqualTo(7200);
    }

    @Test
    void sandboxOrMyDomainHostMovesEveryEndpoint() {
        SalesforceIdentityProviderConfig config = new SalesforceIdentityProviderConfig();
        config.getConfig().put(SalesforceIdentityProviderConfig.LOGIN_HOST, "https://acme--uat.sandbox.my.salesforce.com/");
        config.deriveEndpointsFromLoginHost();
        assertThat(config.getUserInfoUrl()).isEqualTo("https://acme--uat.sandbox.my.salesforce.com/services/oauth2/userinfo");
    }

    @Test
    void nonsenseLifetimeFallsBackToTheDefault() {
        SalesforceIdentityProviderConfig config = new SalesforceIdentityProviderConfig();
        config.getConfig().put(SalesforceIdentityProviderConfig.SESSION_LIFETIME, "-5");
        assertThat(config.getSessionLifetimeSeconds()).isEqualTo(7200);
        config.getConfig().put(SalesforceIdentityProviderConfig.SESSION_LIFETIME, "two hours");
        assertThat(config.getSessionLifetimeSeconds()).isEqualTo(7200);
        config.getConfig().put(SalesforceIdentityProviderConfig.SESSION_LIFETIME, "900");
        assertThat(config.getSessionLifetimeSeconds()).isEqualTo(900);
    }
}
