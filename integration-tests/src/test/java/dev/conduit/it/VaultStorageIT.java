package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;

import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.StorageScan;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.Test;

/**
 * Reads Keycloak's database directly (here the shared server's PostgreSQL; {@link VaultStorageH2IT}: the same on
 * H2): after logins through the brokers, the connection rows hold encrypted tokens and no table anywhere holds a
 * token the sandbox issued.
 */
class VaultStorageIT {

    private final ConduitEnvironment env;
    private final VaultApi vault;

    VaultStorageIT() {
        this.env = environment();
        this.vault = new VaultApi(env);
    }

    /** The server under test: the shared one (PostgreSQL); the H2 subclass answers the H2 one (a shared instance). */
    ConduitEnvironment environment() {
        return ConduitEnvironment.get();
    }

    private Connection database() throws SQLException {
        return env.database("reads the database over JDBC");
    }

    @Test
    void deletingTheUserPurgesTheirConnections() throws SQLException {
        try (Connection db = database()) {
            env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_ALAN.email());
            assertThat(new BrokerFlows(env).login(new BrowserSession(), "google", Accounts.GOOGLE_ALAN).endedAtApp()).isTrue();
            String userId = env.admin().userIdByEmail(REALM, Accounts.GOOGLE_ALAN.email());
            assertThat(rowsOf(db, userId)).isEqualTo(1);

            env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_ALAN.email());

            assertThat(rowsOf(db, userId)).isZero();
        }
    }

    private static String realmIdOf(Connection db) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id from realm where name = ?")) {
            query.setString(1, REALM);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static int rowsOf(Connection db, String userId) throws SQLException {
        try (PreparedStatement count = db.prepareStatement("select count(*) from conduit_connection where owner_id = ?")) {
            count.setString(1, userId);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void loginStoresAnEncryptedConnectionAndNoTokenInClearAnywhere() throws SQLException {
        try (Connection db = database()) {
            BrokerFlows flows = new BrokerFlows(env);
            env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_CHARLES.email());
            assertThat(flows.login(new BrowserSession(), "salesforce", Accounts.SALESFORCE_CHARLES).endedAtApp()).isTrue();
            env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_GRACE.email());
            assertThat(flows.login(new BrowserSession(), "hubspot", Accounts.HUBSPOT_GRACE).endedAtApp()).isTrue();
            String userId = env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_CHARLES.email());

            try (PreparedStatement row = db.prepareStatement(
                    "select access_token, refresh_token, key_id, organization_id from conduit_connection where owner_id = ? and provider_alias = 'salesforce'")) {
                row.setString(1, userId);
                try (ResultSet rs = row.executeQuery()) {
                    assertThat(rs.next()).as("connection row").isTrue();
                    String dataKey = dev.conduit.it.support.DataKeysDb.active(db, realmIdOf(db), null);
                    assertThat(dataKey).as("the realm's data key").isNotNull();
                    assertThat(rs.getString(1)).as("sealed under the realm's data key").startsWith("v2." + dataKey + ".");
                    assertThat(rs.getString(2)).startsWith("v2." + dataKey + ".");
                    assertThat(rs.getString(3)).isEqualTo(dataKey);
                    assertThat(rs.getString(4)).isEqualTo(Accounts.SALESFORCE_ORG);
                }
            }
            assertThat(vault.connection("USER", userId, "salesforce").get("hasRefreshToken").asBoolean()).isTrue();

            Set<String> issued = env.sandbox().engine().issuedTokens();
            assertThat(issued).isNotEmpty();
            StorageScan scan = new StorageScan(db);
            assertThat(scan.columns()).as("scanned columns").hasSizeGreaterThan(100)
                    .anyMatch(c -> c.table().equalsIgnoreCase("conduit_connection"))
                    .anyMatch(c -> c.table().equalsIgnoreCase("conduit_pending_revocation"))
                    .anyMatch(StorageScan.Column::binary);
            assertThat(scan.holding(issued)).as("columns holding an upstream token in clear").isEmpty();
        }
    }
}
