package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.conduit.it.support.ConnectionRow;
import dev.conduit.it.support.CopiedRowOpener;
import dev.conduit.it.support.DataKeysDb;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
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

            // the migration to data keys runs while exchanges are served: every exchange during it answers 200
            java.util.concurrent.atomic.AtomicBoolean migrating = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Integer> statuses = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread exchanges = new Thread(() -> {
                while (migrating.get()) {
                    HttpResponse<String> answer = apps.exchange(userToken, Map.of("audience", "hubspot"));
                    statuses.add(answer.statusCode() == 200 && answer.body().contains(grant.accessToken()) ? 200
                            : answer.statusCode() == 200 ? -1 : answer.statusCode());
                }
            });
            exchanges.start();
            JsonNode rotation;
            try {
                rotation = vault.rotateKey();
            } finally {
                migrating.set(false);
                try {
                    exchanges.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            assertThat(rotation.get("state").asText()).isEqualTo("FINISHED");
            assertThat(rotation.get("done").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(rotation.get("activeKeyId").asText()).as("the KEK wrapping the data keys").isEqualTo("it1");
            assertThat(statuses).as("exchanges during the migration").isNotEmpty().containsOnly(200);
            System.out.printf("FIGURE envelope-migration exchanges_during=%d all_200=true%n", statuses.size());

            String dataKey = DataKeysDb.active(db, realmId, null);
            assertThat(dataKey).as("the realm's data key").isNotNull();
            assertThat(keyColumns(db, id)).as("re-sealed as v2 under the realm's data key")
                    .containsExactly(dataKey, "v2." + dataKey + ".", "v2." + dataKey + ".");
            String fingerprint = fingerprint(db, id);
            assertThat(fingerprint).as("re-sealed with its refresh token's fingerprint under the realm's data key, not the ring")
                    .startsWith("f2." + dataKey + ".");
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
            // SQL is not seen by the sealed-row cache, which served this row just now (issue 17)
            vault.invalidateRowCache();
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
                    String dataKey = DataKeysDb.active(db, realmId, organizationId);
                    assertThat(dataKey).as("the organization's own data key (data-key-per-organization=true)").isNotNull()
                            .isNotEqualTo(DataKeysDb.active(db, realmId, null));
                    assertThat(rs.getString(1)).isEqualTo(dataKey);
                    assertThat(rs.getString(2)).startsWith("v2." + dataKey + ".");
                    assertThat(rs.getString(3)).as("the credential re-sealed too").startsWith("v2." + dataKey + ".")
                            .doesNotContain(token);
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

    /**
     * Data-key rotation: POST data-keys/rotate makes a new ACTIVE realm key, the background run re-seals the row under
     * it, the RETIRED key is deleted once no row uses it, and the row serves the same token throughout.
     */
    @Test
    void rotatingTheRealmsDataKeyReSealsItsRowsAndDeletesTheRetiredKey() throws SQLException {
        String password = Secrets.generate();
        String username = "data-key-rotation-user";
        String existing = env.admin().userIdByUsername(REALM, username);
        if (existing != null) {
            env.admin().call("DELETE", REALM + "/users/" + existing, null);
        }
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", "data-key-rotation@members.example", "emailVerified", true, "enabled", true, "firstName", "Dat",
                "lastName", "Akey", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).isEqualTo(201);
        String userId = env.admin().userIdByUsername(REALM, username);
        MintedGrant grant = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));
        try (Connection db = env.database("reads the data keys over JDBC")) {
            String realmId = realmId(db);
            String id = UUID.randomUUID().toString();
            insertSealedUnderOldKey(db, id, realmId, userId, grant);
            assertThat(vault.rotateKey().get("state").asText()).isEqualTo("FINISHED");
            String before = DataKeysDb.active(db, realmId, null);
            assertThat(keyColumns(db, id).get(0)).isEqualTo(before);
            String userToken = apps.passwordLogin(username, password);

            JsonNode rotation = vault.rotateDataKeys();

            assertThat(rotation.get("state").asText()).isEqualTo("FINISHED");
            String after = DataKeysDb.active(db, realmId, null);
            assertThat(after).as("a new ACTIVE key").isNotNull().isNotEqualTo(before);
            assertThat(keyColumns(db, id)).as("re-sealed under the new key")
                    .containsExactly(after, "v2." + after + ".", "v2." + after + ".");
            JsonNode keys = vault.keys();
            assertThat(keys.get("connectionsByKey").has(before)).as("no row under the retired key").isFalse();
            assertThat(keys.get("dataKeys").toString()).as("the retired key, unused, is deleted").doesNotContain(before)
                    .contains(after);
            assertThat(ok(apps.exchange(userToken, Map.of("audience", "hubspot"))).get("access_token").asText())
                    .isEqualTo(grant.accessToken());
        } finally {
            env.admin().call("DELETE", REALM + "/users/" + userId, null);
        }
    }

    /**
     * Crypto-shredding of an organization (issue 16, item 3; data-key-per-organization=true): its server connection is
     * sealed under the organization's own data key; its rows are copied over SQL as a backup would; the organization is
     * deleted; its data key is gone and the copy no longer opens, not even with the server's KEKs.
     */
    @Test
    void deletingAnOrganizationDestroysItsDataKeySoACopyOfItsRowsNoLongerOpens() throws SQLException {
        String password = Secrets.generate();
        Organizations organizations = new Organizations(env, password);
        String alias = "conduit-it-shred-org";
        String organizationId = organizations.create(alias, "Shred Org", "shred-org.example");
        String token = env.sandbox().engine().serverToServer().createHubSpotPrivateApp("6262", Set.of("crm.objects.contacts.read"));
        boolean deleted = false;
        try (Connection db = env.database("copies an organization's rows over JDBC")) {
            HttpResponse<String> created = new ServerConnectionsApi(env.admin(), REALM).create(organizationId, "hubspot",
                    "hubspot-private-app", Map.of("access_token", token, "scopes", "crm.objects.contacts.read"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String realmId = realmId(db);
            String dataKey = DataKeysDb.active(db, realmId, organizationId);
            List<CopiedRowOpener.Copy> backup = CopiedRowOpener.copy(db, realmId, organizationId);
            assertThat(backup).hasSize(1);
            assertThat(backup.get(0).keyId()).as("under the organization's own key").isEqualTo(dataKey);
            CopiedRowOpener opener = new CopiedRowOpener(db, env.vaultKeys(), "it1");
            assertThat(opener.accessToken(backup.get(0))).as("the copy opens while the organization exists").isEqualTo(token);

            organizations.delete(alias);
            deleted = true;

            assertThatThrownBy(() -> opener.accessToken(backup.get(0))).as("the backup's copy no longer opens")
                    .isInstanceOf(dev.conduit.vault.crypto.TokenDecryptionException.class)
                    .hasMessageContaining("does not exist").hasMessageNotContaining(token);
            assertThat(DataKeysDb.countOfOrganization(db, organizationId)).as("its data key is destroyed").isZero();
            assertThat(DataKeysDb.active(db, realmId, null)).as("the realm's own key is untouched").isNotNull();
        } finally {
            if (!deleted) {
                organizations.delete(alias);
            }
        }
    }

    private void insertSealedUnderOldKey(Connection db, String id, String realmId, String userId, MintedGrant grant)
            throws SQLException {
        insertSealedUnderOldKey(env, db, id, realmId, userId, grant);
    }

    /** A HubSpot connection of {@code userId} as the vault wrote it before data keys: v1 under the ring's key it0. */
    static void insertSealedUnderOldKey(ConduitEnvironment env, Connection db, String id, String realmId, String userId,
            MintedGrant grant) throws SQLException {
        TokenCipher oldKey = new TokenCipher(KeyRingConfig.parse(env.vaultKeys(), "it0"));
        long now = System.currentTimeMillis() / 1000;
        ConnectionRow.healthy(id, realmId, "USER", userId, "hubspot", "conduit-hubspot", now)
                .set("account_id", Accounts.HUBSPOT_GRACE.userId())
                .set("organization_id", Accounts.HUBSPOT_HUB)
                .set("access_token", oldKey.encrypt(grant.accessToken(), TokenOwner.user(realmId, userId, "hubspot", "access")))
                .set("refresh_token", oldKey.encrypt(grant.refreshToken(), TokenOwner.user(realmId, userId, "hubspot", "refresh")))
                .set("key_id", "it0")
                .set("scopes", "oauth crm.objects.contacts.read")
                .set("expires_at", now + 1700)
                .set("connected_by", userId)
                .set("next_refresh_at", now + 1400)
                .insert(db);
    }

    static List<String> keyColumns(Connection db, String id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select key_id, access_token, refresh_token from conduit_connection where id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                String keyId = rs.getString(1);
                return List.of(keyId, prefix(rs.getString(2)), prefix(rs.getString(3)));
            }
        }
    }

    /** {@code v1.<keyId>.} or {@code v2.<dataKeyId>.}: the stored form's version and key id. */
    private static String prefix(String stored) {
        return stored == null ? "" : stored.substring(0, stored.indexOf('.', 3) + 1);
    }

    static String fingerprint(Connection db, String id) throws SQLException {
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

    static String realmId(Connection db) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id from realm where name = ?")) {
            query.setString(1, REALM);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
