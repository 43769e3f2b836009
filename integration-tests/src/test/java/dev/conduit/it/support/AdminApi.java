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
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Keycloak's admin REST API, as the master realm's admin, over plain HTTP. */
public final class AdminApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String password;

    public AdminApi(String baseUrl, String password) {
        this.baseUrl = baseUrl;
        this.password = password;
    }

    /** An access token of the master realm's admin (for tests that need a token of another realm). */
    public String accessToken() {
        return token();
    }

    private String token() {
        String form = "grant_type=password&client_id=admin-cli&username=admin&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        return json(response).get("access_token").asText();
    }

    public HttpResponse<String> call(String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/admin/realms/" + path))
                .header("Authorization", "Bearer " + token())
                .timeout(Duration.ofSeconds(30));
        try {
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(request);
    }

    /** A request whose body is sent as given (JSON a test wrote by hand, or not JSON at all). */
    public HttpResponse<String> callRaw(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + "/admin/realms/" + path))
                .header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofString(body)));
    }

    /** GET /admin/serverinfo, what the admin console's server info page shows. */
    public HttpResponse<String> serverInfo() {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + "/admin/serverinfo"))
                .header("Authorization", "Bearer " + token()).timeout(Duration.ofSeconds(30)).GET());
    }

    public JsonNode get(String path) {
        HttpResponse<String> response = call("GET", path, null);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
        }
        return json(response);
    }

    public String userIdByUsername(String realm, String username) {
        JsonNode users = get(realm + "/users?exact=true&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8));
        return users.size() == 0 ? null : users.get(0).get("id").asText();
    }

    public String userIdByEmail(String realm, String email) {
        JsonNode users = get(realm + "/users?exact=true&email=" + URLEncoder.encode(email, StandardCharsets.UTF_8));
        return users.size() == 0 ? null : users.get(0).get("id").asText();
    }

    public void deleteUserByEmail(String realm, String email) {
        String id = userIdByEmail(realm, email);
        if (id != null) {
            call("DELETE", realm + "/users/" + id, null);
        }
    }

    public void setPassword(String realm, String userId, String newPassword) {
        HttpResponse<String> response = call("PUT", realm + "/users/" + userId + "/reset-password",
                Map.of("type", "password", "value", newPassword, "temporary", false));
        if (response.statusCode() != 204) {
            throw new IllegalStateException("reset-password answered " + response.statusCode());
        }
    }

    public JsonNode federatedIdentities(String realm, String userId) {
        return get(realm + "/users/" + userId + "/federated-identity");
    }

    public void removeFederatedIdentity(String realm, String userId, String alias) {
        call("DELETE", realm + "/users/" + userId + "/federated-identity/" + alias, null);
    }

    public JsonNode identityProvider(String realm, String alias) {
        return get(realm + "/identity-provider/instances/" + alias);
    }

    public void createIdentityProvider(String realm, JsonNode representation) {
        HttpResponse<String> response = call("POST", realm + "/identity-provider/instances", representation);
        if (response.statusCode() != 201 && response.statusCode() != 409) {
            throw new IllegalStateException("create identity provider answered " + response.statusCode() + " " + response.body());
        }
    }

    /**
     * POSTs to {@code /admin/realms/{path}} without a body and returns the JSON answer (200 expected), allowing
     * up to {@code timeout} for long synchronous runs. {@code requestNanos} receives the wall time of the request
     * alone, the admin token being fetched before the clock starts.
     */
    public JsonNode postTimed(String path, Duration timeout, java.util.function.LongConsumer requestNanos) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/admin/realms/" + path))
                .header("Authorization", "Bearer " + token())
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        requestNanos.accept(System.nanoTime() - started);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode());
        }
        return json(response);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectMapper mapper() {
        return JSON;
    }
}
