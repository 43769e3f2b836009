package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.crypto.TokenOwner;
import org.junit.jupiter.api.Test;

/**
 * Key rotation without downtime (the test writes a row sealed under the older key it0 over JDBC: here in the
 * shared server's PostgreSQL, {@link KeyRotationH2IT} the same on H2). The running server reads it, re-encrypts it
 * under the active key it1 on the admin call, and keeps serving the same token throughout.
 */
class KeyRotationIT {

    private final ConduitEnvironment env;
    private final AppTokens apps;
    private final VaultApi vault;

    KeyRotationIT() {
        this.env = environment();
        this.apps = new AppTokens(env);
        this.vault = new VaultApi(env);
    }

    /** The server under test: the shared one (PostgreSQL); the H2 subclass answers the H2 one (a shared instance). */
    ConduitEnvironment environment() {
        return ConduitEnvironment.get();
    }

    @Test
    void rotateKeyReencryptsRowsUnderAnOlderKeyWhileTheyKeepServing() throws SQLException {
        String password = Secrets.generate();
        String username = "rotation-user";
        String existing = env.admin().userIdByUsername(REALM, username);
        if (existing != null) {
            env.admin().call("DELETE", REALM + "/users/" + existing, null);
        }
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", "rotation@members.example", "emailVerified", true, "enabled", true, "firstName", "Rot", "lastName", "Ation",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).isEqualTo(201);
        String userId = env.admin().userIdByUsername(REALM, username);
        MintedGrant grant = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));

        try (Connection db = env.database("writes a row over JDBC")) {
            String realmId = realmId(db);
            String id = UUID.randomUUID().toString();
            insertSealedUnderOldKey(db, id, realmId, userId, grant);

            String userToken = apps.passwordLogin(username, password);
            assertThat(ok(apps.exchange(userToken, Map.of("audience", "hubspot"))).get("access_token").asText())
                    .as("a row under the older key is read").isEqualTo(grant.accessToken());

            JsonNode rotation = vault.rotateKey();
            assertThat(rotation.get("state").asText()).isEqualTo("FINISHED");
            assertThat(rotation.get("done").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(rotation.get("activeKeyId").asText()).isEqualTo("it1");

            assertThat(keyColumns(db, id)).containsExactly("it1", "v1.it1.", "v1.it1.");
            String fingerprint = new TokenFingerprints(KeyRingConfig.parse(env.vaultKeys(), null))
                    .of(realmId, "hubspot", grant.refreshToken());
            assertThat(fingerprint(db, id)).as("re-sealed with its refresh token's fingerprint under it1")
                    .startsWith("f1.it1.").isEqualTo(fingerprint);
            assertThat(ok(apps.exchange(userToken, Map.of("audience", "hubspot"))).get("access_token").asText())
                    .as("the same token, now under the active key").isEqualTo(grant.accessToken());
            // a row under the active key from before changelog 0008: the next rotation fingerprints it
            setFingerprint(db, id, null);
            JsonNode again = vault.rotateKey();
            assertThat(fingerprint(db, id)).as("fingerprinted by the rotation").isEqualTo(fingerprint);
            assertThat(again.get("done").asInt()).as("nothing left under an older key").isZero();
            assertThat(again.get("left").asInt()).isZero();
            assertThat(vault.rotateKeyProgress()).as("GET shows the finished run").isEqualTo(again);

            // a row sealed under a key this server no longer holds (removed too early): a clear 503, not a 500
            TokenCipher goneKey = new TokenCipher(KeyRingConfig.parse("gone:" + Secrets.aes256KeyBase64(), "gone"));
            try (PreparedStatement update = db.prepareStatement(
                    "update conduit_connection set key_id = 'gone', access_token = ?, refresh_token = ? where id = ?")) {
                update.setString(1, goneKey.encrypt(grant.accessToken(), TokenOwner.user(realmId, userId, "hubspot", "access")));
                update.setString(2, goneKey.encrypt(grant.refreshToken(), TokenOwner.user(realmId, userId, "hubspot", "refresh")));
                update.setString(3, id);
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
            HttpResponse<String> unreadable = apps.exchange(userToken, Map.of("audience", "hubspot"));
            assertRefused(unreadable, 503, "temporarily_unavailable", "The stored connection cannot be opened with this server's keys");
            assertThat(unreadable.body()).doesNotContain("access_token").doesNotContain("Exception");
        } finally {
            env.admin().call("DELETE", REALM + "/users/" + userId, null);
        }
    }

    /**
     * A server connection's credential is re-sealed by the rotation with its token (issue 15): a HubSpot private app
     * connection rewritten under it0 over JDBC (credential and static token) is read, re-sealed under it1 by the
     * rotation, and still serves and passes its health check.
     */
    @Test
    void rotateKeyReSealsAServerConnectionsCredential() throws SQLException {
        String password = Secrets.generate();
        Organizations organizations = new Organizations(env, password);
        String alias = "conduit-it-rotation-s2s";
        String organizationId = organizations.create(alias, "Rotation S2S", "rotation-s2s.example");
        organizations.createUser("rotation-s2s-member");
        organizations.addMember(organizationId, "rotation-s2s-member");
        String token = env.sandbox().engine().serverToServer().createHubSpotPrivateApp("6161", Set.of("crm.objects.contacts.read"));
        HttpResponse<String> created = new ServerConnectionsApi(env.admin(), REALM).create(organizationId, "hubspot",
                "hubspot-private-app", Map.of("access_token", token, "scopes", "crm.objects.contacts.read"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = AppTokens.json(created).get("id").asText();
        try (Connection db = env.database("rewrites a row over JDBC")) {
            String realmId = realmId(db);
            TokenCipher oldKey = new TokenCipher(KeyRingConfig.parse(env.vaultKeys(), "it0"));
            try (PreparedStatement update = db.prepareStatement(
                    "update conduit_connection set key_id = 'it0', access_token = ?, credential = ? where id = ?")) {
                update.setString(1, oldKey.encrypt(token, TokenOwner.organization(realmId, organizationId, "hubspot", "access")));
                update.setString(2, oldKey.encrypt("{\"access_token\":\"" + token + "\"}",
                        TokenOwner.organization(realmId, organizationId, "hubspot", "credential")));
                update.setString(3, id);
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
            Map<String, String> exchange = Map.of("audience", "hubspot", "organization", alias, "scope", "crm.contacts.read");
            String subject = apps.passwordLogin("rotation-s2s-member", password);
            assertThat(ok(apps.exchange(subject, exchange)).get("access_token").asText()).isEqualTo(token);

            assertThat(vault.rotateKey().get("state").asText()).isEqualTo("FINISHED");

            try (PreparedStatement query = db.prepareStatement("select key_id, access_token, credential from conduit_connection where id = ?")) {
                query.setString(1, id);
                try (ResultSet rs = query.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("it1");
                    assertThat(rs.getString(2)).startsWith("v1.it1.");
                    assertThat(rs.getString(3)).as("the credential re-sealed too").startsWith("v1.it1.").doesNotContain(token);
                }
            }
            assertThat(vault.refresh(id).get("refreshed").asInt()).as("the health check opens the credential").isEqualTo(1);
            assertThat(ok(apps.exchange(subject, exchange)).get("access_token").asText()).isEqualTo(token);
        } finally {
            vault.disconnect(id);
            dev.conduit.it.support.Await.until("the disconnect", () -> vault.connection(id) == null);
            organizations.delete(alias);
            organizations.deleteUser("rotation-s2s-member");
        }
    }

    private void insertSealedUnderOldKey(Connection db, String id, String realmId, String userId, MintedGrant grant)
            throws SQLException {
        TokenCipher oldKey = new TokenCipher(KeyRingConfig.parse(env.vaultKeys(), "it0"));
        long now = System.currentTimeMillis() / 1000;
        try (PreparedStatement insert = db.prepareStatement("insert into conduit_connection (id, realm_id, owner_kind, owner_id,"
                + " provider_alias, provider_id, account_id, organization_id, access_token, refresh_token, key_id, scopes,"
                + " issued_at, expires_at, status, connected_by, connected_at, version, last_refresh_at, next_refresh_at,"
                + " failure_count, health_checked_at) values (?, ?, 'USER', ?, 'hubspot', 'conduit-hubspot', ?, ?, ?, ?, 'it0',"
                + " 'oauth crm.objects.contacts.read', ?, ?, 'HEALTHY', ?, ?, 0, ?, ?, 0, ?)")) {
            int c = 1;
            insert.setString(c++, id);
            insert.setString(c++, realmId);
            insert.setString(c++, userId);
            insert.setString(c++, Accounts.HUBSPOT_GRACE.userId());
            insert.setString(c++, Accounts.HUBSPOT_HUB);
            insert.setString(c++, oldKey.encrypt(grant.accessToken(), TokenOwner.user(realmId, userId, "hubspot", "access")));
            insert.setString(c++, oldKey.encrypt(grant.refreshToken(), TokenOwner.user(realmId, userId, "hubspot", "refresh")));
            insert.setLong(c++, now);
            insert.setLong(c++, now + 1700);
            insert.setString(c++, userId);
            insert.setLong(c++, now);
            insert.setLong(c++, now);
            insert.setLong(c++, now + 1400);
            insert.setLong(c++, now);
            insert.executeUpdate();
        }
    }

    private static List<String> keyColumns(Connection db, String id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select key_id, access_token, refresh_token from conduit_connection where id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return List.of(rs.getString(1), rs.getString(2).substring(0, 7), rs.getString(3).substring(0, 7));
            }
        }
    }

    private static String fingerprint(Connection db, String id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select refresh_fingerprint from conduit_connection where id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static void setFingerprint(Connection db, String id, String fingerprint) throws SQLException {
        try (PreparedStatement update = db.prepareStatement("update conduit_connection set refresh_fingerprint = ? where id = ?")) {
            update.setString(1, fingerprint);
            update.setString(2, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
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
