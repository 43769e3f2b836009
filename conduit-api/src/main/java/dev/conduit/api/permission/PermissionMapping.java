package dev.conduit.api.permission;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Conduit's permission vocabulary as provider scopes: each broker's seed ({@link Vocabulary}), overridden per
 * permission by a realm client scope's attribute {@code conduit.scopes.<provider type>} (e.g.
 * {@code conduit.scopes.salesforce=api}). Shared by the token exchange (which maps what an app asks for) and the
 * brokers (which add to an authorization request only provider scopes the vocabulary maps). It lives here because
 * the token-exchange module depends on this one, never the other way. Plain logic, no Keycloak types.
 */
public final class PermissionMapping {

    public static final String ATTRIBUTE_PREFIX = "conduit.scopes.";
    private static final String PROVIDER_ID_PREFIX = "conduit-";

    /** Conduit's built-in permissions; each broker's {@link Vocabulary} gives the provider scope of those it can express. */
    private static final Set<String> PERMISSIONS = Set.of("crm.contacts.read", "crm.contacts.write", "crm.deals.read",
            "crm.deals.write", "crm.activity.read", "calendar.read", "mail.send", "offline");

    private PermissionMapping() {
    }

    public static Set<String> seedPermissions() {
        return PERMISSIONS;
    }

    /** {@code conduit-salesforce} gives {@code salesforce}; empty for a provider id that is not Conduit's. */
    public static Optional<String> providerType(String providerId) {
        if (providerId == null || !providerId.startsWith(PROVIDER_ID_PREFIX) || providerId.length() == PROVIDER_ID_PREFIX.length()) {
            return Optional.empty();
        }
        return Optional.of(providerId.substring(PROVIDER_ID_PREFIX.length()).toLowerCase(Locale.ROOT));
    }

    /**
     * The provider scopes one permission maps to: its client scope's attribute when the attribute is present (blank:
     * the provider cannot express it), else the seed. Empty when the provider has none.
     *
     * @param attributes the attributes of the realm's client scope of that name, or null when there is none
     */
    public static Set<String> upstreamScopes(Vocabulary provider, String permission, Map<String, String> attributes) {
        if (attributes != null) {
            String mapped = attributes.get(ATTRIBUTE_PREFIX + provider.type());
            if (mapped != null) {
                return split(mapped);
            }
        }
        return provider.seedScope(permission).map(PermissionMapping::split).orElse(Set.of());
    }

    /**
     * Every provider scope the vocabulary maps for this provider type: the seed's and those of the realm's client
     * scopes, each permission mapped as {@link #upstreamScopes} does.
     *
     * @param clientScopes the realm's client scopes: attributes by name
     */
    public static Set<String> mappedScopes(Vocabulary provider, Map<String, Map<String, String>> clientScopes) {
        Set<String> names = new LinkedHashSet<>(PERMISSIONS);
        names.addAll(clientScopes.keySet());
        Set<String> mapped = new LinkedHashSet<>();
        for (String name : names) {
            mapped.addAll(upstreamScopes(provider, name, clientScopes.get(name)));
        }
        return mapped;
    }

    /** Scope names separated by whitespace, each once, in order; empty for null or blank. Never throws on duplicates. */
    public static Set<String> split(String value) {
        Set<String> names = new LinkedHashSet<>();
        if (value == null || value.isBlank()) {
            return names;
        }
        for (String name : value.trim().split("\\s+")) {
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
