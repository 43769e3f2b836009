package dev.conduit.broker.hubspot;

import org.keycloak.broker.oidc.OAuth2IdentityProviderConfig;
import org.keycloak.models.IdentityProviderModel;

/** Typed view of the HubSpot broker settings, with the defaults in one place. */
public final class HubSpotIdentityProviderConfig extends OAuth2IdentityProviderConfig {

    public static final String API_BASE_URL = "apiBaseUrl";
    public static final String TOKEN_PATH = "tokenPath";
    public static final String OPTIONAL_SCOPES = "optionalScopes";
    public static final String OPTIONAL_SCOPE_PARAMETER = "optionalScopeParameter";

    public static final String DEFAULT_AUTHORIZATION_URL = "https://app.hubspot.com/oauth/authorize";
    public static final String DEFAULT_API_BASE_URL = "https://api.hubapi.com";
    /** The form endpoint /oauth/v1/token sunsets on 2027-02-16; v3 is its successor. */
    public static final String DEFAULT_TOKEN_PATH = "/oauth/v3/token";
    public static final String DEFAULT_OPTIONAL_SCOPE_PARAMETER = "optional_scope";

    public HubSpotIdentityProviderConfig(IdentityProviderModel model) {
        super(model);
    }

    public HubSpotIdentityProviderConfig() {
    }

    public String getApiBaseUrl() {
        return withoutTrailingSlash(getConfig().getOrDefault(API_BASE_URL, DEFAULT_API_BASE_URL), DEFAULT_API_BASE_URL);
    }

    public String getTokenPath() {
        String path = getConfig().get(TOKEN_PATH);
        return path == null || path.isBlank() ? DEFAULT_TOKEN_PATH : path.trim();
    }

    public String getOptionalScopes() {
        return getConfig().get(OPTIONAL_SCOPES);
    }

    /** HubSpot's newest docs say {@code optional_scope}; older sources say {@code optional_scopes}. */
    public String getOptionalScopeParameter() {
        String name = getConfig().get(OPTIONAL_SCOPE_PARAMETER);
        return name == null || name.isBlank() ? DEFAULT_OPTIONAL_SCOPE_PARAMETER : name.trim();
    }

    /** {@code GET /oauth/v1/access-tokens/{token}}: user, hub_id, scopes of an access token. */
    public String getAccessTokenInfoUrl() {
        return getApiBaseUrl() + "/oauth/v1/access-tokens/";
    }

    public String getRefreshTokenRevocationUrl() {
        return getApiBaseUrl() + "/oauth/v1/refresh-tokens/";
    }

    void applyEndpointDefaults() {
        if (getAuthorizationUrl() == null || getAuthorizationUrl().isBlank()) {
            setAuthorizationUrl(DEFAULT_AUTHORIZATION_URL);
        }
        setTokenUrl(getApiBaseUrl() + getTokenPath());
    }

    private static String withoutTrailingSlash(String value, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String trimmed = value.trim();
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
