package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.conduit.it.support.Database;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenOwner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How long the vault's proactive refresh run takes with many connections, 1% of them due: the rows are written
 * straight into CONDUIT_CONNECTION (sealed with the vault's key; the due ones hold real sandbox grants), then the
 * realm's {@code conduit-vault/refresh-due} runs once (refreshing the due 1%) and once more (nothing due: the index
 * lookup alone). Prints one BENCHMARK line per size, and the run time relative to Keycloak's own discovery endpoint
 * measured in the same run. Runs when Keycloak is on PostgreSQL (as in .ci/run), like VaultStorageIT.
 */
class ProactiveRefreshBenchmarkIT {

    private static final String OWNER_PREFIX = "bench-";
    private static final String ALIAS = "salesforce";
    private static final String PROVIDER_ID = "conduit-salesforce";
    private static final Set<String> SCOPES = Set.of("api", "refresh_token");
    private static final int INSERT_BATCH = 1000;
    private static final int LATENCY_WARMUP = 20;
    private static final int LATENCY_SAMPLES = 200;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    private static final String INSERT = "insert into conduit_connection (id, realm_id, owner_kind, owner_id,"
            + " provider_alias, provider_id, account_id, organization_id, instance_url, access_token, refresh_token,"
            + " key_id, scopes, issued_at, expires_at, status, connected_by, connected_at, version, last_refresh_at,"
            + " next_refresh_at, failure_count, last_error, health_checked_at)"
            + " values (?, ?, 'USER', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'HEALTHY', ?, ?, 0, ?, ?, 0, null, ?)";

    private static ConduitEnvironment env;

    @BeforeAll
    static void onPostgres() {
        Database.requirePostgres("writes CONDUIT_CONNECTION over JDBC");
        env = ConduitEnvironment.get();
    }

    private static Connection database() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", Database.user());
        properties.setProperty("password", Database.password());
        // one multi-row INSERT per batch instead of one statement per row: 100k rows in seconds
        properties.setProperty("reWriteBatchedInserts", "true");
        return DriverManager.getConnection(Database.url(), properties);
    }

    /** {@code -Dconduit.bench.proactive.sizes=10000,100000,1000000} (-Pbenchmark adds the million). */
    static java.util.stream.IntStream sizes() {
        return java.util.Arrays.stream(System.getProperty("conduit.bench.proactive.sizes", "10000,100000").split(","))
                .map(String::trim).mapToInt(Integer::parseInt);
    }

    @ParameterizedTest(name = "{0} connections, 1% due")
    @MethodSource("sizes")
    void proactiveRefreshRunWithOnePercentDue(int connections) throws Exception {
        SandboxEngine engine = env.sandbox().engine();
        engine.clearFaults();
        int dueRows = connections / 100;
        try (Connection db = database()) {
            deleteBenchRows(db);
            // settle connections other tests left due, so the measured run sees only ours (and warm the path up)
            refreshDue(new long[1]);
            try {
                long seedStarted = System.nanoTime();
                long now = Instant.now().getEpochSecond();
                seed(db, realmId(db), connections, now);
                long seedMillis = (System.nanoTime() - seedStarted) / 1_000_000;
                try (PreparedStatement analyze = db.prepareStatement("analyze conduit_connection")) {
                    analyze.execute(); // what autovacuum does soon after a bulk load
                }
                printDueQueryPlan(db, connections, "before-run");

                int callsBefore = engine.tokenCalls(Provider.SALESFORCE, "refresh_token");
                // a run takes at most refresh-batch (2000) due connections; the scheduled task takes the rest in the
                // next rounds, so more due than that is measured as the rounds it takes
                long[] wallNanos = new long[1];
                long runMillis = 0;
                long totalWallNanos = 0;
                int due = 0;
                int refreshed = 0;
                int failed = 0;
                int rounds = 0;
                JsonNode run;
                do {
                    run = refreshDue(wallNanos);
                    rounds++;
                    runMillis += run.path("millis").asLong();
                    totalWallNanos += wallNanos[0];
                    due += run.path("due").asInt();
                    refreshed += run.path("refreshed").asInt();
                    failed += run.path("failed").asInt();
                } while (run.path("refreshed").asInt() > 0 && refreshed < dueRows && rounds < 20);
                int refreshCalls = engine.tokenCalls(Provider.SALESFORCE, "refresh_token") - callsBefore;

                long[] emptyWallNanos = new long[1];
                JsonNode empty = refreshDue(emptyWallNanos);
                printDueQueryPlan(db, connections, "nothing-due");

                double wellKnownMeanMillis = wellKnownMeanMillis();
                System.out.printf(Locale.ROOT, "BENCHMARK proactive-refresh connections=%d due=%d refreshed=%d failed=%d rounds=%d"
                                + " run_ms=%d wall_ms=%d per_due_ms=%.2f empty_run_ms=%d empty_wall_ms=%d seed_ms=%d%n",
                        connections, due, refreshed, failed, rounds, runMillis, totalWallNanos / 1_000_000,
                        due == 0 ? 0.0 : (double) runMillis / due,
                        empty.path("millis").asLong(), emptyWallNanos[0] / 1_000_000, seedMillis);
                System.out.printf(Locale.ROOT, "BENCHMARK proactive-refresh connections=%d"
                                + " keycloak_wellknown_mean_ms=%.2f (%d sequential GET /realms/%s/.well-known/openid-configuration)"
                                + " run_ms/keycloak_wellknown_mean_ms=%.1f empty_run_ms/keycloak_wellknown_mean_ms=%.2f%n",
                        connections, wellKnownMeanMillis, LATENCY_SAMPLES, REALM, runMillis / wellKnownMeanMillis,
                        empty.path("millis").asLong() / wellKnownMeanMillis);

                assertThat(due).as("due").isEqualTo(dueRows);
                assertThat(refreshed).as("refreshed").isEqualTo(dueRows);
                assertThat(failed).as("failed").isZero();
                assertThat(refreshCalls).as("Salesforce refresh_token calls the sandbox received").isEqualTo(dueRows);
                assertThat(empty.path("due").asInt()).as("due once all rounds ran").isZero();
            } finally {
                deleteBenchRows(db);
            }
        }
    }

    /**
     * The refresher's due query (as Hibernate sends it, with the run's batch limit) under EXPLAIN ANALYZE: which
     * plan, how many rows and how many database pages it touched. These must follow the due rows, not the table.
     */
    private static void printDueQueryPlan(Connection db, int connections, String moment) throws SQLException, java.io.IOException {
        try (PreparedStatement explain = db.prepareStatement("explain (analyze, buffers, format json) select c.id from"
                + " conduit_connection c where c.next_refresh_at <= ? and c.realm_id = ? order by c.next_refresh_at limit 2000")) {
            explain.setLong(1, Instant.now().getEpochSecond() + 300);
            explain.setString(2, realmId(db));
            try (ResultSet rs = explain.executeQuery()) {
                rs.next();
                JsonNode plan = AdminApi.mapper().readTree(rs.getString(1)).get(0);
                JsonNode top = plan.get("Plan");
                JsonNode scan = top;
                while (scan.has("Plans") && !scan.path("Node Type").asText().contains("Scan")) {
                    scan = scan.get("Plans").get(0);
                }
                System.out.printf(Locale.ROOT, "BENCHMARK proactive-refresh-query connections=%d moment=%s scan=\"%s%s\""
                                + " rows=%d pages_touched=%d execution_ms=%.3f%n",
                        connections, moment, scan.path("Node Type").asText(),
                        scan.has("Index Name") ? " using " + scan.get("Index Name").asText() : "",
                        top.path("Actual Rows").asLong(),
                        top.path("Shared Hit Blocks").asLong() + top.path("Shared Read Blocks").asLong(),
                        plan.path("Execution Time").asDouble());
            }
        }
    }

    /** The realm's proactive refresh run, synchronously; {@code wallNanos[0]} gets the request's wall time. */
    private static JsonNode refreshDue(long[] wallNanos) {
        return env.admin().postTimed(REALM + "/conduit-vault/refresh-due", RUN_TIMEOUT, nanos -> wallNanos[0] = nanos);
    }

    private static String realmId(Connection db) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id from realm where name = ?")) {
            query.setString(1, REALM);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("realm " + REALM).isTrue();
                return rs.getString(1);
            }
        }
    }

    /**
     * Writes {@code connections} Salesforce connection rows of made-up users in one transaction; every hundredth is
     * due now and holds a live sandbox grant, the others hold placeholder tokens and are due tomorrow.
     */
    private static void seed(Connection db, String realmId, int connections, long now) throws SQLException {
        TokenCipher cipher = new TokenCipher(KeyRingConfig.parse(env.vaultKeys(), null));
        SandboxEngine engine = env.sandbox().engine();
        String clientId = env.client(Provider.SALESFORCE).clientId();
        String instanceUrl = engine.instanceUrl();
        List<Account> accounts = Accounts.of(Provider.SALESFORCE);
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try (PreparedStatement insert = db.prepareStatement(INSERT)) {
            for (int start = 0; start < connections; start += INSERT_BATCH) {
                // sealing dominates the preparation: spread it over the cores, bind and send on this thread
                List<Row> rows = IntStream.range(start, Math.min(start + INSERT_BATCH, connections)).parallel()
                        .mapToObj(i -> row(i, realmId, now, cipher, engine, clientId, accounts))
                        .toList();
                for (Row row : rows) {
                    int c = 1;
                    insert.setString(c++, UUID.randomUUID().toString());
                    insert.setString(c++, realmId);
                    insert.setString(c++, row.ownerId());
                    insert.setString(c++, ALIAS);
                    insert.setString(c++, PROVIDER_ID);
                    insert.setString(c++, row.account().userId());
                    insert.setString(c++, row.account().organizationId());
                    insert.setString(c++, instanceUrl);
                    insert.setString(c++, row.sealedAccess());
                    insert.setString(c++, row.sealedRefresh());
                    insert.setString(c++, cipher.ringKeyId());
                    insert.setString(c++, String.join(" ", SCOPES));
                    insert.setLong(c++, now);
                    insert.setLong(c++, row.expiresAt());
                    insert.setString(c++, row.ownerId());
                    insert.setLong(c++, now);
                    insert.setLong(c++, now);
                    insert.setObject(c++, row.nextRefreshAt(), Types.BIGINT);
                    // checked now, so a scheduled health run never picks these rows up
                    insert.setLong(c++, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
        // fresh planner statistics, as a long-lived table has them
        try (Statement analyze = db.createStatement()) {
            analyze.execute("analyze conduit_connection");
        }
    }

    private static Row row(int i, String realmId, long now, TokenCipher cipher, SandboxEngine engine, String clientId,
            List<Account> accounts) {
        String ownerId = OWNER_PREFIX + randomHex(30);
        Account account = accounts.get(i % accounts.size());
        boolean due = i % 100 == 0;
        String accessToken;
        String refreshToken;
        if (due) {
            MintedGrant grant = engine.mintGrant(Provider.SALESFORCE, clientId, account.userId(), SCOPES);
            accessToken = grant.accessToken();
            refreshToken = grant.refreshToken();
        } else {
            accessToken = "bench-placeholder-access-" + i;
            refreshToken = "bench-placeholder-refresh-" + i;
        }
        return new Row(ownerId, account,
                cipher.encrypt(accessToken, new TokenOwner(realmId, TokenOwner.Kind.USER, ownerId, ALIAS, "access")),
                cipher.encrypt(refreshToken, new TokenOwner(realmId, TokenOwner.Kind.USER, ownerId, ALIAS, "refresh")),
                due ? now + 60 : now + 7200, due ? now - 1 : now + 86400);
    }

    /** One prepared row; the token fields are ciphertexts only. */
    private record Row(String ownerId, Account account, String sealedAccess, String sealedRefresh, long expiresAt,
            Long nextRefreshAt) {
    }

    private static String randomHex(int chars) {
        byte[] bytes = new byte[(chars + 1) / 2];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).substring(0, chars);
    }

    private static void deleteBenchRows(Connection db) throws SQLException {
        try (PreparedStatement delete = db.prepareStatement("delete from conduit_connection where owner_id like ?")) {
            delete.setString(1, OWNER_PREFIX + "%");
            delete.executeUpdate();
        }
    }

    /** Mean latency of Keycloak's own discovery document, sequential requests on one connection, after a warm-up. */
    private static double wellKnownMeanMillis() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(env.realmUrl() + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        long total = 0;
        for (int i = 0; i < LATENCY_WARMUP + LATENCY_SAMPLES; i++) {
            long started = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long elapsed = System.nanoTime() - started;
            assertThat(response.statusCode()).as("discovery document").isEqualTo(200);
            if (i >= LATENCY_WARMUP) {
                total += elapsed;
            }
        }
        return total / (double) LATENCY_SAMPLES / 1_000_000.0;
    }
}
