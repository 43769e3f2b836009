package dev.conduit.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

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
 * <p>A provider may end a token's session before the expiry it announced (Salesforce sends none; an admin or a
 * session timeout ends it): its API then answers {@code 401}. {@link #replacing} tells Conduit which token was
 * refused and gets a fresh one; {@link #call} does this once for you around an API call.
 *
 * <p>Built on the Nimbus OAuth 2.0 SDK's {@link TokenExchangeGrant}. Thread-safe; keep one per client.
 */
public final class UpstreamTokens {

    /** RFC 8693 extension parameter Conduit reads for an organization's connection instead of the user's own. */
    static final String ORGANIZATION_PARAMETER = "organization";
    /**
     * Conduit's extension parameter naming the upstream token the provider refused: base64url (no padding) of the
     * SHA-256 of the token's ASCII bytes, as DPoP's {@code ath} (RFC 9449 section 4.2). The token itself is never sent back.
     */
    static final String REFUSED_TOKEN_PARAMETER = "conduit_refused_token_sha256";

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
    private final Consumer<ExchangeWire> observer;

    public UpstreamTokens(URI tokenEndpoint, ClientAuthentication client, Duration connectTimeout, Duration readTimeout) {
        this(tokenEndpoint, client, Math.toIntExact(connectTimeout.toMillis()), Math.toIntExact(readTimeout.toMillis()), null);
    }

    private UpstreamTokens(URI tokenEndpoint, ClientAuthentication client, int connectTimeoutMillis, int readTimeoutMillis,
            Consumer<ExchangeWire> observer) {
        this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        this.client = Objects.requireNonNull(client, "client");
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
        this.observer = observer;
    }

    /**
     * The same client, handing {@code observer} each exchange as it went over the wire (for an app that shows its
     * exchanges, as the demo app does). What it gets holds tokens: mask them before showing or storing anything.
     */
    public UpstreamTokens observedBy(Consumer<ExchangeWire> observer) {
        return new UpstreamTokens(tokenEndpoint, client, connectTimeoutMillis, readTimeoutMillis,
                Objects.requireNonNull(observer, "observer"));
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
        return exchange(request(subjectToken, provider, null, null), provider, null);
    }

    /**
     * The connection an admin of {@code organization} made for it; the user must be a member.
     *
     * @param organization the Keycloak organization's alias (or id)
     * @see #forUser(String, String)
     */
    public UpstreamToken forOrganization(String subjectToken, String provider, String organization) {
        Objects.requireNonNull(organization, "organization");
        return exchange(request(subjectToken, provider, organization, null), provider, organization);
    }

    /**
     * A fresh token for the same connection as {@code refused}, which the provider's API just answered {@code 401}:
     * Conduit refreshes the connection if {@code refused} is still the one it holds, or hands out the newer one it
     * already has (another caller reported it first). Ask once per refused token: a connection whose fresh tokens
     * keep being refused is limited ({@code temporarily_unavailable}) and then marked as needing its user
     * ({@link UpstreamTokenRefusedException#needsUser()}).
     *
     * @param subjectToken the user's Keycloak access token, as for {@link #forUser}
     * @param refused      the token the provider refused, as this class returned it
     * @throws UpstreamTokenRefusedException when Keycloak refuses, as for {@link #forUser}
     */
    public UpstreamToken replacing(String subjectToken, UpstreamToken refused) {
        Objects.requireNonNull(refused, "refused");
        return exchange(request(subjectToken, refused.provider(), refused.organization(), refusedTokenSha256(refused.accessToken())),
                refused.provider(), refused.organization());
    }

    /**
     * Calls a provider's API with the connection's token; when the provider answers {@code 401} (its session ended
     * early), asks Conduit once for a replacement ({@link #replacing}) and calls again. Returns the body of the last
     * answer whatever its status (the first one unless it was a {@code 401}, else the second): let {@code T} carry
     * the status too when the caller needs it, e.g. the whole {@code HttpResponse}.
     *
     * @param provider     Conduit's alias for the provider, as for {@link #forUser}
     * @param organization the organization whose connection to use, or null for the user's own
     * @throws UpstreamTokenRefusedException when Keycloak refuses a token, first or replacement
     * @throws IOException                   what {@code call} throws
     */
    public <T> T call(String subjectToken, String provider, String organization, UpstreamCall<T> call)
            throws IOException, InterruptedException {
        Objects.requireNonNull(call, "call");
        UpstreamToken token = organization == null ? forUser(subjectToken, provider)
                : forOrganization(subjectToken, provider, organization);
        UpstreamCall.Answer<T> answer = Objects.requireNonNull(call.call(token), "the call's answer");
        if (answer.tokenRefused()) {
            answer = Objects.requireNonNull(call.call(replacing(subjectToken, token)), "the call's answer");
        }
        return answer.body();
    }

    /** The {@value #REFUSED_TOKEN_PARAMETER} value for an upstream access token (RFC 9449 {@code ath} encoding). */
    static String refusedTokenSha256(String accessToken) {
        Objects.requireNonNull(accessToken, "accessToken");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    TokenRequest request(String subjectToken, String provider, String organization, String refusedTokenSha256) {
        TokenExchangeGrant grant = new TokenExchangeGrant(
                new TypelessAccessToken(Objects.requireNonNull(subjectToken, "subjectToken")), TokenTypeURI.ACCESS_TOKEN,
                null, null,
                TokenTypeURI.ACCESS_TOKEN,
                List.of(new Audience(Objects.requireNonNull(provider, "provider"))));
        TokenRequest.Builder request = new TokenRequest.Builder(tokenEndpoint, client, grant);
        if (organization != null) {
            request.customParameter(ORGANIZATION_PARAMETER, organization);
        }
        if (refusedTokenSha256 != null) {
            request.customParameter(REFUSED_TOKEN_PARAMETER, refusedTokenSha256);
        }
        return request.build();
    }

    private UpstreamToken exchange(TokenRequest request, String provider, String organization) {
        HTTPRequest http = request.toHTTPRequest();
        http.setConnectTimeout(connectTimeoutMillis);
        http.setReadTimeout(readTimeoutMillis);
        http.setFollowRedirects(false);
        HTTPResponse response;
        try {
            response = http.send();
        } catch (IOException e) {
            observe(http, 0, null);
            throw new UncheckedIOException("token endpoint " + tokenEndpoint + " not reachable", e);
        }
        observe(http, response.getStatusCode(), response.getBody());
        return read(response, provider, organization);
    }

    private void observe(HTTPRequest http, int status, String body) {
        if (observer != null) {
            observer.accept(ExchangeWire.of(http.getURI(), http.getBody(), status, body));
        }
    }

    /**
     * The exchange's answer: the token, or the refusal as an exception.
     *
     * @param provider     the alias asked for: the token's provider when the answer does not name it
     * @param organization the organization asked for, or null
     */
    static UpstreamToken read(HTTPResponse response, String provider, String organization) {
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
        String answeredProvider = string(extra, "identity_provider");
        return new UpstreamToken(answeredProvider == null ? provider : answeredProvider, token.getValue(),
                Math.max(0, token.getLifetime()), scopes, string(extra, "account_id"), string(extra, "instance_url"),
                string(extra, "hub_id"), string(extra, "organization_id"), organization);
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
