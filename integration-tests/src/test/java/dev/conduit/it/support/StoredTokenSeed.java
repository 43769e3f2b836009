package dev.conduit.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes what years of Keycloak's Store Tokens leave behind, over JDBC (the admin API cannot store a token): users, each
 * with a federated identity of one alias holding a token response in clear in {@code FEDERATED_IDENTITY.TOKEN}. User
 * ids are {@code <prefix>-u-00000}..., then {@code <prefix>-z-<n>} for identities holding text that is no token
 * response; their tokens {@code <prefix>-at-<n>} and {@code <prefix>-rt-<n>}, made up (no provider issued them).
 */
public final class StoredTokenSeed {

    private StoredTokenSeed() {
    }

    /** The access token the seeded identity {@code i} stores (made up). */
    public static String accessToken(String prefix, int i) {
        return prefix + "-at-" + i;
    }

    public static String refreshToken(String prefix, int i) {
        return prefix + "-rt-" + i;
    }

    /** The user id of the seeded identity {@code i} with a token response. */
    public static String userId(String prefix, int i) {
        return String.format("%s-u-%05d", prefix, i);
    }

    /** What Keycloak's Store Tokens keeps: the provider's token response JSON as it came. */
    public static String tokenResponse(String accessToken, String refreshToken, String instanceUrl) {
        return AdminApi.mapper().createObjectNode().put("access_token", accessToken).put("refresh_token", refreshToken)
                .put("expires_in", 7200).put("token_type", "Bearer").put("scope", "api refresh_token")
                .put("instance_url", instanceUrl).toString();
    }

    /** Seeds {@code identities} identities with a token response and {@code unparseable} more with other text. */
    public static void seed(Connection db, String realmId, String alias, String prefix, int identities, int unparseable,
            String instanceUrl) throws SQLException {
        long now = System.currentTimeMillis();
        db.setAutoCommit(false);
        try (PreparedStatement user = db.prepareStatement("insert into user_entity (id, email_constraint, email_verified,"
                + " enabled, realm_id, username, created_timestamp, not_before) values (?, ?, false, true, ?, ?, ?, 0)");
                PreparedStatement identity = db.prepareStatement("insert into federated_identity (identity_provider,"
                        + " realm_id, federated_user_id, federated_username, token, user_id) values (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < identities + unparseable; i++) {
                boolean bad = i >= identities;
                String id = bad ? prefix + "-z-" + i : userId(prefix, i);
                user.setString(1, id);
                user.setString(2, id);
                user.setString(3, realmId);
                user.setString(4, id);
                user.setLong(5, now);
                user.addBatch();
                identity.setString(1, alias);
                identity.setString(2, realmId);
                identity.setString(3, "005" + prefix + i);
                identity.setString(4, "user" + i + "@example.com");
                identity.setString(5, bad ? prefix + "-bad-" + i + " is no token response"
                        : tokenResponse(accessToken(prefix, i), refreshToken(prefix, i), instanceUrl));
                identity.setString(6, id);
                identity.addBatch();
                if ((i + 1) % 1000 == 0) {
                    user.executeBatch();
                    identity.executeBatch();
                }
            }
            user.executeBatch();
            identity.executeBatch();
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
    }

    /**
     * A removed realm's migrated (made-up) tokens were parked as pending revocations: left there, the scheduled task and
     * other suites' sends of all pending revocations would spend minutes on them and count them as theirs. Deletes them
     * with the realm's parked client settings.
     */
    public static void forgetParkedRevocations(Connection db, String realmId) throws SQLException {
        try (PreparedStatement pending = db.prepareStatement("delete from conduit_pending_revocation where realm_id = ?");
                PreparedStatement clients = db.prepareStatement("delete from conduit_revocation_client where realm_id = ?")) {
            pending.setString(1, realmId);
            pending.executeUpdate();
            clients.setString(1, realmId);
            clients.executeUpdate();
        }
    }
}
