package dev.conduit.broker.salesforce;

import org.keycloak.broker.oidc.OAuth2IdentityProviderConfig;
import org.keycloak.common.util.UriUtils;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.RealmModel;

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

    /**
     * What Keycloak's admin API (and Conduit's switch to this broker) checks before storing the settings: the login host
     * a URL (https unless the realm's SSL setting allows it), the lifetime a whole number of seconds; Keycloak's OAuth 2
     * checks too. Each refusal names its field.
     */
    @Override
    public void validate(RealmModel realm) {
        String host = getConfig().get(LOGIN_HOST);
        if (host != null && !host.isBlank()) {
            UriUtils.checkUrl(realm.getSslRequired(), host, LOGIN_HOST);
        }
        String lifetime = getConfig().get(SESSION_LIFETIME);
        if (lifetime != null && !lifetime.isBlank() && !lifetime.trim().matches("[1-9][0-9]{0,9}")) {
            throw new IllegalArgumentException(SESSION_LIFETIME + " must be a whole number of seconds above 0");
        }
        super.validate(realm);
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
