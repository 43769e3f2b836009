package dev.conduit.vault.upstream;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.conduit.api.grant.UpstreamClient;
import org.apache.http.client.config.RequestConfig;
import org.keycloak.http.simple.SimpleHttp;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.http.simple.SimpleHttpResponse;
import org.keycloak.models.KeycloakSession;

/**
 * Refresh and revocation calls to a provider's token endpoints, through Keycloak's HTTP client (its proxy
 * and truststore settings) with explicit timeouts. The client secret is resolved through Keycloak's vault at
 * call time. Nothing here logs; answers carry error codes and statuses, never tokens or bodies.
 */
public final class UpstreamTokenCalls {

    private static final long MAX_RESPONSE_BYTES = 256_000;

    private final KeycloakSession session;
    private final RequestConfig timeouts;

    public UpstreamTokenCalls(KeycloakSession session, int connectTimeoutMillis, int readTimeoutMillis) {
        this.session = session;
        this.timeouts = RequestConfig.custom()
                .setConnectTimeout(connectTimeoutMillis)
                .setConnectionRequestTimeout(connectTimeoutMillis)
                .setSocketTimeout(readTimeoutMillis)
                .build();
    }

    public TokenAnswer refresh(UpstreamClient client, String refreshToken) {
        try {
            return refresh(client, clientSecret(client), refreshToken);
        } catch (MissingSecretException e) {
            return TokenAnswer.notSent(e.getMessage());
        }
    }

    /**
     * A refresh with the client secret already resolved ({@link #clientSecret}), so the call itself needs nothing of
     * the session but its HTTP client: the vault sends it with no transaction open.
     */
    public TokenAnswer refresh(UpstreamClient client, String clientSecret, String refreshToken) {
        SimpleHttpRequest request = http().doPost(client.tokenUrl())
                .acceptJson()
                .param("grant_type", "refresh_token")
                .param("refresh_token", refreshToken);
        authenticate(request, client, clientSecret);
        try (SimpleHttpResponse response = request.asResponse()) {
            return TokenAnswer.parse(response.getStatus(), response.asString(), response.getFirstHeader("Retry-After"));
        } catch (IOException e) {
            return TokenAnswer.unreachable("token endpoint unreachable: " + describe(e));
        }
    }

    /**
     * A server connection's mint: the kind's form POSTed to its token URL (the form carries the grant: an assertion or
     * a client secret), the answer read as a refresh's is.
     */
    public TokenAnswer mint(dev.conduit.api.server.MintRequest mint) {
        SimpleHttpRequest request = http().doPost(mint.tokenUrl()).acceptJson();
        mint.form().forEach(request::param);
        try (SimpleHttpResponse response = request.asResponse()) {
            return TokenAnswer.parse(response.getStatus(), response.asString(), response.getFirstHeader("Retry-After"));
        } catch (IOException e) {
            return TokenAnswer.unreachable("token endpoint unreachable: " + describe(e));
        }
    }

    /** The status of an authenticated GET (a static token's health check); 0 when no answer came. Nothing is read. */
    public int check(String url, String bearerToken) {
        SimpleHttpRequest request = http().doGet(url).acceptJson().auth(bearerToken);
        try (SimpleHttpResponse response = request.asResponse()) {
            return response.getStatus();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Revokes a token: a refresh token (which, at all three providers, also ends the access tokens issued from it)
     * or, where the connection holds none, an access token. The answer is read by {@link RevokeAnswer#of}.
     */
    public RevokeAnswer revoke(UpstreamClient client, String token, boolean refreshToken) {
        String secret = null;
        if (client.revocation() != UpstreamClient.Revocation.DELETE_PATH) {
            try {
                secret = clientSecret(client);
            } catch (MissingSecretException e) {
                return RevokeAnswer.unreachable(e.getMessage());
            }
        }
        return revoke(client, secret, token, refreshToken);
    }

    /**
     * A revocation with the client secret already resolved ({@link #clientSecret}; null where the request needs none,
     * HubSpot's DELETE), so the call needs nothing of the session but its HTTP client.
     */
    public RevokeAnswer revoke(UpstreamClient client, String clientSecret, String token, boolean refreshToken) {
        SimpleHttpRequest request = switch (client.revocation()) {
            case DELETE_PATH -> http().doDelete(client.revocationUrl() + URLEncoder.encode(token, StandardCharsets.UTF_8));
            case POST_FORM, POST_FORM_WHOLE_GRANT -> {
                SimpleHttpRequest post = http().doPost(client.revocationUrl()).acceptJson().param("token", token);
                String hint = tokenTypeHint(client.revocation(), refreshToken);
                if (hint != null) {
                    post.param("token_type_hint", hint);
                }
                authenticate(post, client, clientSecret);
                yield post;
            }
        };
        try (SimpleHttpResponse response = request.asResponse()) {
            int status = response.getStatus();
            return RevokeAnswer.of(client.revocation(), status, status >= 200 && status < 300 ? null : response.asString());
        } catch (IOException e) {
            return RevokeAnswer.unreachable("revocation endpoint unreachable: " + describe(e));
        }
    }

    /**
     * RFC 7009 §2.1 {@code token_type_hint}, sent where the provider's revocation endpoint follows RFC 7009
     * (Salesforce, whose endpoint answers RFC 7009's {@code unsupported_token_type}). Google's documented request
     * is {@code token} alone and HubSpot's is a DELETE on the token's URL: no hint there.
     */
    static String tokenTypeHint(UpstreamClient.Revocation kind, boolean refreshToken) {
        if (kind != UpstreamClient.Revocation.POST_FORM) {
            return null;
        }
        return refreshToken ? "refresh_token" : "access_token";
    }

    /** The client's secret through Keycloak's vault (the realm in the session's context), or null when it has none. */
    public String clientSecret(UpstreamClient client) throws MissingSecretException {
        return resolveSecret(client.clientSecret());
    }

    /** The secret a revocation at {@code client} authenticates with: none for a DELETE on the token's URL, else {@link #clientSecret}. */
    public String revocationSecret(UpstreamClient client) throws MissingSecretException {
        return client.revocation() == UpstreamClient.Revocation.DELETE_PATH ? null : clientSecret(client);
    }

    private static void authenticate(SimpleHttpRequest request, UpstreamClient client, String secret) {
        if (client.basicAuth()) {
            request.authBasic(client.clientId(), secret);
        } else {
            request.param("client_id", client.clientId());
            if (secret != null) {
                request.param("client_secret", secret);
            }
        }
    }

    /** What went wrong on the wire, in words an app's error description may carry (no class names). */
    static String describe(IOException e) {
        if (e instanceof java.net.SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failure";
        }
        return "connection failed";
    }

    /**
     * The client secret through Keycloak's vault. A vault reference the vault cannot resolve (its file is missing)
     * is a configuration error, never sent as if it were the secret.
     */
    private String resolveSecret(String configured) throws MissingSecretException {
        if (configured == null) {
            return null;
        }
        Optional<String> resolved = session.vault().getStringSecret(configured).get();
        if (resolved.isEmpty() && isVaultReference(configured)) {
            throw new MissingSecretException();
        }
        return resolved.orElse(configured);
    }

    static boolean isVaultReference(String configured) {
        return configured.startsWith("${vault.") && configured.endsWith("}");
    }

    /** The identity provider's client secret names a Keycloak vault entry that does not exist. */
    public static final class MissingSecretException extends Exception {
        MissingSecretException() {
            super("client_secret_missing: the identity provider's client secret is not in Keycloak's vault");
        }
    }

    private SimpleHttp http() {
        return SimpleHttp.create(session).withRequestConfig(timeouts).withMaxConsumedResponseSize(MAX_RESPONSE_BYTES);
    }
}
