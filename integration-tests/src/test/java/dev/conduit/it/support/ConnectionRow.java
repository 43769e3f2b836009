package dev.conduit.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CONDUIT_CONNECTION row written straight over JDBC, for a test that seeds what the vault did not write itself (a
 * row sealed before data keys, a backup's copy restored): the columns of a healthy row, then the test's own, in one
 * {@code insert}. Values are bound as parameters, never spliced into the SQL.
 */
public final class ConnectionRow {

    private final Map<String, Object> columns = new LinkedHashMap<>();

    private ConnectionRow() {
    }

    /**
     * A HEALTHY row that never failed (version 0, failure count 0), issued, connected, last refreshed and
     * health-checked at {@code now} (epoch seconds).
     */
    public static ConnectionRow healthy(String id, String realmId, String ownerKind, String ownerId, String alias,
            String providerId, long now) {
        return new ConnectionRow().set("id", id).set("realm_id", realmId).set("owner_kind", ownerKind)
                .set("owner_id", ownerId).set("provider_alias", alias).set("provider_id", providerId)
                .set("status", "HEALTHY").set("version", 0).set("failure_count", 0).set("issued_at", now)
                .set("connected_at", now).set("last_refresh_at", now).set("health_checked_at", now);
    }

    /** {@code column} holds {@code value} (null: SQL null). */
    public ConnectionRow set(String column, String value) {
        columns.put(column, value);
        return this;
    }

    public ConnectionRow set(String column, long value) {
        columns.put(column, value);
        return this;
    }

    public ConnectionRow set(String column, int value) {
        columns.put(column, value);
        return this;
    }

    /** Inserts the row. */
    public void insert(Connection db) throws SQLException {
        List<String> names = new ArrayList<>(columns.keySet());
        try (PreparedStatement insert = db.prepareStatement("insert into conduit_connection (" + String.join(", ", names)
                + ") values (" + String.join(", ", Collections.nCopies(names.size(), "?")) + ")")) {
            for (int i = 0; i < names.size(); i++) {
                Object value = columns.get(names.get(i));
                if (value == null) {
                    insert.setNull(i + 1, Types.VARCHAR);
                } else if (value instanceof Long number) {
                    insert.setLong(i + 1, number);
                } else if (value instanceof Integer number) {
                    insert.setInt(i + 1, number);
                } else {
                    insert.setString(i + 1, (String) value);
                }
            }
            insert.executeUpdate();
        }
    }
}
