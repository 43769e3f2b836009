package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Attacks on the vault by people who hold a realm account: Elizabeth (an ordinary realm user, with an app
 * token of her own) against Millie's HubSpot connection, through the vault's APIs and, as a database writer,
 * by copying Millie's sealed tokens into her own row. Each asserts the refusal and that Millie's connection and
 * token are unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VaultAttackIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String victimToken;
    private String attackerToken;
    private String victimId;
    private String attackerId;

    @BeforeAll
    void connectBoth() {
        victimToken = connect(Accounts.HUBSPOT_MILLIE);
        attackerToken = connect(Accounts.HUBSPOT_ELIZABETH);
        victimId = env.admin().userIdByEmail(REALM, Accounts.HUBSPOT_MILLIE.email());
        attackerId = env.admin().userIdByEmail(REALM, Accounts.HUBSPOT_ELIZABETH.email());
    }

    @AfterAll
    void cleanUp() {
        env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_MILLIE.email());
        env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_ELIZABETH.email());
    }

    @Test
    void realmUserCannotReadOrDisconnectAnotherUsersConnectionThroughTheAdminApi() {
        JsonNode before = vault.connection("USER", victimId, "hubspot");
        String base = env.keycloakUrl() + "/admin/realms/" + REALM + "/conduit-vault/connections";

        // her token authenticates her (no 401): the admin API forbids what her roles do not allow
        assertThat(send("GET", base + "?ownerId=" + victimId, attackerToken).statusCode()).isEqualTo(403);
        assertThat(send("GET", base + "/" + before.get("id").asText(), attackerToken).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", base + "/" + before.get("id").asText(), attackerToken).statusCode()).isEqualTo(403);
        assertThat(send("POST", base + "/" + before.get("id").asText() + "/refresh", attackerToken).statusCode()).isEqualTo(403);

        assertThat(vault.connection("USER", victimId, "hubspot")).isEqualTo(before);
        assertThat(upstreamTokenOf(victimToken)).as("Millie's connection still serves her").isNotNull();
    }

    @Test
    void realmUserCannotStartOrReadAKeyRotation() {
        // Elizabeth plays Mallory here: a realm account without admin roles, with a valid token of her own
        String rotation = env.keycloakUrl() + "/admin/realms/" + REALM + "/conduit-vault/rotate-key";
        HttpResponse<String> progressBefore = env.admin().call("GET", REALM + "/conduit-vault/rotate-key", null);
        JsonNode keysBefore = env.admin().get(REALM + "/conduit-vault/keys");

        HttpResponse<String> start = send("POST", rotation, attackerToken);
        HttpResponse<String> read = send("GET", rotation, attackerToken);

        assertThat(start.statusCode()).as(start.body()).isEqualTo(403);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(403);
        assertThat(read.body()).doesNotContain("undecryptable").doesNotContain("activeKeyId");
        HttpResponse<String> progressAfter = env.admin().call("GET", REALM + "/conduit-vault/rotate-key", null);
        assertThat(progressAfter.statusCode()).as("no rotation was started").isEqualTo(progressBefore.statusCode());
        assertThat(progressAfter.body()).isEqualTo(progressBefore.body());
        assertThat(env.admin().get(REALM + "/conduit-vault/keys")).isEqualTo(keysBefore);
    }

    @Test
    void realmUsersConnectionsPageShowsOnlyTheirOwnConnections() {
        // the demo app's client may read a person's own connections (conduit.own-connections.read); clients without
        // that attribute get 401 (OwnConnectionsClientAttackIT)
        String victimConnection = vault.connection("USER", victimId, "hubspot").get("id").asText();
        HttpResponse<String> answer = send("GET", env.realmUrl() + "/conduit-my-connections", attackerToken);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains(Accounts.HUBSPOT_ELIZABETH.userId())
                .doesNotContain(Accounts.HUBSPOT_MILLIE.userId(), victimConnection);
    }

    @Test
    void databaseWriterWhoCopiesAnotherUsersSealedTokensIntoTheirRowGetsNothing() throws SQLException {
        Database.requirePostgres("writes the vault's table over JDBC");
        String victimUpstream = upstreamTokenOf(victimToken);
        assertThat(victimUpstream).isNotNull();
        try (Connection db = Database.connect()) {
            try (PreparedStatement copy = db.prepareStatement("update conduit_connection set access_token = v.access_token, "
                    + "refresh_token = v.refresh_token, key_id = v.key_id from conduit_connection v "
                    + "where v.owner_id = ? and v.provider_alias = 'hubspot' "
                    + "and conduit_connection.owner_id = ? and conduit_connection.provider_alias = 'hubspot'")) {
                copy.setString(1, victimId);
                copy.setString(2, attackerId);
                assertThat(copy.executeUpdate()).as("Elizabeth's row now holds Millie's ciphertext").isEqualTo(1);
            }
        }
        // the vault's cache of decrypted tokens, if any, must not hide the copy: make the stored token due
        vault.expireAccessToken(vault.connection("USER", attackerId, "hubspot").get("id").asText());

        HttpResponse<String> answer = apps.exchange(attackerToken, Map.of("audience", "hubspot"));
        // the sealed tokens are bound to Millie's row: on Elizabeth's they do not open
        assertRefused(answer, 503, "temporarily_unavailable", "The stored connection cannot be opened with this server's keys");
        assertThat(answer.body()).doesNotContain(victimUpstream);
        // Millie's own connection is untouched and keeps serving her
        assertThat(upstreamTokenOf(victimToken)).isEqualTo(victimUpstream);
    }

    private String connect(Account account) {
        env.admin().deleteUserByEmail(REALM, account.email());
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), "hubspot", account);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        return apps.accessToken(end);
    }

    private String upstreamTokenOf(String appToken) {
        HttpResponse<String> answer = apps.exchange(appToken, Map.of("audience", "hubspot"));
        return answer.statusCode() == 200 ? AppTokens.json(answer).get("access_token").asText() : null;
    }

    private HttpResponse<String> send(String method, String url, String bearer) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
