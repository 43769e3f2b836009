package dev.conduit.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Users with some of a realm's realm-management roles, their admin tokens, and admin calls made with them. */
public final class RealmAdmins {

    private final ConduitEnvironment env;
    private final String password;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public RealmAdmins(ConduitEnvironment env, String password) {
        this.env = env;
        this.password = password;
    }

    /** Creates the user (replacing one left over) with these realm-management roles (none: a plain user). */
    public void create(String realm, String username, String... roles) {
        String existing = env.admin().userIdByUsername(realm, username);
        if (existing != null) {
            env.admin().call("DELETE", realm + "/users/" + existing, null);
        }
        HttpResponse<String> created = env.admin().call("POST", realm + "/users", Map.of("username", username, "enabled", true,
                "email", username + "@admins.example", "emailVerified", true, "firstName", username, "lastName", "Admin",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String userId = env.admin().userIdByUsername(realm, username);
        String management = env.admin().get(realm + "/clients?clientId=realm-management").get(0).get("id").asText();
        for (String role : roles) {
            JsonNode roleRep = env.admin().get(realm + "/clients/" + management + "/roles/" + role);
            HttpResponse<String> granted = env.admin().call("POST", realm + "/users/" + userId + "/role-mappings/clients/"
                    + management, List.of(Map.of("id", roleRep.get("id").asText(), "name", role)));
            assertThat(granted.statusCode()).as(granted.body()).isEqualTo(204);
        }
    }

    public void delete(String realm, String username) {
        String id = env.admin().userIdByUsername(realm, username);
        if (id != null) {
            env.admin().call("DELETE", realm + "/users/" + id, null);
        }
    }

    /** The user's token from admin-cli in their realm. */
    public String token(String realm, String username) {
        HttpResponse<String> answer = new AppTokens(env).post(env.keycloakUrl() + "/realms/" + realm
                + "/protocol/openid-connect/token", Map.of("grant_type", "password", "client_id", "admin-cli",
                "username", username, "password", password), null);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return AppTokens.json(answer).get("access_token").asText();
    }

    /** An admin API call ({@code path} under /admin/realms/) with this token and a JSON body (or none). */
    public HttpResponse<String> call(String token, String method, String path, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(env.keycloakUrl() + "/admin/realms/" + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        if (jsonBody != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
