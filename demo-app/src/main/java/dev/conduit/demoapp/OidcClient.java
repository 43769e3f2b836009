package dev.conduit.demoapp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The app's side of OpenID Connect with Keycloak, as a public client: authorization code with PKCE S256, state and
 * nonce; the code redeemed on the server; refresh; logout. Also Keycloak's account linking
 * ({@code kc_action=idp_link:<alias>}), which Conduit extends with {@code conduit_organization} and
 * {@code conduit_scope}.
 */
final class OidcClient {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    /** The scopes the app asks at sign-in; {@code organization} puts the person's organizations in the tokens. */
    static final String SCOPE = "openid organization";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DemoAppConfig config;
    private final HttpClient http;

    OidcClient(DemoAppConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    String tokenEndpoint() {
        return config.realmUrl() + "/protocol/openid-connect/token";
    }

    /** Where to send the browser for this authorization: sign-in, or linking a provider. */
    String authorizationUrl(Authorization authorization, String redirectUri) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", config.appClientId());
        query.put("response_type", "code");
        query.put("scope", SCOPE);
        query.put("redirect_uri", redirectUri);
        query.put("state", authorization.state());
        query.put("nonce", authorization.nonce());
        query.put("code_challenge", authorization.pkce().challenge());
        query.put("code_challenge_method", "S256");
        Authorization.Purpose purpose = authorization.purpose();
        if (purpose.kind() == Authorization.Purpose.Kind.SIGN_IN && purpose.provider() != null) {
            query.put("kc_idp_hint", purpose.provider());
        } else if (purpose.kind() != Authorization.Purpose.Kind.SIGN_IN) {
            query.put("kc_action", "idp_link:" + purpose.provider());
            if (purpose.organization() != null) {
                query.put("conduit_organization", purpose.organization());
            }
            if (purpose.extraScopes() != null) {
                query.put("conduit_scope", purpose.extraScopes());
            }
        }
        return config.realmUrl() + "/protocol/openid-connect/auth?" + form(query);
    }

    /** Redeems the code the callback brought, with the authorization's PKCE verifier. */
    KeycloakTokens redeem(String code, Authorization authorization, String redirectUri) throws KeycloakRefusal {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("client_id", config.appClientId());
        body.put("code", code);
        body.put("redirect_uri", redirectUri);
        body.put("code_verifier", authorization.pkce().verifier());
        return tokens(post(tokenEndpoint(), body));
    }

    KeycloakTokens refresh(String refreshToken) throws KeycloakRefusal {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "refresh_token");
        body.put("client_id", config.appClientId());
        body.put("refresh_token", refreshToken);
        return tokens(post(tokenEndpoint(), body));
    }

    /**
     * Who signed in, from the ID token (received over the back channel): its issuer, audience and expiry are
     * checked, and its nonce must be the one this authorization sent.
     */
    DemoSession.SignedInPerson person(KeycloakTokens tokens, String expectedNonce, long nowSeconds) throws KeycloakRefusal {
        JsonNode id = Jwt.claims(tokens.idToken());
        if (!config.realmUrl().equals(id.path("iss").asText())) {
            throw new KeycloakRefusal(200, "invalid_id_token", "issuer is not this realm");
        }
        JsonNode aud = id.path("aud");
        boolean audience = aud.isArray() ? contains(aud, config.appClientId()) : config.appClientId().equals(aud.asText());
        if (!audience) {
            throw new KeycloakRefusal(200, "invalid_id_token", "not issued to this app");
        }
        if (id.path("exp").asLong(0) < nowSeconds) {
            throw new KeycloakRefusal(200, "invalid_id_token", "expired");
        }
        if (expectedNonce == null || !Text.sameSecret(expectedNonce, id.path("nonce").asText(null))) {
            throw new KeycloakRefusal(200, "invalid_id_token", "nonce does not match this sign-in");
        }
        String name = id.path("name").asText(id.path("preferred_username").asText(""));
        return new DemoSession.SignedInPerson(id.path("sub").asText(), name, id.path("preferred_username").asText(""),
                organizations(Jwt.claims(tokens.accessToken())));
    }

    /**
     * The aliases in an {@code organization} claim: Keycloak writes a list of aliases, or an object keyed by alias
     * when the mapper adds the organizations' ids or attributes.
     */
    static List<String> organizations(JsonNode claims) {
        JsonNode claim = claims.path("organization");
        List<String> aliases = new ArrayList<>();
        if (claim.isArray()) {
            claim.forEach(node -> {
                if (node.isTextual()) {
                    aliases.add(node.asText());
                }
            });
        } else if (claim.isObject()) {
            claim.fieldNames().forEachRemaining(aliases::add);
        }
        return List.copyOf(aliases);
    }

    /** Keycloak's end-session endpoint for this person, back to {@code postLogoutRedirectUri}. */
    String logoutUrl(String idToken, String postLogoutRedirectUri) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", config.appClientId());
        query.put("post_logout_redirect_uri", postLogoutRedirectUri);
        if (idToken != null) {
            query.put("id_token_hint", idToken);
        }
        return config.realmUrl() + "/protocol/openid-connect/logout?" + form(query);
    }

    /** GET with the person's bearer token (Conduit's own-connections endpoint). */
    HttpResponse<String> get(String url, String bearer) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + bearer).header("Accept", "application/json").GET().build();
        return send(request);
    }

    private HttpResponse<String> post(String url, Map<String, String> body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(body))).build();
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak (" + config.keycloakUrl() + ") did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Keycloak", e);
        }
    }

    private static KeycloakTokens tokens(HttpResponse<String> response) throws KeycloakRefusal {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new KeycloakRefusal(response.statusCode(), null, "the answer is not JSON");
        }
        if (response.statusCode() != 200 || body == null || !body.hasNonNull("access_token")) {
            throw new KeycloakRefusal(response.statusCode(), body == null ? null : body.path("error").asText(null),
                    body == null ? null : body.path("error_description").asText(null));
        }
        long now = System.currentTimeMillis() / 1000;
        long refreshExpiresIn = body.path("refresh_expires_in").asLong(0);
        return new KeycloakTokens(body.get("access_token").asText(), body.path("refresh_token").asText(null),
                body.path("id_token").asText(null), now + body.path("expires_in").asLong(60),
                refreshExpiresIn > 0 ? now + refreshExpiresIn : 0);
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode node : array) {
            if (value.equals(node.asText())) {
                return true;
            }
        }
        return false;
    }

    static String form(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
