package dev.conduit.api.vault;

/** Names one connection: a realm, its owner (a user or an organization) and the provider alias. */
public record ConnectionKey(String realmId, Kind kind, String ownerId, String alias) {

    /** Who owns a connection; the vault stores the name ({@code USER}, {@code ORGANIZATION}). */
    public enum Kind { USER, ORGANIZATION }

    public static ConnectionKey user(String realmId, String userId, String alias) {
        return new ConnectionKey(realmId, Kind.USER, userId, alias);
    }

    public static ConnectionKey organization(String realmId, String organizationId, String alias) {
        return new ConnectionKey(realmId, Kind.ORGANIZATION, organizationId, alias);
    }
}
