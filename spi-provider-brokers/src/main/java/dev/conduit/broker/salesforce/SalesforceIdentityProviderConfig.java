package dev.conduit.broker.salesforce;

import org.keycloak.broker.oidc.OAuth2IdentityProviderConfig;
import org.keycloak.models.IdentityProviderModel;

/** Typed view of the Salesforce broker settings, with the defaults in one place. */
public final class SalesforceIdentityProviderConfig extends OAuth2IdentityProviderConfig {

    public static final String LOGIN_HOST = "loginHost";
    public static final String SESSION_LIFETIME = "sessionLifetimeSeconds";
    public static final String DEFAULT_LOGIN_HOST = "https://login.salesforce.com";
    public static final long DEFAULT_SESSION_LIFETIME_SECONDS = 7200;

    public SalesforceIdentityProviderConfig(IdentityProviderModel model) {
        super(model);
    }

    public SalesforceIdentityProviderConfig() {
    }

    /** Production, {@code https://test.salesforce.com}, or a My Domain host; no trailing slash. */
    public String getLoginHost() {
        String host = getConfig().get(LOGIN_HOST);
        if (host == null || host.isBlank()) {
            return DEFAULT_LOGIN_HOST;
        }
        return host.endsWith("/") ? host.substring(0, host.length() - 1) : host;
    }

    /** Salesforce sends no {@code expires_in}: the access token lives as long as the org's session timeout. */
    public long getSessionLifetimeSeconds() {
        String value = getConfig().get(SESSION_LIFETIME);
        if (value == null || value.isBlank()) {
            return DEFAULT_SESSION_LIFETIME_SECONDS;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds > 0 ? seconds : DEFAULT_SESSION_LIFETIME_SECONDS;
        } catch (NumberFormatException e) {
            return DEFAULT_SESSION_LIFETIME_SECONDS;
        }
    }

    public String getRevocationUrl() {
        return getLoginHost() + "/services/oauth2/revoke";
    }

    /** Endpoints all hang off the login host, so one setting points the broker at production, a sandbox org or the Conduit sandbox. */
    void deriveEndpointsFromLoginHost() {
        String host = getLoginHost();
        setAuthorizationUrl(host + "/services/oauth2/authorize");
        setTokenUrl(host + "/services/oauth2/token");
        setUserInfoUrl(host + "/services/oauth2/userinfo");
        setTokenIntrospectionUrl(host + "/services/oauth2/introspect");
    }
}
