package dev.conduit.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Provider;

/**
 * A realm as Keycloak's Store Tokens leaves it, and the way out (README, coming from Keycloak's stored tokens): a plain
 * {@code oidc} identity provider storing tokens, users linked to it with a stored token response in
 * {@code FEDERATED_IDENTITY.TOKEN} (written over JDBC), the switch to a Conduit broker of the same alias and the
 * stored-token migration, each as an admin (or a given bearer) calls them.
 */
public final class StoredTokenRealms {

    private final ConduitEnvironment env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public StoredTokenRealms(ConduitEnvironment env) {
        this.env = env;
    }

    /** Keycloak's own OIDC broker at the sandbox's Salesforce, with Store Tokens on, as the demo's Salesforce client. */
    public void plainOidcWithStoreTokens(String realm, String alias) {
        plainOidcWithStoreTokens(realm, alias, env.client(Provider.SALESFORCE).clientId(), "s26-not-a-secret");
    }

    public void plainOidcWithStoreTokens(String realm, String alias, String clientId, String clientSecret) {
        String issuer = env.sandbox().engine().issuer(Provider.SALESFORCE);
        ObjectNode oidc = AdminApi.mapper().createObjectNode().put("alias", alias).put("providerId", "oidc")
                .put("enabled", true).put("storeToken", true);
        oidc.putObject("config").put("clientId", clientId).put("clientSecret", clientSecret)
                .put("authorizationUrl", issuer + "/auth").put("tokenUrl", issuer + "/token")
                .put("clientAuthMethod", "client_secret_post");
        env.admin().createIdentityProvider(realm, oidc);
        assertThat(env.admin().identityProvider(realm, alias).get("providerId").asText()).isEqualTo("oidc");
    }

    /** What Keycloak's Store Tokens keeps: the provider's token response JSON as it came. */
    public String tokenResponse(String accessToken, String refreshToken) {
        return StoredTokenSeed.tokenResponse(accessToken, refreshToken, env.sandbox().engine().instanceUrl());
    }

    /** {@code POST /admin/realms/{realm}/conduit-vault/identity-providers/{alias}/switch} as the master admin. */
    public HttpResponse<String> switchToConduit(String realm, String alias, String providerId, Map<String, String> config) {
        return switchToConduit(realm, alias, providerId, config, env.admin().accessToken());
    }

    public HttpResponse<String> switchToConduit(String realm, String alias, String providerId, Map<String, String> config,
            String bearer) {
        ObjectNode body = AdminApi.mapper().createObjectNode().put("providerId", providerId);
        ObjectNode settings = body.putObject("config");
        config.forEach(settings::put);
        return admin("POST", realm + "/conduit-vault/identity-providers/" + alias + "/switch", bearer, body.toString(),
                Duration.ofSeconds(30));
    }

    /**
     * The switch to the Conduit Salesforce broker with the demo realm's Salesforce settings (its login host at the
     * sandbox; its client secret from Keycloak's vault, written for {@code realm} when that is another realm).
     */
    public JsonNode switchToConduitSalesforce(String realm, String alias) {
        JsonNode demo = env.admin().identityProvider(ConduitEnvironment.REALM, "salesforce");
        Map<String, String> config = AdminApi.mapper().convertValue(demo.get("config"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
        if (!ConduitEnvironment.REALM.equals(realm)) {
            env.writeVaultSecret(realm, "salesforce-client-secret", env.client(Provider.SALESFORCE).clientSecret());
        }
        HttpResponse<String> switched = switchToConduit(realm, alias, demo.get("providerId").asText(), config);
        assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);
        assertThat(env.admin().identityProvider(realm, alias).get("providerId").asText())
                .isEqualTo(demo.get("providerId").asText());
        return AppTokens.json(switched);
    }

    /** {@code POST .../conduit-vault/stored-tokens/{alias}/migrate} as the master admin: it answers 202 and runs on. */
    public HttpResponse<String> migrate(String realm, String alias) {
        return admin("POST", realm + "/conduit-vault/stored-tokens/" + alias + "/migrate", env.admin().accessToken(), null,
                Duration.ofMinutes(10));
    }

    /**
     * Starts the alias's migration (202, its figures so far and the Location of its progress), then reads its progress
     * until it is no longer RUNNING; answers the last figures read.
     */
    public JsonNode runToEnd(String realm, String alias) {
        HttpResponse<String> accepted = migrate(realm, alias);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(AppTokens.json(accepted).get("state").asText()).isEqualTo("RUNNING");
        String location = accepted.headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo(env.keycloakUrl() + "/admin/realms/" + realm + "/conduit-vault/stored-tokens/" + alias);
        return awaitEnd(realm, alias);
    }

    /** Reads the alias's migration progress every 100 ms until it is no longer RUNNING (10 minutes at most). */
    public JsonNode awaitEnd(String realm, String alias) {
        JsonNode[] last = new JsonNode[1];
        Await.until("the stored-token migration of " + alias + " ends", Duration.ofMinutes(10), () -> {
            last[0] = env.admin().get(realm + "/conduit-vault/stored-tokens/" + alias);
            return !"RUNNING".equals(last[0].get("state").asText());
        });
        return last[0];
    }

    /** An admin REST call under {@code /admin/realms/} with someone's bearer token; {@code json} may be null. */
    public HttpResponse<String> admin(String method, String path, String bearer, String json, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(env.keycloakUrl() + "/admin/realms/" + path))
                .header("Authorization", "Bearer " + bearer).timeout(timeout);
        if (json != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String createUser(String realm, String username, String password) {
        HttpResponse<String> created = env.admin().call("POST", realm + "/users", Map.of("username", username,
                "enabled", true, "email", username + "@example.com", "emailVerified", true, "firstName", "S", "lastName", "M",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return env.admin().userIdByUsername(realm, username);
    }

    /** Links the user to {@code account} at {@code alias}, as Keycloak's admin API does. */
    public void link(String realm, String userId, String alias, Account account) {
        HttpResponse<String> linked = env.admin().call("POST", realm + "/users/" + userId + "/federated-identity/" + alias,
                Map.of("identityProvider", alias, "userId", account.userId(), "userName", account.email()));
        assertThat(linked.statusCode()).as(linked.body()).isEqualTo(204);
    }

    /** Gives the user these roles of the realm's {@code realm-management} client. */
    public void grantRealmManagement(String realm, String userId, String... roles) {
        String clientId = env.admin().get(realm + "/clients?clientId=realm-management").get(0).get("id").asText();
        List<JsonNode> reps = Arrays.stream(roles)
                .map(role -> env.admin().get(realm + "/clients/" + clientId + "/roles/" + role)).toList();
        HttpResponse<String> granted = env.admin().call("POST", realm + "/users/" + userId + "/role-mappings/clients/" + clientId, reps);
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(204);
    }

    /** The user's access token from {@code admin-cli} (password grant), for admin REST calls as that user. */
    public String passwordToken(String realm, String username, String password) {
        String form = "grant_type=password&client_id=admin-cli&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> answer;
        try {
            answer = http.send(HttpRequest.newBuilder(
                            URI.create(env.keycloakUrl() + "/realms/" + realm + "/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(answer.statusCode()).as("the token of " + username).isEqualTo(200);
        return AppTokens.json(answer).get("access_token").asText();
    }

    /**
     * A JDBC connection to the server's database, writing batches fast on PostgreSQL ({@code reWriteBatchedInserts});
     * skips the calling test where the database cannot be opened (the shared server on H2).
     */
    public Connection database() throws SQLException {
        if (!"PostgreSQL".equals(env.databaseName())) {
            return env.database("writes FEDERATED_IDENTITY over JDBC");
        }
        Database.requirePostgres("writes FEDERATED_IDENTITY over JDBC");
        Properties properties = new Properties();
        properties.setProperty("user", Database.user());
        properties.setProperty("password", Database.password());
        properties.setProperty("reWriteBatchedInserts", "true");
        return java.sql.DriverManager.getConnection(Database.url(), properties);
    }

    /** Writes the user's stored token, as Keycloak's Store Tokens does on a login. */
    public static void setStoredToken(Connection db, String userId, String alias, String token) throws SQLException {
        try (PreparedStatement update = db.prepareStatement(
                "update federated_identity set token = ? where user_id = ? and identity_provider = ?")) {
            update.setString(1, token);
            update.setString(2, userId);
            update.setString(3, alias);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    /** The user's stored token (null when cleared); fails when the user has no federated identity of that alias. */
    public static String storedToken(Connection db, String userId, String alias) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(
                "select token from federated_identity where user_id = ? and identity_provider = ?")) {
            query.setString(1, userId);
            query.setString(2, alias);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("a federated identity of " + alias).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** The identity provider's row as Keycloak stored it: provider id, store token and config, for "nothing changed". */
    public static String identityProviderRow(Connection db, String realm, String alias) throws SQLException {
        StringBuilder row = new StringBuilder();
        String internalId;
        try (PreparedStatement query = db.prepareStatement("select i.internal_id, i.provider_id, i.store_token"
                + " from identity_provider i join realm r on r.id = i.realm_id where r.name = ? and i.provider_alias = ?")) {
            query.setString(1, realm);
            query.setString(2, alias);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("identity provider " + alias).isTrue();
                internalId = rs.getString(1);
                row.append(internalId).append(' ').append(rs.getString(2)).append(' ').append(rs.getBoolean(3));
            }
        }
        try (PreparedStatement query = db.prepareStatement("select name, value from identity_provider_config"
                + " where identity_provider_id = ? order by name")) {
            query.setString(1, internalId);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    row.append(' ').append(rs.getString(1)).append('=').append(rs.getString(2));
                }
            }
        }
        return row.toString();
    }

    /** Federated identities of the alias in the realm, with and without a stored token. */
    public static long federatedIdentities(Connection db, String realm, String alias) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select count(*) from federated_identity f join realm r"
                + " on r.id = f.realm_id where r.name = ? and f.identity_provider = ?")) {
            query.setString(1, realm);
            query.setString(2, alias);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
