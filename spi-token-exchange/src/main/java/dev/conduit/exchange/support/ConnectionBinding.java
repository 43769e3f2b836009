package dev.conduit.exchange.support;

import java.util.LinkedHashMap;
import java.util.Map;

import org.keycloak.representations.AccessToken;

/**
 * The connection a narrowed internal token may use, carried in its {@value #CLAIM} claim:
 * {@code {"provider": "<alias>", "organization": "<org id>"}} (no organization: the user's own). A token
 * bound this way can only be exchanged for that connection again, never another.
 */
public record ConnectionBinding(String provider, String organizationId) {

    public static final String CLAIM = "conduit_connection";

    /** The binding a verified token carries, or null for an ordinary token. A malformed claim (null included) binds to nothing usable. */
    public static ConnectionBinding of(AccessToken token) {
        if (!token.getOtherClaims().containsKey(CLAIM)) {
            return null;
        }
        Object claim = token.getOtherClaims().get(CLAIM);
        if (claim instanceof Map<?, ?> map && map.get("provider") instanceof String provider) {
            Object organization = map.get("organization");
            return new ConnectionBinding(provider, organization instanceof String id ? id : null);
        }
        return new ConnectionBinding("", null);
    }

    public Map<String, Object> toClaim() {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("provider", provider);
        if (organizationId != null) {
            claim.put("organization", organizationId);
        }
        return claim;
    }
}
