package dev.conduit.api.vault;

/**
 * A connection's {@code lastError} in two audiences. Administrators see all of it (the admin API), including
 * operational detail such as which node ({@code host:pid}) started a refresh that never stored its answer. Apps
 * (token-exchange {@code error_description}) and the connection's own user see only the part before
 * {@value #ADMIN_DETAIL}: host names and process ids tell an outsider about the deployment and help nobody there.
 */
public final class LastError {

    /** Separates the shared reason from what only administrators see; never produced by a provider's answer. */
    static final String ADMIN_DETAIL = " [admin detail: ";

    /** The code of a connection marked because the provider kept refusing its fresh access tokens (apps reported 401s). */
    public static final String REFUSED_BY_PROVIDER = "refused_by_provider";

    private LastError() {
    }

    /** The stored form: the reason, then the admin-only detail when there is one. */
    public static String of(String reason, String adminDetail) {
        return adminDetail == null || adminDetail.isBlank() ? reason : reason + ADMIN_DETAIL + adminDetail + "]";
    }

    /** What apps and the connection's owner may read of a stored {@code lastError}: no admin-only detail. */
    public static String forAppsAndOwners(String stored) {
        if (stored == null) {
            return null;
        }
        int at = stored.indexOf(ADMIN_DETAIL);
        return at < 0 ? stored : stored.substring(0, at);
    }
}
