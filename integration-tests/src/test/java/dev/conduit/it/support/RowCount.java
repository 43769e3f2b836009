package dev.conduit.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What a request left in the database, counted over JDBC: the one number a {@code select count(...)} answers. */
public final class RowCount {

    private RowCount() {
    }

    /** {@code sql}'s count, its {@code ?} bound in order to {@code parameters}. */
    public static long of(Connection db, String sql, String... parameters) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("no row from a count: " + sql);
                }
                return rows.getLong(1);
            }
        }
    }
}
