package dev.conduit.it.support;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Reads every text, JSON and binary column of Keycloak's database (PostgreSQL or H2) for given strings, e.g. the
 * tokens a provider issued. Binary columns (PostgreSQL's {@code bytea}, H2's {@code BINARY}, {@code BINARY VARYING},
 * {@code BLOB}) are read as their bytes, on both databases: as text PostgreSQL answers hex, where no token would be
 * found.
 */
public final class StorageScan {

    /** One scanned column: its table, name and type (lower case, as the database names it). */
    public record Column(String table, String name, String type) {
        public boolean binary() {
            return type.equals("bytea") || type.contains("binary") || type.equals("blob");
        }

        boolean text() {
            return type.contains("char") || type.contains("text") || type.contains("json") || type.contains("clob");
        }

        @Override
        public String toString() {
            return table + "." + name;
        }
    }

    private final Connection db;
    private final boolean postgres;
    private final String schema;
    private final List<Column> columns = new ArrayList<>();

    /** Keycloak's tables in the database's default schema (PostgreSQL's {@code public}, H2's {@code PUBLIC}). */
    public StorageScan(Connection db) throws SQLException {
        this(db, null);
    }

    /** Keycloak's tables in {@code schema} (e.g. {@link KeycloakCluster#SCHEMA}); null for the default one. */
    public StorageScan(Connection db, String schema) throws SQLException {
        this.db = db;
        this.postgres = db.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        this.schema = schema != null ? schema : postgres ? "public" : "PUBLIC";
        try (ResultSet rs = db.getMetaData().getColumns(null, this.schema, "%", "%")) {
            while (rs.next()) {
                Column column = new Column(rs.getString("TABLE_NAME"), rs.getString("COLUMN_NAME"),
                        rs.getString("TYPE_NAME").toLowerCase(Locale.ROOT));
                if (column.text() || column.binary()) {
                    columns.add(column);
                }
            }
        }
    }

    public List<Column> columns() {
        return columns;
    }

    /** The columns where a value holds one of {@code secrets}. */
    public List<Column> holding(Collection<String> secrets) throws SQLException {
        List<Column> found = new ArrayList<>();
        for (Column column : columns) {
            // PostgreSQL: json, jsonb and the like as their text; H2's getString reads CLOB and JSON as text already
            String read = "\"" + column.name() + "\"" + (postgres && !column.binary() ? "::text" : "");
            try (PreparedStatement scan = db.prepareStatement(
                    "select " + read + " from \"" + schema + "\".\"" + column.table() + "\" where \"" + column.name() + "\" is not null");
                    ResultSet values = scan.executeQuery()) {
                while (values.next()) {
                    String value = column.binary() ? new String(values.getBytes(1), StandardCharsets.UTF_8) : values.getString(1);
                    if (secrets.stream().anyMatch(value::contains)) {
                        found.add(column);
                        break;
                    }
                }
            }
        }
        return found;
    }
}
