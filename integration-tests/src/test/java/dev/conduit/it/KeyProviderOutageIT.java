package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.DataKeysDb;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The key provider goes away after start (issue 16, item 5): Keycloak's data keys are wrapped by a KEK in a SoftHSM2
 * token ({@code pkcs11} provider) and each node keeps one unwrapped data key ({@code data-key-cache-size=1}). With the
 * token deleted under the running server, the organization connection whose data key is cached keeps answering 200;
 * the user connection whose realm key is not cached answers 503 {@code temporarily_unavailable}; a data-key rotation
 * answers 503 and changes nothing; no row is re-sealed under another key. Removing a user or an organization whose
 * connections need an uncached key answers 503 with the user, organization and rows as they were; a due refresh whose
 * answer would be sealed under an uncached key answers 503 without calling the provider.
 *
 * <p>Then the token is put back and Keycloak restarted (SoftHSM2 does not find a token again in a process that saw it
 * go): the rows still sealed under the {@code keys} ring (v1) are re-sealed under data keys by the start alone, no admin
 * call, while exchanges are served; the refresh held back goes to the provider once, and the removals go through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyProviderOutageIT {

    /** v1 rows of made-up users, left for the start to migrate. */
    private static final int V1_ROWS = 2000;

    private ConduitEnvironment env;
    private final String password = Secrets.generate();
    /** What the outage left behind, for the restart. */
    private Outage outage;

    private record Outage(String realmId, String userId, String userRow, String organizationId, String serverRow,
            String serverToken, String refresherRow, MintedGrant refresherGrant, int refreshCalls) {
    }

    @BeforeAll
    void start() {
        env = ConduitEnvironment.startWithPkcs11();
    }

    @AfterAll
    void stop() {
        if (env != null) {
            env.stop();
        }
    }

    @Test
    @Order(1)
    void withTheHsmGoneACachedDataKeyServesAndAnUncachedOneAnswers503() throws Exception {
        AppTokens apps = new AppTokens(env);
        VaultApi vault = new VaultApi(env);
        String username = "outage-user";
        String userId = createUser(username, "outage@members.example");
        MintedGrant grant = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));
        Organizations organizations = new Organizations(env, password);
        String alias = "conduit-it-outage";
        String organizationId = organizations.create(alias, "Outage Org", "outage-org.example");
        organizations.createUser("outage-member");
        organizations.addMember(organizationId, "outage-member");
        String serverToken = env.sandbox().engine().serverToServer().createHubSpotPrivateApp("6363", Set.of("crm.objects.contacts.read"));
        String refresherId = createUser("outage-refresher", "refresher@members.example");
        MintedGrant refresherGrant = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));

        try (Connection db = env.database("reads the rows over JDBC")) {
            String realmId = KeyRotationIT.realmId(db);
            String userRow = UUID.randomUUID().toString();
            KeyRotationIT.insertSealedUnderOldKey(env, db, userRow, realmId, userId, grant);
            assertThat(vault.rotateKey().get("state").asText()).as("migrated under the realm's data key").isEqualTo("FINISHED");
            String realmKey = DataKeysDb.active(db, realmId, null);
            assertThat(KeyRotationIT.keyColumns(db, userRow).get(0)).isEqualTo(realmKey);
            HttpResponse<String> server = new ServerConnectionsApi(env.admin(), REALM).create(organizationId, "hubspot",
                    "hubspot-private-app", Map.of("access_token", serverToken, "scopes", "crm.objects.contacts.read"));
            assertThat(server.statusCode()).as(server.body()).isEqualTo(201);
            String serverRow = AppTokens.json(server).get("id").asText();
            String organizationKey = DataKeysDb.active(db, realmId, organizationId);
            assertThat(KeyRotationIT.keyColumns(db, serverRow).get(0)).isEqualTo(organizationKey);
            // still under the keys ring (v1, as before envelope encryption) and due: its refresh is sealed under the
            // realm's data key, which is not in the node's memory
            String refresherRow = UUID.randomUUID().toString();
            KeyRotationIT.insertSealedUnderOldKey(env, db, refresherRow, realmId, refresherId, refresherGrant);
            expire(db, refresherRow);
            MintedGrant filler = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                    Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));
            for (int i = 0; i < V1_ROWS; i++) {
                KeyRotationIT.insertSealedUnderOldKey(env, db, UUID.randomUUID().toString(), realmId,
                        UUID.randomUUID().toString(), filler);
            }

            String userToken = apps.passwordLogin(username, password);
            String memberToken = apps.passwordLogin("outage-member", password);
            String refresherToken = apps.passwordLogin("outage-refresher", password);
            Map<String, String> userExchange = Map.of("audience", "hubspot");
            Map<String, String> organizationExchange = Map.of("audience", "hubspot", "organization", alias,
                    "scope", "crm.contacts.read");
            assertThat(ok(apps.exchange(userToken, userExchange)).get("access_token").asText()).isEqualTo(grant.accessToken());
            // the organization's key is now the one key in the node's memory
            assertThat(ok(apps.exchange(memberToken, organizationExchange)).get("access_token").asText()).isEqualTo(serverToken);
            JsonNode keysBefore = vault.keys().get("dataKeys");

            env.hsm().unplug(ConduitEnvironment.HSM_TOKEN);

            assertThat(ok(apps.exchange(memberToken, organizationExchange)).get("access_token").asText())
                    .as("the cached data key keeps serving").isEqualTo(serverToken);
            HttpResponse<String> uncached = apps.exchange(userToken, userExchange);
            assertRefused(uncached, 503, "temporarily_unavailable", "The key provider is unreachable");
            assertThat(uncached.body()).doesNotContain(grant.accessToken()).doesNotContain("Exception");
            HttpResponse<String> rotate = env.admin().call("POST", REALM + "/conduit-vault/data-keys/rotate", null);
            assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(503);
            assertThat(rotate.body()).contains("temporarily_unavailable");
            assertThat(vault.keys().get("dataKeys")).as("no data key made, retired or deleted").isEqualTo(keysBefore);
            assertThat(KeyRotationIT.keyColumns(db, userRow)).as("nothing re-sealed weaker")
                    .containsExactly(realmKey, "v2." + realmKey + ".", "v2." + realmKey + ".");
            assertThat(KeyRotationIT.keyColumns(db, serverRow).get(0)).isEqualTo(organizationKey);
            assertThat(Files.readString(env.logFile())).contains("the key provider is unreachable");

            // removals that need the realm's (uncached) key: refused whole, everything as it was
            List<String> userRowBefore = row(db, userRow);
            assertRefused(env.admin().call("DELETE", REALM + "/users/" + userId, null), 503, "temporarily_unavailable",
                    "The key provider is unreachable");
            assertThat(env.admin().call("GET", REALM + "/users/" + userId, null).statusCode()).as("the user is still there")
                    .isEqualTo(200);
            assertThat(row(db, userRow)).as("the user's connection as it was").isEqualTo(userRowBefore);
            List<String> serverRowBefore = row(db, serverRow);
            assertRefused(env.admin().call("DELETE", REALM + "/organizations/" + organizationId, null), 503,
                    "temporarily_unavailable", "The key provider is unreachable");
            assertThat(env.admin().call("GET", REALM + "/organizations/" + organizationId, null).statusCode())
                    .as("the organization is still there").isEqualTo(200);
            assertThat(row(db, serverRow)).as("the organization's connection as it was").isEqualTo(serverRowBefore);
            assertThat(DataKeysDb.countOfOrganization(db, organizationId)).as("its data key kept").isEqualTo(1);
            assertThat(ok(apps.exchange(memberToken, organizationExchange)).get("access_token").asText()).isEqualTo(serverToken);

            // a due refresh whose answer would be sealed under the uncached realm key: the provider is not asked
            int refreshCalls = env.sandbox().engine().tokenCalls(Provider.HUBSPOT, "refresh_token");
            List<String> refresherBefore = row(db, refresherRow);
            HttpResponse<String> due = apps.exchange(refresherToken, userExchange);
            assertRefused(due, 503, "temporarily_unavailable", "The key provider is unreachable");
            assertThat(due.body()).doesNotContain(refresherGrant.accessToken());
            assertThat(env.sandbox().engine().tokenCalls(Provider.HUBSPOT, "refresh_token"))
                    .as("the refresh token is not spent on an answer that could not be stored").isEqualTo(refreshCalls);
            assertThat(row(db, refresherRow)).as("the row as it was, still v1 under the keys ring").isEqualTo(refresherBefore);
            assertThat(KeyRotationIT.keyColumns(db, refresherRow)).containsExactly("it0", "v1.it0.", "v1.it0.");
            outage = new Outage(realmId, userId, userRow, organizationId, serverRow, serverToken, refresherRow, refresherGrant,
                    refreshCalls);
        }
    }

    @Test
    @Order(2)
    void withTheHsmBackARestartAloneMigratesTheV1RowsAndWhatWasHeldBackGoesThrough() throws Exception {
        assertThat(outage).as("the outage test ran first").isNotNull();
        AppTokens apps = new AppTokens(env);
        env.hsm().plugBackIn();
        long restartMillis = env.restart(); // the H2 connection of the first test is closed: Keycloak holds the file

        // no admin call: the start found the v1 rows and re-seals them in the background, exchanges served meanwhile
        String memberToken = apps.passwordLogin("outage-member", password);
        Map<String, String> organizationExchange = Map.of("audience", "hubspot", "organization", "conduit-it-outage",
                "scope", "crm.contacts.read");
        List<Integer> answered = new ArrayList<>();
        long v1AtFirstExchange;
        try (Connection db = env.database("reads the rows over JDBC")) {
            v1AtFirstExchange = v1Rows(db, outage.realmId());
            Await.until("the start re-seals every v1 row", Duration.ofMinutes(2), () -> {
                HttpResponse<String> exchanged = apps.exchange(memberToken, organizationExchange);
                answered.add(exchanged.statusCode());
                assertThat(exchanged.statusCode()).as(AppTokens.redacted(exchanged)).isEqualTo(200);
                assertThat(AppTokens.json(exchanged).get("access_token").asText()).isEqualTo(outage.serverToken());
                try {
                    return v1Rows(db, outage.realmId()) == 0;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            String realmKey = DataKeysDb.active(db, outage.realmId(), null);
            assertThat(KeyRotationIT.keyColumns(db, outage.refresherRow()))
                    .containsExactly(realmKey, "v2." + realmKey + ".", "v2." + realmKey + ".");
            System.out.printf("FIGURE boot migration (pkcs11, H2): restart %d ms; %d v1 row(s) left at the first exchange of"
                    + " %d, all answered 200%n", restartMillis, v1AtFirstExchange, answered.size());
        }
        assertThat(Files.readString(env.logFile()))
                .contains("Envelope encryption: 1 realm(s) hold rows sealed under the configured keys");
        assertThat(new VaultApi(env).rotateKeyProgress().get("state").asText()).isEqualTo("FINISHED");

        // the refresh held back during the outage: one call to the provider now, its new token served
        String refresherToken = apps.passwordLogin("outage-refresher", password);
        JsonNode refreshed = ok(apps.exchange(refresherToken, Map.of("audience", "hubspot")));
        assertThat(env.sandbox().engine().tokenCalls(Provider.HUBSPOT, "refresh_token")).isEqualTo(outage.refreshCalls() + 1);
        assertThat(refreshed.get("access_token").asText()).isNotEqualTo(outage.refresherGrant().accessToken());
        assertThat(env.sandbox().engine().accessTokenActive(refreshed.get("access_token").asText())).isTrue();

        // the removals refused during the outage go through now
        assertThat(env.admin().call("DELETE", REALM + "/users/" + outage.userId(), null).statusCode()).isEqualTo(204);
        assertThat(env.admin().call("DELETE", REALM + "/organizations/" + outage.organizationId(), null).statusCode())
                .isEqualTo(204);
        try (Connection db = env.database("reads the rows over JDBC")) {
            assertThat(row(db, outage.userRow()).subList(0, 2)).as("parked for revocation").containsExactly("REVOKING", "REVOKED");
            assertThat(row(db, outage.serverRow()).subList(0, 2)).containsExactly("REVOKING", "REVOKED");
            assertThat(DataKeysDb.countOfOrganization(db, outage.organizationId())).as("shredded").isZero();
        }
    }

    private String createUser(String username, String email) {
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", email, "emailVerified", true, "enabled", true, "firstName", "Out",
                "lastName", "Age", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return env.admin().userIdByUsername(REALM, username);
    }

    /** Due now: its access token expired a minute ago. */
    private static void expire(Connection db, String id) throws SQLException {
        long past = System.currentTimeMillis() / 1000 - 60;
        try (PreparedStatement update = db.prepareStatement(
                "update conduit_connection set expires_at = ?, next_refresh_at = ? where id = ?")) {
            update.setLong(1, past);
            update.setLong(2, past);
            update.setString(3, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    /** Owner kind, status, owner id, key id and the sealed columns as stored. */
    private static List<String> row(Connection db, String id) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select owner_kind, status, owner_id, key_id, access_token,"
                + " refresh_token, credential from conduit_connection where id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("row " + id).isTrue();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= 7; i++) {
                    columns.add(String.valueOf(rs.getString(i)));
                }
                return columns;
            }
        }
    }

    private static long v1Rows(Connection db, String realmId) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(
                "select count(*) from conduit_connection where realm_id = ? and access_token like 'v1.%'")) {
            query.setString(1, realmId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
