package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.DataKeysDb;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.Test;

/**
 * A scope's first data key made by many transactions at once (issue 16; {@code StoredDataKeys.create}): a new realm
 * whose {@value #ROWS} connections are still sealed under the {@code keys} ring (v1, as before envelope encryption) is
 * refreshed by {@value #ROWS} admin requests released together, each in its own transaction on the shared server's
 * PostgreSQL, and each needing the realm's ACTIVE data key, which does not exist yet. The unique {@code ACTIVE_SCOPE}
 * refuses every key but the first and the others read the winner: one data key in the realm, every row under it, every
 * request answered 200, none 500. The log tells how many lost the race (printed, not asserted: the scheduling decides).
 */
class DataKeyRaceIT {

    private static final int ROWS = 24;

    private final ConduitEnvironment env = ConduitEnvironment.get();

    @Test
    void manyTransactionsMakingARealmsFirstDataKeyAtOnceEndWithOneKeyAndNo500() throws Exception {
        String realm = "s29-race-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = env.admin().call("POST", "", Map.of("realm", realm, "enabled", true));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        ObjectNode broker = ((ObjectNode) env.admin().identityProvider(REALM, "hubspot")).deepCopy();
        broker.remove("internalId");
        env.admin().createIdentityProvider(realm, broker);
        env.writeVaultSecret(realm, "hubspot-client-secret", env.client(Provider.HUBSPOT).clientSecret());
        try (Connection db = env.database("counts the realm's data keys")) {
            String realmId = realmId(db, realm);
            try {
                race(db, realm, realmId);
            } finally {
                // made-up owners: forgotten, not parked for revocation (other classes count the sandbox's revocations)
                try (PreparedStatement forget = db.prepareStatement("delete from conduit_connection where realm_id = ?")) {
                    forget.setString(1, realmId);
                    forget.executeUpdate();
                }
            }
        } finally {
            env.admin().call("DELETE", realm, null);
        }
    }

    private void race(Connection db, String realm, String realmId) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            MintedGrant grant = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                    Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));
            String id = UUID.randomUUID().toString();
            KeyRotationIT.insertSealedUnderOldKey(env, db, id, realmId, UUID.randomUUID().toString(), grant);
            rows.add(id);
        }
        assertThat(DataKeysDb.count(db, realmId)).as("a realm with no data key yet").isZero();
        int refreshCalls = env.sandbox().engine().tokenCalls(Provider.HUBSPOT, "refresh_token");
        long logBefore = Files.readString(env.logFile()).length();

        CyclicBarrier together = new CyclicBarrier(ROWS);
        ExecutorService threads = Executors.newFixedThreadPool(ROWS);
        List<HttpResponse<String>> answers = new ArrayList<>();
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (String id : rows) {
                sent.add(threads.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return env.admin().call("POST", realm + "/conduit-vault/connections/" + id + "/refresh", null);
                }));
            }
            for (Future<HttpResponse<String>> answer : sent) {
                answers.add(answer.get(2, TimeUnit.MINUTES));
            }
        } finally {
            threads.shutdownNow();
        }

        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).as(AppTokens.redacted(answer)).isEqualTo(200);
            JsonNode report = AppTokens.json(answer);
            assertThat(report.get("refreshed").asInt()).as(report.toString()).isEqualTo(1);
        }
        assertThat(env.sandbox().engine().tokenCalls(Provider.HUBSPOT, "refresh_token")).isEqualTo(refreshCalls + ROWS);
        assertThat(DataKeysDb.count(db, realmId)).as("one data key in the realm").isOne();
        String key = DataKeysDb.active(db, realmId, null);
        for (String id : rows) {
            assertThat(KeyRotationIT.keyColumns(db, id)).containsExactly(key, "v2." + key + ".", "v2." + key + ".");
        }
        String log = Files.readString(env.logFile()).substring((int) logBefore);
        assertThat(occurrences(log, "made for realm " + realmId)).as("one key made").isOne();
        System.out.printf("FIGURE first data key race (PostgreSQL, %d concurrent refreshes): %d transaction(s) lost the"
                + " race and read the winner%n", ROWS, occurrences(log, "Data key of realm " + realmId + ": another transaction"));
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static String realmId(Connection db, String realm) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id from realm where name = ?")) {
            query.setString(1, realm);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
