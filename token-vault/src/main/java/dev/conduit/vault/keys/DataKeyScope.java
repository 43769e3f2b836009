package dev.conduit.vault.keys;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Whose data key it is: a realm, optionally one organization of it, and the data key's own id. It is the associated
 * data of the wrap, so a wrapped data key copied to another realm, organization or key id does not open.
 *
 * @param organizationId null for the realm's own data key
 */
public record DataKeyScope(String realmId, String organizationId, String dataKeyId) {

    public DataKeyScope {
        Objects.requireNonNull(realmId, "realmId");
        Objects.requireNonNull(dataKeyId, "dataKeyId");
    }

    public static DataKeyScope realm(String realmId, String dataKeyId) {
        return new DataKeyScope(realmId, null, dataKeyId);
    }

    public static DataKeyScope organization(String realmId, String organizationId, String dataKeyId) {
        return new DataKeyScope(realmId, Objects.requireNonNull(organizationId, "organizationId"), dataKeyId);
    }

    /** Length-prefixed, and a realm's key never serializes like an organization's. */
    public byte[] associatedData() {
        StringBuilder out = new StringBuilder("conduit-data-key-v1");
        out.append('|').append(organizationId == null ? "realm" : "organization");
        for (String part : organizationId == null ? new String[] {realmId, dataKeyId} : new String[] {realmId, organizationId, dataKeyId}) {
            out.append('|').append(part.length()).append(':').append(part);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
