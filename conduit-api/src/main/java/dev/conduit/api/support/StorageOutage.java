package dev.conduit.api.support;

import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Tells a failure of the database connection (server stopped, restarting, unreachable, or a pooled connection it
 * closed) from every other failure, by the JDBC exception types and SQLSTATE classes in the cause chain: class 08
 * (connection exception) and 57P01-57P03 (administrator shutdown, crash shutdown, cannot connect now), and a refused or
 * broken socket under a persistence failure (Keycloak reports a connection it could not open as a {@code ModelException}
 * caused directly by {@code ConnectException}). Such a failure is temporary: callers get "try again", not a server error.
 */
public final class StorageOutage {

    /** How many exceptions of one failure are looked at, at most. */
    private static final int MAX_DEPTH = 64;

    private StorageOutage() {
    }

    public static boolean causedBy(Throwable failure) {
        // causes and suppressed exceptions (a failed commit carries the driver's error as a suppressed one)
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Deque<Map.Entry<Throwable, Boolean>> pending = new ArrayDeque<>();
        pending.add(Map.entry(failure, false));
        while (!pending.isEmpty() && seen.size() < MAX_DEPTH) {
            Map.Entry<Throwable, Boolean> next = pending.poll();
            Throwable t = next.getKey();
            if (seen.put(t, Boolean.TRUE) != null) {
                continue;
            }
            if (outage(t, next.getValue())) {
                return true;
            }
            boolean persistence = next.getValue() || persistenceLayer(t.getClass().getName());
            if (t.getCause() != null) {
                pending.add(Map.entry(t.getCause(), persistence));
            }
            for (Throwable suppressed : t.getSuppressed()) {
                pending.add(Map.entry(suppressed, persistence));
            }
        }
        return false;
    }

    private static boolean outage(Throwable t, boolean underPersistence) {
        return (underPersistence && t instanceof SocketException)
                || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                || t instanceof SQLRecoverableException
                || "org.hibernate.exception.JDBCConnectionException".equals(t.getClass().getName())
                || (t instanceof SQLException sql && connectionState(sql.getSQLState()));
    }

    private static boolean persistenceLayer(String className) {
        return className.startsWith("java.sql.") || className.startsWith("jakarta.persistence.")
                || className.startsWith("jakarta.transaction.") || className.startsWith("org.hibernate.")
                || className.equals("org.keycloak.models.ModelException");
    }

    static boolean connectionState(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.equals("57P01") || sqlState.equals("57P02")
                || sqlState.equals("57P03"));
    }
}
