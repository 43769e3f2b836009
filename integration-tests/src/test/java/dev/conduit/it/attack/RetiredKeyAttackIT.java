package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenOwner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Attacker: a database writer (or just an operator who retired a key too early). A connection's row is sealed under
 * a key id the server's key ring no longer has. The vault's admin API, key rotation and the owner's next login must
 * keep working: the admin API lists the row as UNDECRYPTABLE, rotate-key skips and reports it, and reconnecting
 * replaces it.
 * Writes over JDBC, so it needs Keycloak on PostgreSQL (the tests' embedded one by default, see support/Database).
 */
class RetiredKeyAttackIT {

    private static final String ALIAS = "salesforce";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final VaultApi vault = new VaultApi(env);

    @BeforeEach
    void onPostgres() {
        Database.requirePostgres("writes rows over JDBC");
    }

    @Test
    @DisplayName("an operator who retired a key still sees the user's connection in the vault's admin API, as UNDECRYPTABLE")
    void retiredKeyRowStillShowsInTheVaultAdminApi() throws SQLException {
        Sealed sealed = connectThenRetireKey(Accounts.SALESFORCE_SHAFI);
        String connections = REALM + "/conduit-vault/connections";

        HttpResponse<String> list = env.admin().call("GET", connections + "?ownerKind=USER&ownerId=" + sealed.userId(), null);
        HttpResponse<String> one = env.admin().call("GET", connections + "/" + sealed.connectionId(), null);

        for (HttpResponse<String> view : List.of(list, one)) {
            assertThat(view.statusCode()).as(view.body()).isEqualTo(200);
            assertThat(view.body()).doesNotContain("v1.gone.").doesNotContain("Exception");
        }
        JsonNode listed = AppTokens.json(list);
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("providerAlias").asText()).isEqualTo(ALIAS);
        assertThat(listed.get(0).get("status").asText()).isEqualTo("UNDECRYPTABLE");
        assertThat(listed.get(0).get("keyId").asText()).isEqualTo("gone");
        assertThat(AppTokens.json(one).get("status").asText()).isEqualTo("UNDECRYPTABLE");
        // the filters match the stored status, which the row keeps
        assertThat(env.admin().get(connections + "?status=HEALTHY&ownerKind=USER&ownerId=" + sealed.userId())).hasSize(1);
        assertThat(keyId(sealed.connectionId())).as("nothing changed in the row").isEqualTo("gone");
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_SHAFI.email());
    }

    @Test
    @DisplayName("rotate-key skips and reports a row under a retired key instead of failing")
    void rotateKeySkipsAndReportsARowUnderARetiredKey() throws SQLException {
        Sealed sealed = connectThenRetireKey(Accounts.SALESFORCE_ROSALIND);

        JsonNode answer = vault.rotateKey();

        assertThat(answer.get("state").asText()).as(answer.toString()).isEqualTo("FINISHED");
        assertThat(answer.get("undecryptable").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(answer.get("undecryptableIds").toString()).contains(sealed.connectionId());
        assertThat(keyId(sealed.connectionId())).as("the row is left as it was").isEqualTo("gone");
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_ROSALIND.email());
    }

    @Test
    @DisplayName("the owner's next login replaces a row sealed under a retired key")
    void reconnectingReplacesARowSealedUnderARetiredKey() throws SQLException {
        Sealed sealed = connectThenRetireKey(Accounts.SALESFORCE_LISE);

        BrowserSession.Page again = new BrokerFlows(env).login(new BrowserSession(), ALIAS, Accounts.SALESFORCE_LISE);

        assertThat(again.endedAtApp()).as("the login works: %s %s", again.status(), again.uri()).isTrue();
        JsonNode row = vault.connection(sealed.connectionId());
        try (Connection db = db()) {
            assertThat(row.get("keyId").asText()).as("sealed again under the realm's data key")
                    .isEqualTo(dev.conduit.it.support.DataKeysDb.active(db, realmId(db), null));
        }
        assertThat(row.get("status").asText()).isEqualTo("HEALTHY");
        assertThat(vault.connectionsOf("USER", sealed.userId()).get(0).get("status").asText()).isEqualTo("HEALTHY");
        assertThat(vault.refresh(sealed.connectionId()).toString()).as("the new tokens work upstream").doesNotContain("UNDECRYPTABLE");
        assertThat(vault.connection(sealed.connectionId()).get("status").asText()).isEqualTo("HEALTHY");
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_LISE.email());
    }

    private record Sealed(String userId, String connectionId) {
    }

    /** Logs the account in (a connection under the active key), then seals its row under a key the server does not hold. */
    private Sealed connectThenRetireKey(Account account) throws SQLException {
        env.admin().deleteUserByEmail(REALM, account.email());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), ALIAS, account).endedAtApp()).isTrue();
        String userId = env.admin().userIdByEmail(REALM, account.email());
        String connectionId = vault.connection("USER", userId, ALIAS).get("id").asText();
        TokenCipher goneKey = new TokenCipher(KeyRingConfig.parse("gone:" + Secrets.aes256KeyBase64(), "gone"));
        try (Connection db = db()) {
            String realmId = realmId(db);
            try (PreparedStatement update = db.prepareStatement(
                    "update conduit_connection set key_id = 'gone', access_token = ?, refresh_token = ? where id = ?")) {
                update.setString(1, goneKey.encrypt("retired-access", TokenOwner.user(realmId, userId, ALIAS, "access")));
                update.setString(2, goneKey.encrypt("retired-refresh", TokenOwner.user(realmId, userId, ALIAS, "refresh")));
                update.setString(3, connectionId);
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
        }
        return new Sealed(userId, connectionId);
    }

    private static Connection db() throws SQLException {
        return Database.connect();
    }

    private static String keyId(String connectionId) throws SQLException {
        try (Connection db = db(); PreparedStatement query = db.prepareStatement("select key_id from conduit_connection where id = ?")) {
            query.setString(1, connectionId);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
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
}
