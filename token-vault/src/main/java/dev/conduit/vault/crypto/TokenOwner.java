package dev.conduit.vault.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Whose token a ciphertext is: realm, a user, an organization or the realm itself, and the provider alias. It is the
 * additional authenticated data of the encryption, so a ciphertext copied to another owner's row fails.
 */
public record TokenOwner(String realmId, Kind kind, String ownerId, String providerAlias, String field) {

    /**
     * REVOKING: a disconnected connection whose revocation at the provider is still being retried. REALM: the realm's
     * own server connection, its owner id the realm's id.
     */
    public enum Kind { USER, ORGANIZATION, REVOKING, REALM }

    public TokenOwner {
        Objects.requireNonNull(realmId, "realmId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(providerAlias, "providerAlias");
        Objects.requireNonNull(field, "field");
    }

    public static TokenOwner user(String realmId, String userId, String alias, String field) {
        return new TokenOwner(realmId, Kind.USER, userId, alias, field);
    }

    public static TokenOwner organization(String realmId, String organizationId, String alias, String field) {
        return new TokenOwner(realmId, Kind.ORGANIZATION, organizationId, alias, field);
    }

    /** Length-prefixed, so no two different owners serialize to the same bytes. */
    byte[] associatedData() {
        StringBuilder out = new StringBuilder("conduit-token-v1");
        for (String part : new String[] {realmId, kind.name(), ownerId, providerAlias, field}) {
            out.append('|').append(part.length()).append(':').append(part);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
