package dev.conduit.vault.admin;

import java.util.Locale;
import java.util.Set;

import dev.conduit.vault.service.ConnectionStatus;

/**
 * Checks the admin API's path and query values before they reach the database: an id that cannot be one of ours
 * is simply not found, and a filter value that cannot match anything (an unknown owner kind or status, a NUL that
 * PostgreSQL would refuse with an error) is refused with an {@link IllegalArgumentException} naming the parameter,
 * which the resource answers as 400.
 */
public final class AdminQuery {

    static final Set<String> OWNER_KINDS = Set.of("USER", "ORGANIZATION", "REALM", "REVOKING");
    private static final int MAX_VALUE_LENGTH = 255;

    private AdminQuery() {
    }

    /** Keycloak's generated ids (UUIDs) and other short ids: letters, digits, '-' and '_'. */
    public static boolean plausibleId(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** The owner kind filter, upper-cased, or null when absent. */
    static String ownerKind(String value) {
        String kind = blankToNull(value);
        if (kind == null) {
            return null;
        }
        kind = kind.toUpperCase(Locale.ROOT);
        if (!OWNER_KINDS.contains(kind)) {
            throw new IllegalArgumentException("ownerKind must be one of USER, ORGANIZATION, REALM, REVOKING");
        }
        return kind;
    }

    /** The status filter, upper-cased, or null when absent. */
    static String status(String value) {
        String status = blankToNull(value);
        if (status == null) {
            return null;
        }
        status = status.toUpperCase(Locale.ROOT);
        for (ConnectionStatus known : ConnectionStatus.values()) {
            if (known.name().equals(status)) {
                return status;
            }
        }
        throw new IllegalArgumentException("status must be one of HEALTHY, EXPIRING, RECONNECT_REQUIRED, REVOKED");
    }

    /** A free-text filter (owner id, provider alias), or null when absent. */
    static String text(String name, String value) {
        String text = blankToNull(value);
        if (text == null) {
            return null;
        }
        if (text.length() > MAX_VALUE_LENGTH || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + " is too long or holds a NUL character");
        }
        return text;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
