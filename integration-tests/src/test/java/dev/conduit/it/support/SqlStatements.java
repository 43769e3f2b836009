package dev.conduit.it.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL statements Keycloak's database ran, from PostgreSQL's {@code pg_stat_statements} (loaded by the embedded
 * server when {@link BenchProfiling#SQL_PROPERTY} is set): reset before a measured block, read after it, summed per
 * endpoint. Each statement is counted under a short label, its verb and first table ({@code select CONDUIT_CONNECTION},
 * {@code insert EVENT_ENTITY}, {@code COMMIT}); the statements of this class itself are left out. Figures only, never
 * an assertion.
 */
public final class SqlStatements {

    private static final Pattern TABLE = Pattern.compile("(?i)\\b(?:from|into|update)\\s+\"?([A-Za-z_][A-Za-z0-9_]*)");

    private final Map<String, Map<String, Long>> callsByEndpoint = new TreeMap<>();
    private final Map<String, Double> millisByEndpoint = new TreeMap<>();

    /** Counts, or null when the database cannot (not PostgreSQL, or pg_stat_statements not loaded). */
    public static SqlStatements openIfAvailable() {
        if (!BenchProfiling.sqlStatements() || !Database.postgres()) {
            return null;
        }
        try (Connection c = Database.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.executeQuery("SELECT pg_stat_statements_reset()").close();
            return new SqlStatements();
        } catch (SQLException e) {
            throw new IllegalStateException(BenchProfiling.SQL_PROPERTY + " is set but pg_stat_statements is unavailable: "
                    + e.getMessage(), e);
        }
    }

    public void reset() {
        try (Connection c = Database.connect(); Statement s = c.createStatement()) {
            s.executeQuery("SELECT pg_stat_statements_reset()").close();
        } catch (SQLException e) {
            throw new IllegalStateException("pg_stat_statements_reset failed", e);
        }
    }

    /** Adds what ran since {@link #reset()} to {@code endpoint}'s counts. */
    public void collect(String endpoint) {
        Map<String, Long> calls = callsByEndpoint.computeIfAbsent(endpoint, k -> new TreeMap<>());
        try (Connection c = Database.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT query, calls, total_exec_time FROM pg_stat_statements"
                     + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            while (rows.next()) {
                String query = rows.getString(1);
                if (query == null || query.contains("pg_stat_statements") || query.contains("pg_database")) {
                    continue;
                }
                calls.merge(label(query), rows.getLong(2), Long::sum);
                millisByEndpoint.merge(endpoint, rows.getDouble(3), Double::sum);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading pg_stat_statements failed", e);
        }
    }

    static String label(String query) {
        String trimmed = query.trim();
        String verb = trimmed.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        if (verb.equals("set") || verb.equals("show")) {
            // which setting (SET LOCAL synchronous_commit: Keycloak's asynchronous commit of event rows)
            String[] words = trimmed.split("\\s+");
            return verb.toUpperCase(Locale.ROOT) + " " + String.join(" ", java.util.Arrays.copyOfRange(words, 1, Math.min(words.length, 3)));
        }
        if (verb.equals("begin") || verb.equals("commit") || verb.equals("rollback") || verb.equals("savepoint")
                || verb.equals("release")) {
            return verb.toUpperCase(Locale.ROOT);
        }
        Matcher table = TABLE.matcher(trimmed);
        return verb + (table.find() ? " " + table.group(1).toUpperCase(Locale.ROOT) : "");
    }

    /** {@code BENCHMARK <bench> sql endpoint=... statements_per_request=... db_ms_per_request=... by_statement=...}. */
    public String line(String benchmark, String endpoint, int requests) {
        Map<String, Long> calls = callsByEndpoint.getOrDefault(endpoint, Map.of());
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        String by = calls.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .map(e -> String.format(Locale.ROOT, "%s:%.2f", e.getKey().replace(' ', '_'), e.getValue() / (double) requests))
                .collect(Collectors.joining(","));
        return String.format(Locale.ROOT, "BENCHMARK %s sql endpoint=%s requests=%d statements_per_request=%.2f"
                        + " db_exec_ms_per_request=%.3f by_statement=%s", benchmark, endpoint, requests, total / (double) requests,
                millisByEndpoint.getOrDefault(endpoint, 0.0) / requests, by);
    }
}
