package dev.conduit.api.vault;

/**
 * Names one connection: a realm, its owner (a user, an organization, or the realm itself for the realm's own
 * integrations) and the provider alias.
 */
public record ConnectionKey(String realmId, Kind kind, String ownerId, String alias) {

    /**
     * Who owns a connection; the vault stores the name ({@code USER}, {@code ORGANIZATION}, {@code REALM}). A
     * {@code REALM} connection's owner id is the realm's id: an admin's server connection for the realm's own
     * integrations (issue 15).
     */
    public enum Kind { USER, ORGANIZATION, REALM }

    public static ConnectionKey user(String realmId, String userId, String alias) {
        return new ConnectionKey(realmId, Kind.USER, userId, alias);
    }

    public static ConnectionKey organization(String realmId, String organizationId, String alias) {
        return new ConnectionKey(realmId, Kind.ORGANIZATION, organizationId, alias);
    }

    /** The realm's own connection through {@code alias}: owned by the realm, its owner id the realm's id. */
    public static ConnectionKey realm(String realmId, String alias) {
        return new ConnectionKey(realmId, Kind.REALM, realmId, alias);
    }
}
