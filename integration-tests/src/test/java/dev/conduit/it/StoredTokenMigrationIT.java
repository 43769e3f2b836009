package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.BrokeringApiClient;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.Refusals;
import dev.conduit.it.support.RowCount;
import dev.conduit.it.support.StorageScan;
import dev.conduit.it.support.StoredTokenRealms;
import dev.conduit.it.support.StoredTokenSeed;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.Test;

/**
 * Migration of the tokens Keycloak's Store Tokens kept in clear ({@code FEDERATED_IDENTITY.TOKEN}) into the vault, on
 * PostgreSQL (and on H2 in {@link StoredTokenMigrationH2IT}): an identity provider created as plain {@code oidc} with Store Tokens on, its users linked with stored
 * tokens, switched to the Conduit broker of the same alias (README, coming from Keycloak's stored tokens), migrated.
 */
class StoredTokenMigrationIT {

    private static final int IDENTITIES = 10_000;
    private static final int UNPARSEABLE = 3;
    private static final int FAULT_AT = 5_000;

    private final ConduitEnvironment env = environment();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final StoredTokenRealms realms = new StoredTokenRealms(env);

    /** The shared server (PostgreSQL by default); {@link StoredTokenMigrationH2IT} runs the same tests on H2. */
    ConduitEnvironment environment() {
        return ConduitEnvironment.get();
    }

    /**
     * Whether the test can fail one identity's update halfway (a PostgreSQL trigger in plpgsql); H2's triggers are Java
     * classes on the server's class path, so on H2 the run goes through in one call.
     */
    boolean canInjectAFault() {
        return true;
    }

    @Test
    void aLinkedUsersStoredTokenMovesAndTheirV2CallGetsIt() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String alias = "s26mig-" + tag;
        String username = "s26mig-user-" + tag;
        String password = "s26-" + UUID.randomUUID();
        realms.plainOidcWithStoreTokens(REALM, alias);
        String userId = realms.createUser(REALM, username, password);
        realms.link(REALM, userId, alias, Accounts.SALESFORCE_MARGARET);
        MintedGrant minted = sandbox.mintGrant(Provider.SALESFORCE, env.client(Provider.SALESFORCE).clientId(),
                Accounts.SALESFORCE_MARGARET.userId(), Set.of("api", "refresh_token"));
        String stored = realms.tokenResponse(minted.accessToken(), minted.refreshToken());
        BrokeringApiClient client = null;
        try (Connection db = realms.database()) {
            StoredTokenRealms.setStoredToken(db, userId, alias, stored);

            // before the switch: not a Conduit broker, refused, the stored token untouched
            Refusals.assertRefused(realms.migrate(REALM, alias), 400, "invalid_request", "not a Conduit broker");
            Refusals.assertRefused(realms.migrate(REALM, "s26mig-none-" + tag), 404, "invalid_request", "not found");
            assertThat(StoredTokenRealms.storedToken(db, userId, alias)).isEqualTo(stored);

            realms.switchToConduitSalesforce(REALM, alias);
            JsonNode migrated = realms.runToEnd(REALM, alias);
            assertThat(migrated.get("state").asText()).as(migrated.toString()).isEqualTo("FINISHED");
            assertThat(migrated.get("migrated").asLong()).as(migrated.toString()).isEqualTo(1);
            assertThat(migrated.get("skipped").asLong()).isZero();
            assertThat(migrated.get("unparseable").asLong()).isZero();
            assertThat(migrated.get("remaining").asLong()).isZero();
            assertThat(StoredTokenRealms.storedToken(db, userId, alias)).isNull();

            client = BrokeringApiClient.allow(env, alias);
            String userToken = apps.passwordLogin(username, password);
            sandbox.resetCounts();
            JsonNode answer = IdentityBrokeringApiIT.ok(client.retrieve(alias, userToken));
            // Keycloak kept no time with the response: the migrated token is due, so the first use refreshed it
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(1);
            assertThat(answer.get("access_token").asText()).isNotEqualTo(minted.accessToken());
            assertThat(sandbox.accessTokenActive(answer.get("access_token").asText())).isTrue();
            assertThat(answer.get("instance_url").asText()).isEqualTo(sandbox.instanceUrl());

            // a stale copy left in the column (Keycloak wrote it again): the vault's connection wins, the column is cleared
            String vaultRowBefore = vaultRow(db, userId, alias);
            StoredTokenRealms.setStoredToken(db, userId, alias, stored);
            // written behind Keycloak's back: its user cache still holds the cleared identity
            assertThat(env.admin().call("POST", REALM + "/clear-user-cache", null).statusCode()).isEqualTo(204);
            JsonNode again = realms.runToEnd(REALM, alias);
            assertThat(again.get("migrated").asLong()).as(again.toString()).isZero();
            assertThat(again.get("skipped").asLong()).isEqualTo(1);
            assertThat(again.get("remaining").asLong()).isZero();
            assertThat(StoredTokenRealms.storedToken(db, userId, alias)).isNull();
            assertThat(vaultRow(db, userId, alias)).isEqualTo(vaultRowBefore);
        } finally {
            if (client != null) {
                client.restore();
            }
            env.admin().call("DELETE", REALM + "/users/" + userId, null);
            env.admin().call("DELETE", REALM + "/identity-provider/instances/" + alias, null);
            // the removals parked the refreshed token's revocation: sent now, not during a later suite's count
            new VaultApi(env).sendPendingRevocations(REALM);
        }
    }

    @Test
    void tenThousandStoredTokensMoveInBatchesThroughAFaultHalfwayWithExactCountsAndNoTokenInClear() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String realm = "s26mig-" + tag;
        String alias = "salesforce";
        HttpResponse<String> created = env.admin().call("POST", "", Map.of("realm", realm, "enabled", true));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        realms.plainOidcWithStoreTokens(realm, alias);
        String realmId;
        try (Connection db = realms.database()) {
            realmId = realmId(db, realm);
        }
        try (Connection db = realms.database()) {
            long seedStarted = System.nanoTime();
            StoredTokenSeed.seed(db, realmId, alias, "s26mig-" + tag, IDENTITIES, UNPARSEABLE, sandbox.instanceUrl());
            System.out.printf("FIGURE stored-token migration: %d identities seeded over JDBC in %d ms%n",
                    IDENTITIES + UNPARSEABLE, (System.nanoTime() - seedStarted) / 1_000_000);
            realms.switchToConduitSalesforce(realm, alias);

            // Mallory views the realm and queries its users, but neither manages nor views its identity providers:
            // refused, nothing changed (the migration needs manage-identity-providers, its figures view-identity-providers)
            String mallory = realms.createUser(realm, "mallory-" + tag, "mallory-" + tag);
            realms.grantRealmManagement(realm, mallory, "view-realm", "query-users", "view-users");
            String malloryToken = realms.passwordToken(realm, "mallory-" + tag, "mallory-" + tag);
            HttpResponse<String> refused = realms.admin("POST", realm + "/conduit-vault/stored-tokens/" + alias + "/migrate",
                    malloryToken, null, Duration.ofSeconds(30));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(realms.admin("GET", realm + "/conduit-vault/stored-tokens/" + alias, malloryToken, null,
                    Duration.ofSeconds(30)).statusCode()).isEqualTo(403);
            assertThat(stored(db, realmId, alias)).isEqualTo(IDENTITIES + UNPARSEABLE);
            assertThat(connections(db, realmId)).isZero();

            long firstMillis = 0;
            long migratedBefore = 0;
            if (canInjectAFault()) {
                // a fault in the batch holding the 5,001st identity (a database error on clearing its column)
                String faulty = StoredTokenSeed.userId("s26mig-" + tag, FAULT_AT);
                installFault(db, faulty);
                try {
                    long started = System.nanoTime();
                    JsonNode stopped = realms.runToEnd(realm, alias);
                    firstMillis = (System.nanoTime() - started) / 1_000_000;
                    // the failed batch ends the run: FAILED with the figures of the batches committed before it
                    assertThat(stopped.get("state").asText()).as(stopped.toString()).isEqualTo("FAILED");
                    assertThat(stopped.get("error").asText()).isEqualTo("temporarily_unavailable");
                    assertThat(stopped.get("reason").asText()).contains("a batch failed", "run it again");
                    assertThat(stopped.get("migrated").asLong()).isEqualTo(FAULT_AT);
                } finally {
                    removeFault(db);
                }
                // the failed batch rolled back whole: every identity is either sealed and cleared, or untouched
                assertThat(connections(db, realmId)).isEqualTo(FAULT_AT);
                assertThat(stored(db, realmId, alias)).isEqualTo(IDENTITIES + UNPARSEABLE - FAULT_AT);
                JsonNode progress = env.admin().get(realm + "/conduit-vault/stored-tokens/" + alias);
                assertThat(progress.get("state").asText()).isEqualTo("FAILED");
                assertThat(progress.get("remaining").asLong()).isEqualTo(IDENTITIES + UNPARSEABLE - FAULT_AT);
                migratedBefore = FAULT_AT;
            }

            long started = System.nanoTime();
            JsonNode finished = realms.runToEnd(realm, alias);
            long secondMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("FIGURE stored-token migration of %d identities on %s: %d ms up to the fault (%d migrated) + %d ms"
                    + " for the (re-)run (%d migrated, %d unparseable)%n", IDENTITIES, env.databaseName(), firstMillis,
                    migratedBefore, secondMillis, finished.get("migrated").asLong(), finished.get("unparseable").asLong());
            assertThat(finished.get("migrated").asLong()).as(finished.toString()).isEqualTo(IDENTITIES - migratedBefore);
            assertThat(finished.get("skipped").asLong()).isZero();
            assertThat(finished.get("unparseable").asLong()).isEqualTo(UNPARSEABLE);
            assertThat(finished.get("remaining").asLong()).isEqualTo(UNPARSEABLE);
            assertThat(finished.get("state").asText()).isEqualTo("FINISHED");
            assertThat(connections(db, realmId)).isEqualTo(IDENTITIES);
            assertThat(count(db, "select count(distinct owner_id) from conduit_connection where realm_id = ?", realmId))
                    .isEqualTo(IDENTITIES);

            String access = "s26mig-" + tag + "-at-";
            String refresh = "s26mig-" + tag + "-rt-";
            StorageScan scan = new StorageScan(db);
            assertThat(scan.columns()).as("the scan reads Keycloak's stored-token column")
                    .anyMatch(column -> column.table().equalsIgnoreCase("federated_identity") && column.name().equalsIgnoreCase("token"));
            assertThat(scan.holding(List.of(access, refresh)))
                    .as("columns holding a migrated token in clear").isEmpty();
        } finally {
            env.admin().call("DELETE", realm, null);
            forgetParkedRevocations(realmId);
        }
    }

    /**
     * One run per realm and alias across the cluster, whichever node answers: a run recorded by another node with a
     * fresh heartbeat refuses a start (409) and is what GET reports; once silent past the bound it reads INTERRUPTED
     * and the next start takes it over and finishes it. Mallory, an administrator of another realm, can neither read
     * it nor start or take it over: 403, the run and the tokens unchanged.
     */
    @Test
    void aRunOfAnotherNodeIsRefusedWhileItsHeartbeatIsFreshThenTakenOverButNotByAnotherRealmsAdmin() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String realm = "s27mig-" + tag;
        String malloryRealm = "s27mal-" + tag;
        String alias = "salesforce";
        int identities = 20;
        String otherNode = "s27-node-that-died-" + tag + ":4242";
        String otherRun = UUID.randomUUID().toString();
        for (String name : List.of(realm, malloryRealm)) {
            HttpResponse<String> created = env.admin().call("POST", "", Map.of("realm", name, "enabled", true));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        String realmId = null;
        try (Connection db = realms.database()) {
            realmId = realmId(db, realm);
            realms.plainOidcWithStoreTokens(realm, alias);
            StoredTokenSeed.seed(db, realmId, alias, "s26mig-" + tag, identities, 0, sandbox.instanceUrl());
            realms.switchToConduitSalesforce(realm, alias);
            String mallory = realms.createUser(malloryRealm, "mallory-" + tag, "mallory-" + tag);
            realms.grantRealmManagement(malloryRealm, mallory, "manage-realm", "view-realm", "manage-identity-providers");
            String malloryToken = realms.passwordToken(malloryRealm, "mallory-" + tag, "mallory-" + tag);

            long now = System.currentTimeMillis() / 1000;
            recordRun(db, realmId, alias, otherRun, otherNode, now);
            Refusals.assertRefused(realms.migrate(realm, alias), 409, "invalid_request", "already running on node " + otherNode);
            JsonNode running = env.admin().get(realm + "/conduit-vault/stored-tokens/" + alias);
            assertThat(running.get("state").asText()).isEqualTo("RUNNING");
            assertThat(running.get("node").asText()).isEqualTo(otherNode);
            assertThat(stored(db, realmId, alias)).isEqualTo(identities);

            // the other node died: no heartbeat for longer than the bound (30 s)
            long silentSince = now - 31;
            setHeartbeat(db, realmId, alias, silentSince);
            assertThat(env.admin().get(realm + "/conduit-vault/stored-tokens/" + alias).get("state").asText())
                    .isEqualTo("INTERRUPTED");

            String path = realm + "/conduit-vault/stored-tokens/" + alias;
            assertThat(realms.admin("GET", path, malloryToken, null, Duration.ofSeconds(30)).statusCode())
                    .as("Mallory reads the run").isEqualTo(403);
            assertThat(realms.admin("POST", path + "/migrate", malloryToken, null, Duration.ofSeconds(30)).statusCode())
                    .as("Mallory takes the run over").isEqualTo(403);
            assertThat(runOwner(db, realmId, alias)).as("the run, untouched")
                    .isEqualTo(otherRun + " " + otherNode + " RUNNING " + silentSince);
            assertThat(stored(db, realmId, alias)).isEqualTo(identities);
            assertThat(connections(db, realmId)).isZero();

            JsonNode finished = realms.runToEnd(realm, alias);
            assertThat(finished.get("state").asText()).as(finished.toString()).isEqualTo("FINISHED");
            assertThat(finished.get("takeovers").asInt()).isEqualTo(1);
            assertThat(finished.get("node").asText()).isNotEqualTo(otherNode);
            assertThat(finished.get("migrated").asLong()).isEqualTo(identities);
            assertThat(finished.get("remaining").asLong()).isZero();
            assertThat(connections(db, realmId)).isEqualTo(identities);
            assertThat(runOwner(db, realmId, alias)).doesNotStartWith(otherRun);

            // the run is the realm's: removed with it
            assertThat(env.admin().call("DELETE", realm, null).statusCode()).isEqualTo(204);
            assertThat(count(db, "select count(*) from conduit_migration_run where realm_id = ?", realmId)).isZero();
        } finally {
            env.admin().call("DELETE", realm, null);
            env.admin().call("DELETE", malloryRealm, null);
            if (realmId != null) {
                forgetParkedRevocations(realmId);
            }
        }
    }

    /** What a node writes when it starts a run (and with each batch's heartbeat): here another node's, over JDBC. */
    private static void recordRun(Connection db, String realmId, String alias, String runId, String node, long now)
            throws SQLException {
        try (PreparedStatement insert = db.prepareStatement("insert into conduit_migration_run (id, realm_id, provider_alias,"
                + " run_id, node, state, started_at, heartbeat_at, takeovers, migrated, skipped, unparseable, remaining,"
                + " after_user_id) values (?, ?, ?, ?, ?, 'RUNNING', ?, ?, 0, 0, 0, 0, 0, '')")) {
            insert.setString(1, UUID.randomUUID().toString());
            insert.setString(2, realmId);
            insert.setString(3, alias);
            insert.setString(4, runId);
            insert.setString(5, node);
            insert.setLong(6, now);
            insert.setLong(7, now);
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
    }

    private static void setHeartbeat(Connection db, String realmId, String alias, long at) throws SQLException {
        try (PreparedStatement update = db.prepareStatement(
                "update conduit_migration_run set heartbeat_at = ? where realm_id = ? and provider_alias = ?")) {
            update.setLong(1, at);
            update.setString(2, realmId);
            update.setString(3, alias);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private static String runOwner(Connection db, String realmId, String alias) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select run_id, node, state, heartbeat_at from conduit_migration_run"
                + " where realm_id = ? and provider_alias = ?")) {
            query.setString(1, realmId);
            query.setString(2, alias);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("the run's row").isTrue();
                return rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4);
            }
        }
    }
    /** The realm's removal parked a revocation per made-up token: forgotten (see {@link StoredTokenSeed}). */
    private void forgetParkedRevocations(String realmId) throws SQLException {
        try (Connection db = realms.database()) {
            StoredTokenSeed.forgetParkedRevocations(db, realmId);
        }
    }

    private static void installFault(Connection db, String userId) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute("create or replace function s26mig_fault() returns trigger as $$ begin if old.user_id = '"
                    + userId + "' then raise exception 's26 migration test fault'; end if; return new; end $$ language plpgsql");
            statement.execute("create trigger s26mig_fault before update on federated_identity for each row"
                    + " execute function s26mig_fault()");
        }
    }

    private static void removeFault(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute("drop trigger if exists s26mig_fault on federated_identity");
            statement.execute("drop function if exists s26mig_fault()");
        }
    }
    private static String vaultRow(Connection db, String userId, String alias) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id || ' ' || access_token || ' ' || connected_at"
                + " from conduit_connection where owner_id = ? and provider_alias = ?")) {
            query.setString(1, userId);
            query.setString(2, alias);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("vault row").isTrue();
                return rs.getString(1);
            }
        }
    }

    private static long stored(Connection db, String realmId, String alias) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select count(*) from federated_identity where realm_id = ?"
                + " and identity_provider = ? and token is not null")) {
            query.setString(1, realmId);
            query.setString(2, alias);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long connections(Connection db, String realmId) throws SQLException {
        return count(db, "select count(*) from conduit_connection where realm_id = ?", realmId);
    }

    private static long count(Connection db, String sql, String realmId) throws SQLException {
        return RowCount.of(db, sql, realmId);
    }

    private static String realmId(Connection db, String name) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id from realm where name = ?")) {
            query.setString(1, name);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("realm " + name).isTrue();
                return rs.getString(1);
            }
        }
    }

}
