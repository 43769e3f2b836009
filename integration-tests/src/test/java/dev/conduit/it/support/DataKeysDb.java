package dev.conduit.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What CONDUIT_DATA_KEY holds (changelog 0012), read over JDBC: ids and scopes, never key material. */
public final class DataKeysDb {

    /** The realm id of the parked revocations' scope (StoredDataKeys.PARKED_REALM). */
    public static final String PARKED_REALM = "#parked";

    private DataKeysDb() {
    }

    /** The ACTIVE data key of the realm (organization null) or of one organization of it; null when it has none. */
    public static String active(Connection db, String realmId, String organizationId) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select id from conduit_data_key where realm_id = ? and state = 'ACTIVE'"
                + (organizationId == null ? " and organization_id is null" : " and organization_id = ?"))) {
            query.setString(1, realmId);
            if (organizationId != null) {
                query.setString(2, organizationId);
            }
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** How many data keys the realm (its organizations' included) holds. */
    public static long count(Connection db, String realmId) throws SQLException {
        return RowCount.of(db, "select count(*) from conduit_data_key where realm_id = ?", realmId);
    }

    /** How many data keys the organization holds. */
    public static long countOfOrganization(Connection db, String organizationId) throws SQLException {
        return RowCount.of(db, "select count(*) from conduit_data_key where organization_id = ?", organizationId);
    }
}
