package dev.conduit.broker.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.keycloak.common.enums.SslRequired;
import org.keycloak.models.RealmModel;

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

    @Test
    void theAdminApisValidationNamesTheBadField() {
        RealmModel realm = (RealmModel) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RealmModel.class},
                (proxy, method, args) -> "getSslRequired".equals(method.getName()) ? SslRequired.EXTERNAL : null);
        SalesforceIdentityProviderConfig config = new SalesforceIdentityProviderConfig();
        assertThatCode(() -> config.validate(realm)).doesNotThrowAnyException();
        config.getConfig().put(SalesforceIdentityProviderConfig.LOGIN_HOST, "http://localhost:8089/salesforce");
        config.getConfig().put(SalesforceIdentityProviderConfig.SESSION_LIFETIME, "7200");
        assertThatCode(() -> config.validate(realm)).doesNotThrowAnyException();

        config.getConfig().put(SalesforceIdentityProviderConfig.LOGIN_HOST, "login.salesforce.com");
        assertThatThrownBy(() -> config.validate(realm)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loginHost");
        config.getConfig().put(SalesforceIdentityProviderConfig.LOGIN_HOST, "http://login.salesforce.com");
        assertThatThrownBy(() -> config.validate(realm)).hasMessageContaining("loginHost");
        config.getConfig().put(SalesforceIdentityProviderConfig.LOGIN_HOST, "https://login.salesforce.com");
        config.getConfig().put(SalesforceIdentityProviderConfig.SESSION_LIFETIME, "two hours");
        assertThatThrownBy(() -> config.validate(realm)).hasMessageContaining("sessionLifetimeSeconds");
    }
}
