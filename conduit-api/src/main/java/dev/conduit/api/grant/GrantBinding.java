package dev.conduit.api.grant;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The one login a sealed grant belongs to while it waits in Keycloak's authentication session: the realm, the
 * root authentication session, the browser tab and the identity provider's alias. It is the additional
 * authenticated data of the seal, so a sealed grant copied into another authentication session (or tab, realm,
 * provider) fails to open.
 */
public record GrantBinding(String realmId, String rootAuthSessionId, String tabId, String providerAlias) {

    public GrantBinding {
        Objects.requireNonNull(realmId, "realmId");
        Objects.requireNonNull(rootAuthSessionId, "rootAuthSessionId");
        Objects.requireNonNull(tabId, "tabId");
        Objects.requireNonNull(providerAlias, "providerAlias");
    }

    /** Length-prefixed, so no two different bindings give the same bytes; its own prefix keeps it apart from the vault's row data. */
    public byte[] associatedData() {
        StringBuilder out = new StringBuilder("conduit-handover-v1");
        for (String part : new String[] {realmId, rootAuthSessionId, tabId, providerAlias}) {
            out.append('|').append(part.length()).append(':').append(part);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
