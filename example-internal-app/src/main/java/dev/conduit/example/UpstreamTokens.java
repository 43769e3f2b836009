package dev.conduit.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;

/**
 * A CRM sync job's way to get the customer's upstream token without holding any upstream secret: it trades the
 * user's Keycloak access token for the Salesforce, HubSpot or Google access token Conduit keeps for that user
 * (or for the user's organization), through RFC 8693 token exchange at Keycloak's token endpoint. The job
 * authenticates as its own confidential client ({@code client_secret_basic}); Conduit refreshes the upstream
 * token when it is due, so the answer is always usable for {@link UpstreamToken#expiresIn()} seconds.
 *
 * <p>Built on the Nimbus OAuth 2.0 SDK's {@link TokenExchangeGrant}. Thread-safe; keep one per client.
 */
public final class UpstreamTokens {

    /** RFC 8693 extension parameter Conduit reads for an organization's connection instead of the user's own. */
    static final String ORGANIZATION_PARAMETER = "organization";

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Long enough for a refresh Conduit does while we wait: up to 3 attempts at the provider (10 s read timeout
     * each, by default) with backoff between them.
     */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(40);

    private final URI tokenEndpoint;
    private final ClientAuthentication client;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;

    public UpstreamTokens(URI tokenEndpoint, ClientAuthentication client, Duration connectTimeout, Duration readTimeout) {
        this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        this.client = Objects.requireNonNull(client, "client");
        this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
        this.readTimeoutMillis = Math.toIntExact(readTimeout.toMillis());
    }

    /**
     * The client {@code clientId} (with {@code conduit.exchange.providers} naming the providers it may use) of
     * realm {@code realm} on the Keycloak at {@code keycloakUrl} (for example {@code https://sso.example.com}),
     * with the default timeouts.
     */
    public static UpstreamTokens forRealm(String keycloakUrl, String realm, String clientId, String clientSecret) {
        URI endpoint = URI.create(keycloakUrl.replaceAll("/+$", "") + "/realms/" + realm + "/protocol/openid-connect/token");
        return new UpstreamTokens(endpoint, new ClientSecretBasic(new ClientID(clientId), new Secret(clientSecret)),
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
    }

    /**
     * The user's own connection to {@code provider}.
     *
     * @param subjectToken the user's Keycloak access token (this client must be its {@code azp} or in its {@code aud})
     * @param provider     Conduit's alias for the provider: {@code salesforce}, {@code hubspot}, {@code google}
     * @throws UpstreamTokenRefusedException when Keycloak refuses; {@link UpstreamTokenRefusedException#needsUser()}
     *         tells whether sending the user to its {@code connectUri} fixes it
     * @throws UncheckedIOException when Keycloak cannot be reached or does not answer in time
     */
    public UpstreamToken forUser(String subjectToken, String provider) {
        return exchange(request(subjectToken, provider, null));
    }

    /**
     * The connection an admin of {@code organization} made for it; the user must be a member.
     *
     * @param organization the Keycloak organization's alias (or id)
     * @see #forUser(String, String)
     */
    public UpstreamToken forOrganization(String subjectToken, String provider, String organization) {
        return exchange(request(subjectToken, provider, Objects.requireNonNull(organization, "organization")));
    }

    TokenRequest request(String subjectToken, String provider, String organization) {
        TokenExchangeGrant grant = new TokenExchangeGrant(
                new TypelessAccessToken(Objects.requireNonNull(subjectToken, "subjectToken")), TokenTypeURI.ACCESS_TOKEN,
                null, null,
                TokenTypeURI.ACCESS_TOKEN,
                List.of(new Audience(Objects.requireNonNull(provider, "provider"))));
        TokenRequest.Builder request = new TokenRequest.Builder(tokenEndpoint, client, grant);
        if (organization != null) {
            request.customParameter(ORGANIZATION_PARAMETER, organization);
        }
        return request.build();
    }

    private UpstreamToken exchange(TokenRequest request) {
        HTTPRequest http = request.toHTTPRequest();
        http.setConnectTimeout(connectTimeoutMillis);
        http.setReadTimeout(readTimeoutMillis);
        http.setFollowRedirects(false);
        HTTPResponse response;
        try {
            response = http.send();
        } catch (IOException e) {
            throw new UncheckedIOException("token endpoint " + tokenEndpoint + " not reachable", e);
        }
        return read(response);
    }

    /** The exchange's answer: the token, or the refusal as an exception. */
    static UpstreamToken read(HTTPResponse response) {
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(response);
        } catch (ParseException e) {
            // no cause and no body: a malformed success answer may still hold a token
            throw new IllegalStateException("the token endpoint's answer (HTTP " + response.getStatusCode()
                    + ") is not an OAuth 2.0 token response");
        }
        if (!parsed.indicatesSuccess()) {
            throw refusal(response.getStatusCode(), parsed.toErrorResponse().getErrorObject());
        }
        AccessTokenResponse success = parsed.toSuccessResponse();
        AccessToken token = success.getTokens().getAccessToken();
        Map<String, Object> extra = success.getCustomParameters();
        Set<String> scopes = token.getScope() == null ? Set.of() : new LinkedHashSet<>(token.getScope().toStringList());
        return new UpstreamToken(string(extra, "identity_provider"), token.getValue(), Math.max(0, token.getLifetime()),
                scopes, string(extra, "account_id"), string(extra, "instance_url"), string(extra, "hub_id"),
                string(extra, "organization_id"));
    }

    private static UpstreamTokenRefusedException refusal(int status, ErrorObject error) {
        if (error == null || error.getCode() == null) {
            // not an OAuth error body (a proxy's error page, say)
            return new UpstreamTokenRefusedException(status, null, null, null, null);
        }
        Map<String, String> extra = error.getCustomParams() == null ? Map.of() : error.getCustomParams();
        return new UpstreamTokenRefusedException(status, error.getCode(), error.getDescription(),
                extra.get("conduit_error"), extra.get("connect_uri"));
    }

    private static String string(Map<String, Object> parameters, String name) {
        Object value = parameters.get(name);
        return value == null ? null : value.toString();
    }
}
