package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.KeycloakCluster;
import dev.conduit.it.support.KeycloakProcess;
import dev.conduit.it.support.Refusals;
import dev.conduit.it.support.RowCount;
import dev.conduit.it.support.StorageScan;
import dev.conduit.it.support.StoredTokenSeed;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The stored-token migration when Keycloak itself dies mid-run (kill -9, not a database fault): on a two-node cluster
 * over PostgreSQL ({@link KeycloakCluster}), 10,000 identities of the demo realm's Conduit Salesforce broker hold a token
 * in clear. Node A runs the migration; node B refuses a second run (409) and reads A's figures; node A is killed when
 * about half are migrated, started again, and a new start there takes the dead run over once it is stale and finishes
 * it. Every identity is migrated exactly once, no token is left in clear, and a sample user's migrated token is served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoredTokenMigrationCrashIT {

    private static final int IDENTITIES = 10_000;
    private static final String ALIAS = "salesforce";
    private static final String REALM = ConduitEnvironment.REALM;

    private KeycloakCluster cluster;
    private SandboxEngine sandbox;

    @BeforeAll
    void startCluster() {
        Database.requirePostgres("the nodes share one PostgreSQL database");
        ConduitEnvironment env = ConduitEnvironment.get();
        sandbox = env.sandbox().engine();
        // no proactive refresh: the 10,000 migrated (made-up) tokens are due at once and would be refreshed meanwhile
        cluster = KeycloakCluster.start(env, List.of(KeycloakProcess.vaultOption("refresh-interval-seconds", "0")));
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void keycloakKilledHalfwayIsTakenOverAfterItsRestartAndEveryIdentityIsMigratedExactlyOnce() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "s27crash-" + tag;
        String username = "s27crash-user-" + tag;
        String password = "s27-" + UUID.randomUUID();
        String path = REALM + "/conduit-vault/stored-tokens/" + ALIAS;
        try (Connection db = cluster.database()) {
            String realmId = realmId(db);
            // one user who signs in later, whose stored token the sandbox issued; 9,999 more with made-up tokens
            sampleUser(db, username, password);
            StoredTokenSeed.seed(db, realmId, ALIAS, prefix, IDENTITIES - 1, 0, sandbox.instanceUrl());
            assertThat(stored(db, realmId)).isEqualTo(IDENTITIES);

            long started = System.nanoTime();
            HttpResponse<String> accepted = cluster.a().admin().call("POST", path + "/migrate", null);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String nodeA = AppTokens.json(accepted).get("node").asText();

            // node B: the same run, refused a second time, its figures read there
            Refusals.assertRefused(cluster.b().admin().call("POST", path + "/migrate", null), 409, "invalid_request",
                    "already running on node " + nodeA);
            JsonNode onB = cluster.b().admin().get(path);
            assertThat(onB.get("state").asText()).isEqualTo("RUNNING");
            assertThat(onB.get("node").asText()).isEqualTo(nodeA);

            // watch the database; kill -9 node A once about half are in the vault
            Await.until("half of the identities migrated", Duration.ofMinutes(5), () -> connections(db, realmId) >= IDENTITIES / 2);
            cluster.a().killHard();
            long killed = System.nanoTime();
            assertThat(cluster.a().alive()).isFalse();
            long atKill = connections(db, realmId);
            // every identity either sealed and cleared, or untouched: the batch in flight rolled back whole
            assertThat(atKill + stored(db, realmId)).as("migrated + still in clear at the kill").isEqualTo(IDENTITIES);
            assertThat(atKill).isLessThan(IDENTITIES);
            JsonNode dead = cluster.b().admin().get(path);
            assertThat(dead.get("migrated").asLong()).as("the run's counts, committed with each batch").isEqualTo(atKill);
            // within the bound the dead node's run still holds: no second run on B
            Refusals.assertRefused(cluster.b().admin().call("POST", path + "/migrate", null), 409, "invalid_request",
                    "already running");

            long restartMillis = cluster.a().restart();
            // a restart faster than the bound still finds the run held: started again once it is stale
            AtomicReference<HttpResponse<String>> takeover = new AtomicReference<>();
            Await.until("node A takes the stale run over", Duration.ofMinutes(2), () -> {
                takeover.set(cluster.a().admin().call("POST", path + "/migrate", null));
                return takeover.get().statusCode() != 409;
            });
            long takenOver = System.nanoTime();
            assertThat(takeover.get().statusCode()).as(takeover.get().body()).isEqualTo(202);
            JsonNode resumed = AppTokens.json(takeover.get());
            assertThat(resumed.get("takeovers").asInt()).isEqualTo(1);
            assertThat(resumed.get("node").asText()).as("the restarted node, a new process").isNotEqualTo(nodeA);
            assertThat(resumed.get("migrated").asLong()).isEqualTo(atKill);

            JsonNode[] last = new JsonNode[1];
            Await.until("the run finishes", Duration.ofMinutes(10), () -> {
                last[0] = cluster.b().admin().get(path);
                return !"RUNNING".equals(last[0].get("state").asText());
            });
            long finished = System.nanoTime();
            JsonNode end = last[0];
            System.out.printf("FIGURE stored-token migration, Keycloak killed mid-run (2-node cluster, PostgreSQL): %d of %d"
                            + " migrated at the kill after %d ms; node A restarted in %d ms; taken over %d ms after the kill"
                            + " (bound %d s); %d ms more to the end; %d ms in all%n", atKill, IDENTITIES,
                    (killed - started) / 1_000_000, restartMillis, (takenOver - killed) / 1_000_000,
                    30, (finished - takenOver) / 1_000_000, (finished - started) / 1_000_000);
            assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("FINISHED");
            assertThat(end.get("migrated").asLong()).isEqualTo(IDENTITIES);
            assertThat(end.get("skipped").asLong()).isZero();
            assertThat(end.get("unparseable").asLong()).isZero();
            assertThat(end.get("remaining").asLong()).isZero();
            assertThat(end.get("takeovers").asInt()).isEqualTo(1);

            // exactly once: one vault row per identity, none left in clear, no owner twice
            assertThat(connections(db, realmId)).isEqualTo(IDENTITIES);
            assertThat(stored(db, realmId)).isZero();
            assertThat(count(db, "select count(distinct owner_id) from conduit_connection where realm_id = ?", realmId))
                    .isEqualTo(IDENTITIES);
            assertThat(count(db, "select count(*) from (select owner_id from conduit_connection where realm_id = ?"
                    + " group by owner_id, provider_alias having count(*) > 1) twice", realmId)).isZero();
            StorageScan scan = new StorageScan(db, KeycloakCluster.SCHEMA);
            assertThat(scan.columns()).as("the scan reads Keycloak's stored-token column")
                    .anyMatch(c -> c.table().equalsIgnoreCase("federated_identity") && c.name().equalsIgnoreCase("token"));
            assertThat(scan.holding(List.of(prefix + "-at-", prefix + "-rt-", sampleTokens[0], sampleTokens[1])))
                    .as("columns holding a migrated token in clear").isEmpty();

            // the sample user's migrated token is served (due at once: refreshed on first use)
            String userToken = cluster.passwordLogin(username, password);
            int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
            JsonNode served = VaultRefreshIT.ok(cluster.b().exchange(userToken, Map.of("audience", ALIAS)));
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(refreshes + 1);
            assertThat(sandbox.accessTokenActive(served.get("access_token").asText())).isTrue();
            assertThat(served.get("access_token").asText().equals(sampleTokens[0])).isFalse();
        }
    }

    /** The sample user's stored access and refresh tokens, as the sandbox issued them. */
    private final String[] sampleTokens = new String[2];

    /** A user with a password, linked to Salesforce with a token response the sandbox issued stored in clear. */
    private void sampleUser(Connection db, String username, String password) throws SQLException {
        HttpResponse<String> created = cluster.a().admin().call("POST", REALM + "/users", Map.of("username", username,
                "enabled", true, "email", username + "@example.com", "emailVerified", true, "firstName", "S", "lastName", "C",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String userId = cluster.a().admin().userIdByUsername(REALM, username);
        HttpResponse<String> linked = cluster.a().admin().call("POST", REALM + "/users/" + userId + "/federated-identity/" + ALIAS,
                Map.of("identityProvider", ALIAS, "userId", Accounts.SALESFORCE_MARGARET.userId(),
                        "userName", Accounts.SALESFORCE_MARGARET.email()));
        assertThat(linked.statusCode()).as(linked.body()).isEqualTo(204);
        MintedGrant minted = sandbox.mintGrant(Provider.SALESFORCE, ConduitEnvironment.get().client(Provider.SALESFORCE).clientId(),
                Accounts.SALESFORCE_MARGARET.userId(), Set.of("api", "refresh_token"));
        sampleTokens[0] = minted.accessToken();
        sampleTokens[1] = minted.refreshToken();
        try (PreparedStatement update = db.prepareStatement(
                "update federated_identity set token = ? where user_id = ? and identity_provider = ?")) {
            update.setString(1, StoredTokenSeed.tokenResponse(minted.accessToken(), minted.refreshToken(), sandbox.instanceUrl()));
            update.setString(2, userId);
            update.setString(3, ALIAS);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        // written behind Keycloak's back: its (cluster-wide) user cache holds the identity without a token
        assertThat(cluster.a().admin().call("POST", REALM + "/clear-user-cache", null).statusCode()).isEqualTo(204);
    }

    private static String realmId(Connection db) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id from realm where name = ?")) {
            query.setString(1, REALM);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static long stored(Connection db, String realmId) {
        return count(db, "select count(*) from federated_identity where realm_id = ? and identity_provider = '" + ALIAS
                + "' and token is not null", realmId);
    }

    private static long connections(Connection db, String realmId) {
        return count(db, "select count(*) from conduit_connection where realm_id = ? and provider_alias = '" + ALIAS + "'",
                realmId);
    }

    private static long count(Connection db, String sql, String realmId) {
        try {
            return RowCount.of(db, sql, realmId);
        } catch (SQLException e) {
            throw new IllegalStateException("could not count: " + sql, e);
        }
    }
}
