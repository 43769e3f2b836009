package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokeringApiClient;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Refusals;
import dev.conduit.it.support.StorageScan;
import dev.conduit.it.support.StoredTokenRealms;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.Test;

/**
 * Migration of the tokens Keycloak's Store Tokens kept in clear ({@code FEDERATED_IDENTITY.TOKEN}) into the vault, on
 * PostgreSQL (and on H2 in {@link StoredTokenMigrationH2IT}): an identity provider created as plain {@code oidc} with Store Tokens on, its users linked with stored
 * tokens, switched to the Conduit broker of the same alias through Conduit's switch (README, coming from Keycloak's
 * stored tokens), migrated.
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
        try (Connection db = database()) {
            StoredTokenRealms.setStoredToken(db, userId, alias, stored);

            // before the switch: not a Conduit broker, refused, the stored token untouched
            Refusals.assertRefused(realms.migrate(REALM, alias), 400, "invalid_request", "not a Conduit broker");
            Refusals.assertRefused(realms.migrate(REALM, "s26mig-none-" + tag), 404, "invalid_request", "not found");
            assertThat(StoredTokenRealms.storedToken(db, userId, alias)).isEqualTo(stored);

            realms.switchToConduitSalesforce(REALM, alias);
            JsonNode migrated = ok(realms.migrate(REALM, alias));
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
            JsonNode again = ok(realms.migrate(REALM, alias));
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
        try (Connection db = database()) {
            realmId = realmId(db, realm);
        }
        try (Connection db = database()) {
            long seedStarted = System.nanoTime();
            seed(db, realmId, alias, tag);
            System.out.printf("FIGURE stored-token migration: %d identities seeded over JDBC in %d ms%n",
                    IDENTITIES + UNPARSEABLE, (System.nanoTime() - seedStarted) / 1_000_000);
            realms.switchToConduitSalesforce(realm, alias);

            // Mallory manages the realm's identity providers but not the realm: refused, nothing changed
            String mallory = realms.createUser(realm, "mallory-" + tag, "mallory-" + tag);
            realms.grantRealmManagement(realm, mallory, "manage-identity-providers", "view-realm", "view-identity-providers");
            String malloryToken = realms.passwordToken(realm, "mallory-" + tag, "mallory-" + tag);
            HttpResponse<String> refused = realms.admin("POST", realm + "/conduit-vault/stored-tokens/" + alias + "/migrate",
                    malloryToken, null, Duration.ofSeconds(30));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(realms.admin("GET", realm + "/conduit-vault/stored-tokens/" + alias, malloryToken, null, Duration.ofSeconds(30))
                    .statusCode()).isEqualTo(403);
            assertThat(stored(db, realmId, alias)).isEqualTo(IDENTITIES + UNPARSEABLE);
            assertThat(connections(db, realmId)).isZero();

            long firstMillis = 0;
            long migratedBefore = 0;
            if (canInjectAFault()) {
                // a fault in the batch holding the 5,001st identity (a database error on clearing its column)
                String faulty = String.format("s26mig-%s-u-%05d", tag, FAULT_AT);
                installFault(db, faulty);
                try {
                    long started = System.nanoTime();
                    HttpResponse<String> stopped = realms.migrate(realm, alias);
                    firstMillis = (System.nanoTime() - started) / 1_000_000;
                    JsonNode body = Refusals.assertRefused(stopped, 503, "temporarily_unavailable", "run it again");
                    assertThat(body.get("progress").get("migrated").asLong()).isEqualTo(FAULT_AT);
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
            JsonNode finished = ok(realms.migrate(realm, alias));
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

            String access = "s26mig-at-" + tag + "-";
            String refresh = "s26mig-rt-" + tag + "-";
            StorageScan scan = new StorageScan(db);
            assertThat(scan.columns()).as("the scan reads Keycloak's stored-token column")
                    .anyMatch(column -> column.table().equalsIgnoreCase("federated_identity") && column.name().equalsIgnoreCase("token"));
            assertThat(scan.holding(List.of(access, refresh)))
                    .as("columns holding a migrated token in clear").isEmpty();
        } finally {
            env.admin().call("DELETE", realm, null);
            // the removal parked a revocation per made-up token (the sandbox never issued them): not for later suites
            try (Connection db = database()) {
                StoredTokenRealms.forgetParkedRevocations(db, realmId);
            }
        }
    }

    private void seed(Connection db, String realmId, String alias, String tag) throws SQLException {
        long now = System.currentTimeMillis();
        db.setAutoCommit(false);
        try (PreparedStatement user = db.prepareStatement("insert into user_entity (id, email_constraint, email_verified,"
                + " enabled, realm_id, username, created_timestamp, not_before) values (?, ?, false, true, ?, ?, ?, 0)");
                PreparedStatement identity = db.prepareStatement("insert into federated_identity (identity_provider,"
                        + " realm_id, federated_user_id, federated_username, token, user_id) values (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < IDENTITIES + UNPARSEABLE; i++) {
                boolean bad = i >= IDENTITIES;
                String id = bad ? String.format("s26mig-%s-z-%d", tag, i) : String.format("s26mig-%s-u-%05d", tag, i);
                user.setString(1, id);
                user.setString(2, id);
                user.setString(3, realmId);
                user.setString(4, id);
                user.setLong(5, now);
                user.addBatch();
                identity.setString(1, alias);
                identity.setString(2, realmId);
                identity.setString(3, "005" + tag + i);
                identity.setString(4, "user" + i + "@example.com");
                identity.setString(5, bad ? "s26mig-bad-" + i + " is no token response"
                        : realms.tokenResponse("s26mig-at-" + tag + "-" + i, "s26mig-rt-" + tag + "-" + i));
                identity.setString(6, id);
                identity.addBatch();
                if ((i + 1) % 1000 == 0) {
                    user.executeBatch();
                    identity.executeBatch();
                }
            }
            user.executeBatch();
            identity.executeBatch();
            db.commit();
        } finally {
            db.setAutoCommit(true);
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

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return AppTokens.json(response);
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
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, realmId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
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

    private Connection database() throws SQLException {
        return realms.database();
    }
}
