package dev.conduit.api.permission;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Conduit's permission vocabulary as provider scopes: the seed mapping of shared/providers.md, overridden per
 * permission by a realm client scope's attribute {@code conduit.scopes.<provider type>} (e.g.
 * {@code conduit.scopes.salesforce=api}). Shared by the token exchange (which maps what an app asks for) and the
 * brokers (which add to an authorization request only provider scopes the vocabulary maps). It lives here because
 * the token-exchange module depends on this one, never the other way. Plain logic, no Keycloak types.
 */
public final class PermissionMapping {

    public static final String ATTRIBUTE_PREFIX = "conduit.scopes.";
    private static final String PROVIDER_ID_PREFIX = "conduit-";

    /** Permission, then provider type ({@code salesforce}, {@code hubspot}, {@code google}), then provider scope. */
    private static final Map<String, Map<String, String>> SEED = Map.of(
            "crm.contacts.read", Map.of("salesforce", "api", "hubspot", "crm.objects.contacts.read"),
            "crm.contacts.write", Map.of("salesforce", "api", "hubspot", "crm.objects.contacts.write"),
            "crm.deals.read", Map.of("salesforce", "api", "hubspot", "crm.objects.deals.read"),
            "crm.deals.write", Map.of("salesforce", "api", "hubspot", "crm.objects.deals.write"),
            "crm.activity.read", Map.of("salesforce", "api", "hubspot", "crm.objects.contacts.read"),
            "calendar.read", Map.of("google", "https://www.googleapis.com/auth/calendar.readonly"),
            "mail.send", Map.of("google", "https://www.googleapis.com/auth/gmail.send"),
            "offline", Map.of("salesforce", "refresh_token", "hubspot", "oauth"));

    private PermissionMapping() {
    }

    public static Set<String> seedPermissions() {
        return SEED.keySet();
    }

    /** The seed's provider scope for one permission, empty when the provider has none for it. */
    public static Optional<String> seedScope(String providerType, String permission) {
        Map<String, String> row = SEED.get(permission);
        return row == null ? Optional.empty() : Optional.ofNullable(row.get(providerType));
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
    public static Set<String> upstreamScopes(String providerType, String permission, Map<String, String> attributes) {
        if (attributes != null) {
            String mapped = attributes.get(ATTRIBUTE_PREFIX + providerType);
            if (mapped != null) {
                return split(mapped);
            }
        }
        return seedScope(providerType, permission).map(PermissionMapping::split).orElse(Set.of());
    }

    /**
     * Every provider scope the vocabulary maps for this provider type: the seed's and those of the realm's client
     * scopes, each permission mapped as {@link #upstreamScopes} does.
     *
     * @param clientScopes the realm's client scopes: attributes by name
     */
    public static Set<String> mappedScopes(String providerType, Map<String, Map<String, String>> clientScopes) {
        Set<String> names = new LinkedHashSet<>(SEED.keySet());
        names.addAll(clientScopes.keySet());
        Set<String> mapped = new LinkedHashSet<>();
        for (String name : names) {
            mapped.addAll(upstreamScopes(providerType, name, clientScopes.get(name)));
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
