package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

import dev.conduit.it.support.Await;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.CopiedRowOpener;
import dev.conduit.it.support.DataKeysDb;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.RowCount;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.crypto.TokenOwner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Removing an owner never waits on a provider: a user's or an organization's removal parks the connections and
 * the scheduled task sends the revocations (deciding then whether a token is shared); an identity provider's or a
 * realm's removal copies its connections into pending revocations (a shared token once) with the provider's settings,
 * sealed, and the scheduled task sends them later (OwnerRemovals, PendingRevocations). Rows are written straight into
 * CONDUIT_CONNECTION over JDBC, sealed with the vault's key, so PostgreSQL only, like VaultStorageIT.
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
            + " values (?, ?, 'USER', ?, ?, ?, ?, ?, null, ?, ?, ?, 'oauth', ?, ?, 'HEALTHY', ?, ?,"
            + " 0, ?, ?, 0, null, ?, ?)";
    /** The test server's read-timeout-millis: an inline revocation against a hanging endpoint takes at least this. */
    private static final long READ_TIMEOUT_MILLIS = 2000;
    /** How long the sandbox's revocation endpoints hang while a removal runs. */
    private static final Fault HANGING = Fault.delay(15_000);

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
            refillFingerprints(db, realmId);

            sandbox.injectFault(Provider.HUBSPOT, Endpoint.REVOKE, HANGING, 200);
            long started = System.nanoTime();
            HttpResponse<String> deleted;
            try {
                deleted = env.admin().call("DELETE", realm, null);
            } finally {
                sandbox.clearFaults();
            }
            long deleteMillis = (System.nanoTime() - started) / 1_000_000;

            System.out.printf(Locale.ROOT, "FIGURE realm-removal connections=%d delete_ms=%d seed_ms=%d pending=%d%n",
                    REALM_CONNECTIONS, deleteMillis, seedMillis, pending(db, realmId));
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            assertThat(deleteMillis).as("the realm's deletion, one admin call").isLessThan(REALM_DELETE_BOUND_MILLIS);
            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("HubSpot revocations during the deletion").isZero();
            assertThat(rows(db, realmId)).as("the realm's connections, parked ones included").isZero();
            assertThat(pending(db, realmId)).as("one pending revocation per portal token (100 connections share each)")
                    .isEqualTo(REALM_CONNECTIONS / 100);

            JsonNode sent = sendAllPending();

            System.out.printf(Locale.ROOT, "FIGURE realm-removal-revocations pending=%d send_ms=%d%n", REALM_CONNECTIONS / 100,
                    sent.get("millis").asLong());
            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("each portal token revoked once")
                    .isEqualTo(REALM_CONNECTIONS / 100);
            assertThat(pending(db, realmId)).isZero();
        }
    }

    /**
     * Attacker: Mallory, an administrator of her team's realm, deletes its Salesforce identity provider, hoping the
     * vault forgets her connections without revoking them (the provider's settings are gone after the deletion) and so
     * keeps her refresh token alive at Salesforce. The deletion answers at once while Salesforce's revocation endpoint
     * hangs (it never waits on it), and the scheduled task revokes her tokens later with the removed provider's
     * settings; a token two of her connections share is revoked once.
     */
    @Test
    @DisplayName("attacker Mallory deletes the Salesforce identity provider to keep her tokens alive there: revoked later")
    void malloryDeletingTheIdentityProviderDoesNotKeepHerTokensAliveAtSalesforce() throws Exception {
        String realm = scratchRealm("s24-idp-removal-", "salesforce");
        MintedGrant mallory = mintSalesforce(Accounts.SALESFORCE_ANNIE);
        MintedGrant trudy = mintSalesforce(Accounts.SALESFORCE_JEAN);
        try (Connection db = database()) {
            String realmId = realmId(db, realm);
            insert(db, realmId, "salesforce", mallory, Accounts.SALESFORCE_ANNIE);
            insert(db, realmId, "salesforce", mallory, Accounts.SALESFORCE_ANNIE); // her second connection, same token
            insert(db, realmId, "salesforce", trudy, Accounts.SALESFORCE_JEAN);
            sandbox.resetCounts();
            sandbox.injectFault(Provider.SALESFORCE, Endpoint.REVOKE, HANGING, 10);
            long deleteMillis;
            try {
                long started = System.nanoTime();
                HttpResponse<String> deleted = env.admin().call("DELETE", realm + "/identity-provider/instances/salesforce", null);
                deleteMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            } finally {
                sandbox.clearFaults();
            }
            System.out.printf(Locale.ROOT, "FIGURE provider-removal connections=3 delete_ms=%d%n", deleteMillis);

            assertThat(deleteMillis).as("the deletion waits on no revocation").isLessThan(READ_TIMEOUT_MILLIS);
            assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).as("no call during the deletion").isZero();
            assertThat(rows(db, realmId)).as("the alias's connections are gone").isZero();
            assertThat(vault.pendingRevocations(realm)).as("a shared token is pending once").isEqualTo(2);
            assertThat(sandbox.refreshTokenActive(mallory.refreshToken())).as("not revoked yet").isTrue();
            assertNothingInClear(db, realmId, mallory, trudy, env.client(Provider.SALESFORCE).clientSecret());

            JsonNode sent = vault.sendPendingRevocations(realm);

            assertThat(sent.get("sent").asInt()).isEqualTo(2);
            assertThat(sent.get("left").asLong()).isZero();
            assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).as("each token revoked once").isEqualTo(2);
            assertThat(sandbox.refreshTokenActive(mallory.refreshToken())).as("Mallory's token at Salesforce").isFalse();
            assertThat(sandbox.refreshTokenActive(trudy.refreshToken())).isFalse();
            assertThat(clients(db, realmId)).as("the removed provider's settings, no longer needed").isZero();
        } finally {
            env.admin().call("DELETE", realm, null);
        }
    }

    /**
     * A realm's identity providers are gone when Keycloak announces the realm's removal: the vault read their settings
     * while the realm's clients were removed, earlier in that transaction, and parks each alias's connections with them.
     * The Salesforce connection was sealed under the previous key: the master realm's key rotation re-seals the removed
     * realm's pending revocations, so they still open once the previous key is retired.
     */
    @Test
    void deletingARealmAnswersWithoutCallingItsProvidersAndTheScheduledTaskRevokesEachTokenOnce() throws Exception {
        String realm = scratchRealm("s24-realm-removal-", "salesforce", "hubspot");
        MintedGrant salesforce = mintSalesforce(Accounts.SALESFORCE_ADELE);
        MintedGrant portal = sandbox.mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                Accounts.HUBSPOT_MARY.userId(), Set.of("oauth", "crm.objects.contacts.read"));
        try (Connection db = database()) {
            String realmId = realmId(db, realm);
            insert(db, realmId, "salesforce", salesforce, Accounts.SALESFORCE_ADELE, previousKey);
            insert(db, realmId, "hubspot", portal, Accounts.HUBSPOT_MARY);
            insert(db, realmId, "hubspot", portal, Accounts.HUBSPOT_MARY); // another person of the portal
            sandbox.resetCounts();
            sandbox.injectFault(Provider.SALESFORCE, Endpoint.REVOKE, HANGING, 10);
            sandbox.injectFault(Provider.HUBSPOT, Endpoint.REVOKE, HANGING, 10);
            long deleteMillis;
            try {
                long started = System.nanoTime();
                HttpResponse<String> deleted = env.admin().call("DELETE", realm, null);
                deleteMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            } finally {
                sandbox.clearFaults();
            }
            System.out.printf(Locale.ROOT, "FIGURE realm-removal connections=3 delete_ms=%d%n", deleteMillis);

            assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE) + sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE))
                    .as("no call during the deletion").isZero();
            assertThat(rows(db, realmId)).isZero();
            assertThat(pending(db, realmId)).as("the portal token once, the Salesforce token").isEqualTo(2);
            assertNothingInClear(db, realmId, salesforce, portal, env.client(Provider.SALESFORCE).clientSecret());
            String parkedKey = DataKeysDb.active(db, DataKeysDb.PARKED_REALM, null);
            assertThat(parkedKey).as("the parked revocations' data key").isNotNull();
            assertThat(pendingKeys(db, realmId)).as("re-sealed under the parked revocations' key before the realm's went")
                    .hasSize(4).containsOnly(parkedKey);
            assertThat(DataKeysDb.count(db, realmId)).as("the realm's data keys are destroyed").isZero();

            assertThat(vault.inRealm("master").rotateKey().get("state").asText()).isEqualTo("FINISHED");
            assertThat(pendingKeys(db, realmId)).as("left under the parked key").hasSize(4).containsOnly(parkedKey);

            sendAllPending();

            assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).isEqualTo(1);
            assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("the shared portal token once").isEqualTo(1);
            assertThat(sandbox.refreshTokenActive(salesforce.refreshToken())).isFalse();
            assertThat(sandbox.refreshTokenActive(portal.refreshToken())).isFalse();
            assertThat(pending(db, realmId)).isZero();
            assertThat(clients(db, realmId)).isZero();
        }
    }

    /**
     * Crypto-shredding (issue 16, item 3): a realm's rows, re-sealed under its data key by the rotation, are copied over
     * SQL as a backup would; the realm is deleted; the copies no longer open, not even with the server's KEKs, while the
     * parked revocation of the same token is still sent.
     */
    @Test
    void deletingARealmDestroysItsDataKeysSoACopyOfItsRowsNoLongerOpensWhileItsRevocationIsStillSent() throws Exception {
        String realm = scratchRealm("s28-shred-", "salesforce");
        MintedGrant salesforce = mintSalesforce(Accounts.SALESFORCE_ADELE);
        try (Connection db = database()) {
            String realmId = realmId(db, realm);
            insert(db, realmId, "salesforce", salesforce, Accounts.SALESFORCE_ADELE);
            assertThat(vault.inRealm(realm).rotateKey().get("state").asText()).isEqualTo("FINISHED");
            String dataKey = DataKeysDb.active(db, realmId, null);
            List<CopiedRowOpener.Copy> backup = CopiedRowOpener.copy(db, realmId, null);
            assertThat(backup).hasSize(1);
            assertThat(backup.get(0).keyId()).as("migrated to the realm's data key").isEqualTo(dataKey);
            CopiedRowOpener opener = new CopiedRowOpener(db, env.vaultKeys(), "it1");
            assertThat(opener.accessToken(backup.get(0))).as("the copy opens while the realm exists")
                    .isEqualTo(salesforce.accessToken());
            sandbox.resetCounts();

            HttpResponse<String> deleted = env.admin().call("DELETE", realm, null);
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);

            assertThatThrownBy(() -> opener.accessToken(backup.get(0))).as("the backup's copy no longer opens")
                    .isInstanceOf(TokenDecryptionException.class).hasMessageContaining("does not exist")
                    .hasMessageNotContaining(salesforce.accessToken());
            assertThat(DataKeysDb.count(db, realmId)).as("the realm's data keys are destroyed").isZero();
            assertThat(pending(db, realmId)).as("its revocation is parked").isEqualTo(1);

            sendAllPending();
            assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).as("the parked revocation is sent").isEqualTo(1);
            assertThat(sandbox.refreshTokenActive(salesforce.refreshToken())).isFalse();
            assertThat(pending(db, realmId)).isZero();
        }
    }

    /** The master realm's send, which takes removed realms' pending revocations too, until none is due. */
    private JsonNode sendAllPending() {
        JsonNode sent = vault.sendPendingRevocations("master");
        assertThat(sent.get("failed").asInt()).as(sent.toString()).isZero();
        assertThat(sent.get("gaveUp").asInt()).as(sent.toString()).isZero();
        return sent;
    }

    /** A realm of its own with copies of the demo realm's brokers, their client secrets in Keycloak's file vault. */
    private String scratchRealm(String prefix, String... aliases) {
        String realm = prefix + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = env.admin().call("POST", "", Map.of("realm", realm, "enabled", true));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        for (String alias : aliases) {
            ObjectNode broker = ((ObjectNode) env.admin().identityProvider(REALM, alias)).deepCopy();
            broker.remove("internalId");
            env.admin().createIdentityProvider(realm, broker);
            Provider provider = Provider.valueOf(alias.toUpperCase(Locale.ROOT));
            env.writeVaultSecret(realm, alias + "-client-secret", env.client(provider).clientSecret());
        }
        return realm;
    }

    private MintedGrant mintSalesforce(Account account) {
        return sandbox.mintGrant(Provider.SALESFORCE, env.client(Provider.SALESFORCE).clientId(), account.userId(),
                Set.of("api", "refresh_token"));
    }

    /** A connection of a new owner holding the grant, sealed and fingerprinted as the vault does. */
    private void insert(Connection db, String realmId, String alias, MintedGrant grant, Account account) throws SQLException {
        insert(db, realmId, alias, grant, account, current);
    }

    private void insert(Connection db, String realmId, String alias, MintedGrant grant, Account account, Sealer sealer)
            throws SQLException {
        long now = Instant.now().getEpochSecond();
        try (PreparedStatement insert = db.prepareStatement(INSERT)) {
            bind(insert, UUID.randomUUID().toString(), realmId, UUID.randomUUID().toString(), alias, account,
                    grant.accessToken(), grant.refreshToken(), now, sealer, true);
            insert.executeUpdate();
        }
    }

    /** Neither table of the pending revocations holds a token or the client secret in clear. */
    private static void assertNothingInClear(Connection db, String realmId, MintedGrant a, MintedGrant b, String secret)
            throws SQLException {
        StringBuilder stored = new StringBuilder();
        for (String table : List.of("conduit_pending_revocation", "conduit_revocation_client")) {
            try (PreparedStatement query = db.prepareStatement("select * from " + table + " where realm_id = ?")) {
                query.setString(1, realmId);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                            stored.append(rs.getString(c)).append('|');
                        }
                    }
                }
            }
        }
        assertThat(stored).as("the pending revocations' rows").isNotEmpty();
        for (String secretValue : List.of(a.accessToken(), a.refreshToken(), b.accessToken(), b.refreshToken(), secret)) {
            assertThat(stored.toString()).doesNotContain(secretValue);
        }
        assertThat(stored.toString()).doesNotContain("/revoke").doesNotContain("client-secret");
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
        // sent after the disconnect committed
        Await.until("the last holder's disconnect revokes", () -> !sandbox.refreshTokenActive(refreshToken));
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("the last holder's disconnect revokes").isEqualTo(1);
    }

    /**
     * The key changed since the other connection was sealed and fingerprinted (under the ring's it0 then, as before
     * data keys; under the realm's data key now) and the rotation has not re-sealed it yet: its fingerprint is f1 under
     * it0, the removed row's f2 under the realm's data key. A lookup under the active key only would answer "not
     * shared" and revoke the token from under the other connection.
     */
    @Test
    void aSharedTokenFingerprintedUnderThePreviousKeyIsStillFoundAfterTheKeyChanged() throws Exception {
        Connected barbara = connectBarbara();
        String siblingId;
        try (Connection db = database()) {
            siblingId = insertSibling(db, realmId(db, REALM), Accounts.HUBSPOT_BARBARA, barbara.refreshToken(), previousKey, true);
            assertThat(fingerprintOf(db, siblingId)).startsWith("f1.it0.");
            assertThat(fingerprintOf(db, barbara.connectionId())).as("the vault's own row, under the realm's data key")
                    .startsWith("f2.");
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
        // sent after the disconnect committed
        Await.until("the last holder's disconnect revokes", () -> !sandbox.refreshTokenActive(barbara.refreshToken()));
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("the last holder's disconnect revokes").isEqualTo(1);
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

    /** Fingerprints the seeded rows again (each holds the portal token of its hundred), as the vault's backfill would. */
    private void refillFingerprints(Connection db, String realmId) throws SQLException {
        db.setAutoCommit(false);
        try (PreparedStatement query = db.prepareStatement("select id, owner_id from conduit_connection where realm_id = ?");
                PreparedStatement update = db.prepareStatement("update conduit_connection set refresh_fingerprint = ? where id = ?")) {
            query.setString(1, realmId);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    int i = Integer.parseInt(rs.getString(2).substring("s21-scale-owner-".length()));
                    update.setString(1, current.fingerprints().of(realmId, "hubspot", "s21-scale-refresh-" + i / 100));
                    update.setString(2, rs.getString(1));
                    update.addBatch();
                }
            }
            update.executeBatch();
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** The key ids of the realm's pending revocations and of their providers' settings. */
    private static List<String> pendingKeys(Connection db, String realmId) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (PreparedStatement query = db.prepareStatement("select key_id from conduit_pending_revocation where realm_id = ?"
                + " union all select key_id from conduit_revocation_client where realm_id = ?")) {
            query.setString(1, realmId);
            query.setString(2, realmId);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
        }
        return keys;
    }

    private static long pending(Connection db, String realmId) throws SQLException {
        return RowCount.of(db, "select count(*) from conduit_pending_revocation where realm_id = ?", realmId);
    }

    private static long clients(Connection db, String realmId) throws SQLException {
        return RowCount.of(db, "select count(*) from conduit_revocation_client where realm_id = ?", realmId);
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
        bind(insert, id, realmId, ownerId, "hubspot", account, accessToken, refreshToken, now, sealer, fingerprinted);
    }

    private void bind(PreparedStatement insert, String id, String realmId, String ownerId, String alias, Account account,
            String accessToken, String refreshToken, long now, Sealer sealer, boolean fingerprinted) throws SQLException {
        TokenCipher cipher = sealer.cipher();
        int c = 1;
        insert.setString(c++, id);
        insert.setString(c++, realmId);
        insert.setString(c++, ownerId);
        insert.setString(c++, alias);
        insert.setString(c++, "conduit-" + alias);
        insert.setString(c++, account.userId());
        insert.setString(c++, account.organizationId());
        insert.setString(c++, cipher.encrypt(accessToken, new TokenOwner(realmId, TokenOwner.Kind.USER, ownerId, alias, "access")));
        insert.setString(c++, cipher.encrypt(refreshToken, new TokenOwner(realmId, TokenOwner.Kind.USER, ownerId, alias, "refresh")));
        insert.setString(c++, cipher.ringKeyId());
        insert.setLong(c++, now);
        insert.setLong(c++, now + 1800);
        insert.setString(c++, ownerId);
        insert.setLong(c++, now);
        insert.setLong(c++, now);
        insert.setLong(c++, now + 86_400);
        insert.setLong(c++, now);
        insert.setString(c++, fingerprinted ? sealer.fingerprints().of(realmId, alias, refreshToken) : null);
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

    private static long rows(Connection db, String realmId) throws SQLException {
        return RowCount.of(db, "select count(*) from conduit_connection where realm_id = ?", realmId);
    }
}
