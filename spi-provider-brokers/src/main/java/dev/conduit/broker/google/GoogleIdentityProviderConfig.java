package dev.conduit.broker.google;

import java.util.List;

import org.keycloak.broker.oidc.OIDCIdentityProviderConfig;
import org.keycloak.models.IdentityProviderModel;

/** Typed view of the Google broker settings; endpoints default to Google's and stay overridable. */
public final class GoogleIdentityProviderConfig extends OIDCIdentityProviderConfig {

    public static final String HOSTED_DOMAIN = "hostedDomain";
    public static final String OFFLINE_ACCESS = "offlineAccess";
    public static final String INCLUDE_GRANTED_SCOPES = "includeGrantedScopes";
    public static final String REVOCATION_URL = "revocationUrl";

    public static final String ISSUER_URL = "https://accounts.google.com";
    public static final String AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth";
    public static final String TOKEN_URL = "https://oauth2.googleapis.com/token";
    public static final String USERINFO_URL = "https://openidconnect.googleapis.com/v1/userinfo";
    public static final String JWKS_URL_DEFAULT = "https://www.googleapis.com/oauth2/v3/certs";

    public GoogleIdentityProviderConfig(IdentityProviderModel model) {
        super(model);
    }

    public GoogleIdentityProviderConfig() {
    }

    /** A new Google identity provider, with Google's issuer so that id tokens and authorization responses are checked. */
    public static GoogleIdentityProviderConfig newWithIssuer() {
        GoogleIdentityProviderConfig config = new GoogleIdentityProviderConfig();
        config.getConfig().put(IdentityProviderModel.ISSUER, ISSUER_URL);
        return config;
    }

    /** Workspace domains allowed (comma separated), checked on the id token's {@code hd} claim; empty = any account. */
    public List<String> getHostedDomains() {
        String value = getConfig().get(HOSTED_DOMAIN);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.trim().split("\\s*,\\s*"));
    }

    public boolean isOfflineAccess() {
        return !"false".equalsIgnoreCase(getConfig().get(OFFLINE_ACCESS));
    }

    public boolean isIncludeGrantedScopes() {
        return !"false".equalsIgnoreCase(getConfig().get(INCLUDE_GRANTED_SCOPES));
    }

    /**
     * Google's revocation endpoint ({@code POST token=}); unless set, it sits beside the token endpoint
     * ({@code https://oauth2.googleapis.com/token} becomes {@code .../revoke}), which also holds for the sandbox.
     */
    public String getRevocationUrl() {
        String configured = getConfig().get(REVOCATION_URL);
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        String token = getTokenUrl() == null || getTokenUrl().isBlank() ? TOKEN_URL : getTokenUrl();
        return token.endsWith("/token") ? token.substring(0, token.length() - "/token".length()) + "/revoke"
                : "https://oauth2.googleapis.com/revoke";
    }

    void applyDefaults() {
        putIfBlank("authorizationUrl", AUTH_URL);
        putIfBlank("tokenUrl", TOKEN_URL);
        putIfBlank("userInfoUrl", USERINFO_URL);
        putIfBlank(JWKS_URL, JWKS_URL_DEFAULT);
        putIfBlank("issuer", ISSUER_URL);
        setUseJwksUrl(true);
        setValidateSignature(true);
        setPkceEnabled(true);
        setPkceMethod("S256");
    }

    private void putIfBlank(String key, String value) {
        String current = getConfig().get(key);
        if (current == null || current.isBlank()) {
            getConfig().put(key, value);
        }
    }
}
