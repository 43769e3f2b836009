package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.crypto.TokenOwner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Removing an owner never waits on a provider: a user's or an organization's removal parks the connections and
 * the scheduled task sends the revocations (deciding then whether a token is shared); a realm's removal forgets its
 * connections in one statement, without revoking them upstream (the realm's provider settings go with it, see
 * OwnerRemovals). Rows are written straight into CONDUIT_CONNECTION over JDBC, sealed with the vault's key, so
 * PostgreSQL only, like VaultStorageIT.
 */
class OwnerRemovalIT {

    private static final int REALM_CONNECTIONS = 10_000;
    private static final long REALM_DELETE_BOUND_MILLIS = 20_000;
    private static final int INSERT_BATCH = 1000;
    /** Disconnects timed per kind of sharing check. */
    private static final int SAMPLES = 3;
    private static final String INSERT = "insert into conduit_connection (id, realm_id, owner_kind, owner_id,"
            + " provider_alias, provider_id, account_id, organization_id, instance_url, access_token, refresh_token,"
            + " key_id, scopes, issued_at, expires_at, status, connected_by, connected_at, version, last_refresh_at,"
            + " next_refresh_at, failure_count, last_error, health_checked_at, refresh_fingerprint)"
            + " values (?, ?, 'USER', ?, 'hubspot', 'conduit-hubspot', ?, ?, null, ?, ?, ?, 'oauth', ?, ?, 'HEALTHY', ?, ?,"
            + " 0, ?, ?, 0, null, ?, ?)";

    private static ConduitEnvironment env;
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final VaultApi vault = new VaultApi(env);
    /** The vault's keys as the server has them (active: the first), and as they were before it became active. */
    private final Sealer current = new Sealer(KeyRingConfig.parse(env.vaultKeys(), null));
    private final Sealer previousKey = new Sealer(KeyRingConfig.parse(env.vaultKeys(), "it0"));

    /** Seals and fingerprints rows as the vault does, under one key ring. */
    private record Sealer(TokenCipher cipher, TokenFingerprints fingerprints) {
        Sealer(KeyRing ring) {
            this(new TokenCipher(ring), new TokenFingerprints(ring));
        }
    }

    @BeforeAll
    static void onPostgres() {
        Database.requirePostgres("writes CONDUIT_CONNECTION over JDBC");
        env = ConduitEnvironment.get();
    }

    @Test
    void aRealmWithTenThousandConnectionsIsDeletedInOneCallWithoutCallingTheProvider() throws Exception {
        String realm = "s21-scale-removal-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = env.admin().call("POST", "", Map.of("realm", realm, "enabled", true));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // the realm's HubSpot broker, as the demo realm has it: today's inline path would call its revocation endpoint
        ObjectNode hubspot = ((ObjectNode) env.admin().identityProvider(REALM, "hubspot")).deepCopy();
        hubspot.remove("internalId");
        ((ObjectNode) hubspot.get("config")).put("clientSecret", "s21-scale-not-a-secret-" + UUID.randomUUID());
        env.admin().createIdentityProvider(realm, hubspot);
        try (Connection db = database()) {
            String realmId = realmId(db, realm);
            long seedStarted = System.nanoTime();
            seed(db, realmId);
            long seedMillis = (System.nanoTime() - seedStarted) / 1_000_000;
            assertThat(rows(db, realmId)).isEqualTo(REALM_CONNECTIONS);
            sandbox.resetCounts();

            // "is this portal token shared?" among 10,000 connections: by fingerprint (an index lookup), then with the
            // fingerprints gone (rows from before changelog 0008), where the check opens each row without one
            // (the first disconnect in the fresh realm warms its caches and is not counted)
            List<String> ids = someIds(db, realmId, 1 + 2 * SAMPLES);
            long warmUpMillis = disconnectMillis(realm, ids.get(0));
            List<Long> fingerprinted = new ArrayList<>();
            List<Long> unfingerprinted = new ArrayList<>();
            for (int i = 0; i < SAMPLES; i++) {
                fingerprinted.add(disconnectMillis(realm, ids.get(1 + i)));
            }
            clearFingerprints(db, realmId);
            for (int i = 0; i < SAMPLES; i++) {
                unfingerprinted.add(disconnectMillis(realm, ids.get(1 + SAMPLES + i)));
            }
            System.out.printf(Locale.ROOT, "FIGURE shared-token-check connections=%d disconnect_ms fingerprinted=%s"
                    + " unfingerprinted=%s (warm-up %d)%n", REALM_CONNECTIONS, fingerprinted, unfingerprinted, warmUpMillis);
            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("each token is shared by 99 others: kept").isZero();
            assertThat(rows(db, realmId)).isEqualTo(REALM_CONNECTIONS - 1 - 2 * SAMPLES);

            long started = System.nanoTime();
            HttpResponse<String> deleted = env.admin().call("DELETE", realm, null);
            long deleteMillis = (System.nanoTime() - started) / 1_000_000;

            System.out.printf(Locale.ROOT, "FIGURE realm-removal connections=%d delete_ms=%d seed_ms=%d%n",
                    REALM_CONNECTIONS, deleteMillis, seedMillis);
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            assertThat(deleteMillis).as("the realm's deletion, one admin call").isLessThan(REALM_DELETE_BOUND_MILLIS);
            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("HubSpot revocations during the deletion").isZero();
            // forgotten, not revoked later either: the realm's provider settings are gone with it (OwnerRemovals)
            assertThat(rows(db, realmId)).as("the realm's connections, parked ones included").isZero();
        }
    }

    @Test
    void deletingAUserWhosePortalTokenAnotherConnectionSharesRevokesNothingAndTheOtherKeepsServing() throws Exception {
        Account account = Accounts.HUBSPOT_BARBARA;
        Connected barbara = connectBarbara();
        String refreshToken = barbara.refreshToken();
        String connectionId = barbara.connectionId();
        String siblingId;
        try (Connection db = database()) {
            // another person of the same portal, holding the same refresh token (HubSpot portals share it)
            // written before changelog 0008: no fingerprint, so the check opens it
            siblingId = insertSibling(db, realmId(db, REALM), account, refreshToken, current, false);
        }
        sandbox.resetCounts();
        try {
            env.admin().deleteUserByEmail(REALM, account.email());

            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("the deletion calls no provider").isZero();
            JsonNode parked = vault.connection(connectionId);
            assertThat(parked.get("status").asText()).isEqualTo("REVOKED");
            assertThat(parked.get("ownerKind").asText()).isEqualTo("REVOKING");

            // the scheduled task's retry of this parked row (refresh-now runs the same retry; a run over every due row
            // would also send other tests' parked revocations and blur the count)
            JsonNode retried = vault.refresh(connectionId);

            assertThat(retried.path("revocationsSent").asInt()).as("the retried revocation is done").isEqualTo(1);
            assertThat(retried.path("failed").asInt()).as("and is no failed refresh").isZero();
            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("shared: not revoked upstream").isZero();
            assertThat(sandbox.refreshTokenActive(refreshToken)).isTrue();
            assertThat(vault.connection(connectionId)).as("the removed user's row is gone").isNull();
            vault.expireAccessToken(siblingId);
            assertThat(vault.refresh(siblingId).path("refreshed").asInt()).as("the other connection refreshes at HubSpot")
                    .isEqualTo(1);
            assertThat(vault.connection(siblingId).get("status").asText()).as("and still serves").isEqualTo("HEALTHY");
        } finally {
            vault.disconnect(siblingId);
        }
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("the last holder's disconnect revokes").isEqualTo(1);
        assertThat(sandbox.refreshTokenActive(refreshToken)).isFalse();
    }

    /**
     * The key changed since the other connection was sealed and fingerprinted (it0 then, it1 now) and the rotation has
     * not re-sealed it yet: its fingerprint is under it0, the removed row's under it1. A lookup under the active key
     * only would answer "not shared" and revoke the token from under the other connection.
     */
    @Test
    void aSharedTokenFingerprintedUnderThePreviousKeyIsStillFoundAfterTheKeyChanged() throws Exception {
        Connected barbara = connectBarbara();
        String siblingId;
        try (Connection db = database()) {
            siblingId = insertSibling(db, realmId(db, REALM), Accounts.HUBSPOT_BARBARA, barbara.refreshToken(), previousKey, true);
            assertThat(fingerprintOf(db, siblingId)).startsWith("f1.it0.");
            assertThat(fingerprintOf(db, barbara.connectionId())).as("the vault's own row").startsWith("f1.it1.");
        }
        sandbox.resetCounts();
        try {
            env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_BARBARA.email());
            JsonNode retried = vault.refresh(barbara.connectionId());

            assertThat(retried.path("revocationsSent").asInt()).isEqualTo(1);
            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("shared across keys: not revoked").isZero();
            assertThat(sandbox.refreshTokenActive(barbara.refreshToken())).isTrue();
            vault.expireAccessToken(siblingId);
            assertThat(vault.refresh(siblingId).path("refreshed").asInt()).as("the other connection still refreshes").isEqualTo(1);
        } finally {
            vault.disconnect(siblingId);
        }
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("the last holder's disconnect revokes").isEqualTo(1);
        assertThat(sandbox.refreshTokenActive(barbara.refreshToken())).isFalse();
    }

    /**
     * Attacker: Mallory, a second user of Barbara's HubSpot portal, whose connection holds the portal's refresh token
     * too. She disconnects hers, hoping the vault revokes the token at HubSpot and so cuts Barbara's connection off.
     * The vault finds Barbara's connection by its fingerprint (written by the vault at Barbara's login), keeps the
     * token upstream, and only forgets Mallory's row: Barbara's connection is unchanged and keeps refreshing.
     */
    @Test
    @DisplayName("attacker Mallory, sharing Barbara's HubSpot portal token, disconnects hers: Barbara's token is not revoked")
    void malloryDisconnectingHerSharedPortalConnectionDoesNotRevokeBarbarasToken() throws Exception {
        Connected barbara = connectBarbara();
        String malloryId;
        try (Connection db = database()) {
            malloryId = insertSibling(db, realmId(db, REALM), Accounts.HUBSPOT_BARBARA, barbara.refreshToken(), current, false);
        }
        JsonNode before = vault.connection(barbara.connectionId());
        sandbox.resetCounts();
        try {
            assertThat(vault.disconnect(malloryId).statusCode()).isEqualTo(204);

            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("HubSpot revocations").isZero();
            assertThat(sandbox.refreshTokenActive(barbara.refreshToken())).as("Barbara's refresh token at HubSpot").isTrue();
            assertThat(vault.connection(malloryId)).as("Mallory's row is forgotten").isNull();
            JsonNode after = vault.connection(barbara.connectionId());
            assertThat(after.get("status").asText()).isEqualTo(before.get("status").asText()).isEqualTo("HEALTHY");
            assertThat(after.get("hasRefreshToken").asBoolean()).isTrue();
            assertThat(after.get("lastRefreshAt").asLong()).isEqualTo(before.get("lastRefreshAt").asLong());
            vault.expireAccessToken(barbara.connectionId());
            assertThat(vault.refresh(barbara.connectionId()).path("refreshed").asInt()).as("Barbara's connection refreshes")
                    .isEqualTo(1);
        } finally {
            vault.disconnect(barbara.connectionId());
            env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_BARBARA.email());
        }
    }

    private record Connected(String userId, String connectionId, String refreshToken) {
    }

    private Connected connectBarbara() {
        Account account = Accounts.HUBSPOT_BARBARA;
        env.admin().deleteUserByEmail(REALM, account.email());
        Set<String> before = new HashSet<>(sandbox.issuedTokens());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), "hubspot", account).endedAtApp()).isTrue();
        List<String> issued = new ArrayList<>(sandbox.issuedTokens());
        issued.removeAll(before);
        String refreshToken = issued.stream().filter(t -> t.startsWith("na1-")).findFirst().orElseThrow();
        String userId = env.admin().userIdByEmail(REALM, account.email());
        return new Connected(userId, vault.connection("USER", userId, "hubspot").get("id").asText(), refreshToken);
    }

    private String insertSibling(Connection db, String realmId, Account account, String refreshToken, Sealer sealer,
            boolean fingerprinted) throws SQLException {
        String id = UUID.randomUUID().toString();
        String ownerId = UUID.randomUUID().toString(); // OWNER_ID holds 36 characters
        long now = Instant.now().getEpochSecond();
        try (PreparedStatement insert = db.prepareStatement(INSERT)) {
            bind(insert, id, realmId, ownerId, account, "s21-scale-placeholder-access", refreshToken, now, sealer, fingerprinted);
            insert.executeUpdate();
        }
        return id;
    }

    private long disconnectMillis(String realm, String id) {
        long started = System.nanoTime();
        HttpResponse<String> answer = env.admin().call("DELETE", realm + "/conduit-vault/connections/" + id, null);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(204);
        return millis;
    }

    private static List<String> someIds(Connection db, String realmId, int max) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement query = db.prepareStatement("select id from conduit_connection where realm_id = ? limit ?")) {
            query.setString(1, realmId);
            query.setInt(2, max);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private static void clearFingerprints(Connection db, String realmId) throws SQLException {
        try (PreparedStatement update = db.prepareStatement("update conduit_connection set refresh_fingerprint = null where realm_id = ?")) {
            update.setString(1, realmId);
            update.executeUpdate();
        }
    }

    private static String fingerprintOf(Connection db, String id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select refresh_fingerprint from conduit_connection where id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("row " + id).isTrue();
                return String.valueOf(rs.getString(1));
            }
        }
    }

    private void seed(Connection db, String realmId) throws SQLException {
        long now = Instant.now().getEpochSecond();
        List<Account> accounts = Accounts.of(Provider.HUBSPOT);
        db.setAutoCommit(false);
        try (PreparedStatement insert = db.prepareStatement(INSERT)) {
            for (int i = 0; i < REALM_CONNECTIONS; i++) {
                // one portal token per 100 connections, as HubSpot portals share them
                bind(insert, UUID.randomUUID().toString(), realmId, "s21-scale-owner-" + i, accounts.get(i % accounts.size()),
                        "s21-scale-access-" + i, "s21-scale-refresh-" + i / 100, now, current, true);
                insert.addBatch();
                if ((i + 1) % INSERT_BATCH == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
    }

    private void bind(PreparedStatement insert, String id, String realmId, String ownerId, Account account,
            String accessToken, String refreshToken, long now, Sealer sealer, boolean fingerprinted) throws SQLException {
        TokenCipher cipher = sealer.cipher();
        int c = 1;
        insert.setString(c++, id);
        insert.setString(c++, realmId);
        insert.setString(c++, ownerId);
        insert.setString(c++, account.userId());
        insert.setString(c++, account.organizationId());
        insert.setString(c++, cipher.encrypt(accessToken, new TokenOwner(realmId, TokenOwner.Kind.USER, ownerId, "hubspot", "access")));
        insert.setString(c++, cipher.encrypt(refreshToken, new TokenOwner(realmId, TokenOwner.Kind.USER, ownerId, "hubspot", "refresh")));
        insert.setString(c++, cipher.activeKeyId());
        insert.setLong(c++, now);
        insert.setLong(c++, now + 1800);
        insert.setString(c++, ownerId);
        insert.setLong(c++, now);
        insert.setLong(c++, now);
        insert.setLong(c++, now + 86_400);
        insert.setLong(c++, now);
        insert.setString(c++, fingerprinted ? sealer.fingerprints().of(realmId, "hubspot", refreshToken) : null);
    }

    private static Connection database() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", Database.user());
        properties.setProperty("password", Database.password());
        properties.setProperty("reWriteBatchedInserts", "true");
        return DriverManager.getConnection(Database.url(), properties);
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

    private static int rows(Connection db, String realmId) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select count(*) from conduit_connection where realm_id = ?")) {
            query.setString(1, realmId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
