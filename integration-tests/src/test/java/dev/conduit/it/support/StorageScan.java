package dev.conduit.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads every text, JSON and bytea column of Keycloak's PostgreSQL database and names the columns where a value matches
 * (a token in clear). Bytea is read as its bytes: as {@code ::text} PostgreSQL answers hex ({@code \\x...}), where no
 * token would be found.
 */
public final class StorageScan {

    private StorageScan() {
    }

    /** {@code table.column} of every column holding a value that {@code inClear} matches. */
    public static Set<String> columnsHolding(Connection db, Predicate<String> inClear) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        try (ResultSet rs = db.getMetaData().getColumns(null, "public", "%", "%")) {
            while (rs.next()) {
                String type = rs.getString("TYPE_NAME").toLowerCase();
                if (type.contains("char") || type.contains("text") || type.contains("json") || type.equals("bytea")) {
                    columns.add(new String[] {rs.getString("TABLE_NAME"), rs.getString("COLUMN_NAME"), type});
                }
            }
        }
        assertThat(columns).as("scanned columns").hasSizeGreaterThan(100)
                .anyMatch(c -> c[0].equals("conduit_connection")).anyMatch(c -> c[0].equals("conduit_pending_revocation"))
                .anyMatch(c -> c[0].equals("federated_identity")).anyMatch(c -> c[2].equals("bytea"));
        Set<String> found = new LinkedHashSet<>();
        for (String[] column : columns) {
            boolean bytes = column[2].equals("bytea");
            try (PreparedStatement scan = db.prepareStatement("select \"" + column[1] + "\"" + (bytes ? "" : "::text")
                    + " from \"" + column[0] + "\" where \"" + column[1] + "\" is not null");
                    ResultSet values = scan.executeQuery()) {
                while (values.next()) {
                    String value = bytes ? new String(values.getBytes(1), StandardCharsets.UTF_8) : values.getString(1);
                    if (inClear.test(value)) {
                        found.add(column[0] + "." + column[1]);
                    }
                }
            }
        }
        return found;
    }
}
