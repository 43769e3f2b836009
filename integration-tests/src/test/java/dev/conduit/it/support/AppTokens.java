package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Keycloak tokens as the apps get them: the demo app's code redeemed with its PKCE verifier, and the internal
 * app's RFC 8693 exchange at the token endpoint (client authenticated with its secret).
 */
public final class AppTokens {

    public static final String INTERNAL_APP = "conduit-internal-app";

    private final ConduitEnvironment env;
    // HTTP/1.1: one connection per concurrent caller, as apps do; HTTP/2 would cap a refresh storm at the stream limit
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String internalSecret;

    public AppTokens(ConduitEnvironment env) {
        this.env = env;
    }

    /** Redeems the code the flow ended with, as the public demo app; returns its access token. */
    public String accessToken(BrowserSession.Page endedAtApp) {
        String code = endedAtApp.callbackParameter("code");
        if (code == null) {
            throw new AssertionError("the flow did not end with a code: " + endedAtApp.redirectedTo());
        }
        HttpResponse<String> response = post(env.realmUrl() + "/protocol/openid-connect/token", Map.of(
                "grant_type", "authorization_code", "client_id", ConduitEnvironment.APP_CLIENT, "code", code,
                "redirect_uri", ConduitEnvironment.APP_REDIRECT, "code_verifier", ConduitEnvironment.APP_PKCE_VERIFIER), null);
        if (response.statusCode() != 200) {
            throw new AssertionError("code redemption answered " + response.statusCode() + ": " + response.body());
        }
        return json(response).get("access_token").asText();
    }

    /** Signs in with username and password on Keycloak's own (identity-first) login page; returns the app's access token. */
    public String passwordLogin(String username, String password) {
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = browser.open(env.appLoginUrl(null));
        for (int step = 0; step < 3 && !page.endedAtApp() && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", username, "password", password));
        }
        return accessToken(page);
    }

    /** The internal app exchanges a subject token; {@code params} adds audience, resource, organization and so on. */
    public HttpResponse<String> exchange(String subjectToken, Map<String, String> params) {
        return post(env.realmUrl() + "/protocol/openid-connect/token", exchangeForm(subjectToken, params),
                basic(INTERNAL_APP, internalSecret()));
    }

    /** The form of an RFC 8693 exchange of an access token, with {@code params} added. */
    public static Map<String, String> exchangeForm(String subjectToken, Map<String, String> params) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        form.put("subject_token", subjectToken);
        form.put("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
        form.putAll(params);
        return form;
    }

    public String internalSecret() {
        if (internalSecret == null) {
            String id = env.admin().get(ConduitEnvironment.REALM + "/clients?clientId=" + INTERNAL_APP).get(0).get("id").asText();
            internalSecret = env.admin().get(ConduitEnvironment.REALM + "/clients/" + id + "/client-secret").get("value").asText();
        }
        return internalSecret;
    }

    /** The internal app's own service account's access token (client credentials). */
    public String serviceAccountToken() {
        HttpResponse<String> answer = post(env.realmUrl() + "/protocol/openid-connect/token",
                Map.of("grant_type", "client_credentials"), basic(INTERNAL_APP, internalSecret()));
        if (answer.statusCode() != 200) {
            throw new AssertionError("client credentials of " + INTERNAL_APP + " answered " + answer.statusCode());
        }
        return json(answer).get("access_token").asText();
    }

    /** Sets one attribute of the internal app's client (e.g. {@code conduit.exchange.organizations}). */
    @SuppressWarnings("unchecked")
    public void setInternalAppAttribute(String name, String value) {
        String id = env.admin().get(ConduitEnvironment.REALM + "/clients?clientId=" + INTERNAL_APP).get(0).get("id").asText();
        Map<String, Object> client = AdminApi.mapper().convertValue(env.admin().get(ConduitEnvironment.REALM + "/clients/" + id), Map.class);
        Map<String, Object> attributes = new java.util.LinkedHashMap<>((Map<String, Object>) client.get("attributes"));
        attributes.put(name, value);
        client.put("attributes", attributes);
        HttpResponse<String> updated = env.admin().call("PUT", ConduitEnvironment.REALM + "/clients/" + id, client);
        if (updated.statusCode() != 204) {
            throw new AssertionError("the update of " + INTERNAL_APP + " answered " + updated.statusCode());
        }
    }

    public HttpResponse<String> post(String url, Map<String, String> form, String authorization) {
        return postBody(url, formBody(form.entrySet()), authorization);
    }

    /** A form body of these name/value pairs in order (a name may repeat). */
    public static String formBody(java.util.Collection<Map.Entry<String, String>> pairs) {
        return pairs.stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** POSTs an already encoded form body. */
    public HttpResponse<String> postBody(String url, String body, String authorization) {
        return postBody(url, body, authorization, Map.of());
    }

    /** POSTs an already encoded form body with extra request headers (a DPoP proof, say). */
    public HttpResponse<String> postBody(String url, String body, String authorization, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String basic(String clientId, String secret) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An answer as a failure message may show it: status and body with every token value replaced (test tokens
     * are still tokens: they never reach a log).
     */
    public static String redacted(HttpResponse<String> response) {
        return response.statusCode() + " " + response.body()
                .replaceAll("\"(access_token|refresh_token|id_token)\"\\s*:\\s*\"[^\"]*\"", "\"$1\":\"(redacted)\"");
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return AdminApi.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
