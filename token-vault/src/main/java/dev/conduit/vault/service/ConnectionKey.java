package dev.conduit.vault.service;

import dev.conduit.vault.crypto.TokenOwner;

/** Names one connection: a realm, its owner (a user or an organization) and the provider alias. */
public record ConnectionKey(String realmId, TokenOwner.Kind kind, String ownerId, String alias) {

    public static ConnectionKey user(String realmId, String userId, String alias) {
        return new ConnectionKey(realmId, TokenOwner.Kind.USER, userId, alias);
    }

    public static ConnectionKey organization(String realmId, String organizationId, String alias) {
        return new ConnectionKey(realmId, TokenOwner.Kind.ORGANIZATION, organizationId, alias);
    }
}
