package dev.conduit.it.support;

import java.util.List;

/**
 * Which database Keycloak runs on: H2 (dev-file) by default; PostgreSQL when CONDUIT_TEST_DB=postgres,
 * with CONDUIT_TEST_DB_URL / _USER / _PASSWORD (what .ci/run sets up).
 */
final class Database {
    private Database() {
    }

    static List<String> options() {
        if (!postgres()) {
            return List.of();
        }
        return List.of("--db=postgres", "--db-url=" + url(), "--db-username=" + user(), "--db-password=" + password());
    }

    static boolean postgres() {
        return "postgres".equalsIgnoreCase(System.getenv("CONDUIT_TEST_DB"));
    }

    static String url() {
        return env("CONDUIT_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/conduit_test");
    }

    static String user() {
        return env("CONDUIT_TEST_DB_USER", "conduit");
    }

    static String password() {
        return env("CONDUIT_TEST_DB_PASSWORD", "conduit");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
