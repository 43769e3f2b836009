package dev.conduit.exchange.upstream;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import dev.conduit.api.permission.PermissionMapping;
import dev.conduit.exchange.PermissionVocabulary;
import dev.conduit.api.permission.Vocabulary;

/**
 * Conduit permissions asked for in an exchange's {@code scope}, checked and mapped to a provider's scopes.
 * The vocabulary lives in Keycloak: each permission is a client scope of that name, and a client may use the
 * permissions among its client scopes (default or optional). A client scope's attribute
 * {@code conduit.scopes.<provider>} (e.g. {@code conduit.scopes.salesforce=api}) maps it; without one, the
 * seed mapping of shared/providers.md applies ({@link PermissionMapping}). A request naming no permission gets the
 * client's default ones ({@link #defaults}): permissions are never opt-in.
 */
public final class PermissionCheck {

    public static final String ATTRIBUTE_PREFIX = PermissionMapping.ATTRIBUTE_PREFIX;
    private static final int MAX_PERMISSIONS = 50;

    /**
     * @param refused permissions the client may not use, unknown ones, or ones the provider cannot express
     * @param upstreamScopes the provider scopes the allowed permissions need
     */
    public record Outcome(Set<String> refused, Set<String> upstreamScopes) {
    }

    private PermissionCheck() {
    }

    /** The permissions in a {@code scope} parameter; empty for none. */
    public static Set<String> parse(String scope) {
        Set<String> permissions = new LinkedHashSet<>();
        if (scope == null || scope.isBlank()) {
            return permissions;
        }
        for (String permission : scope.trim().split("\\s+")) {
            if (!permission.matches("[A-Za-z0-9._:\\-]{1,100}") || permissions.size() >= MAX_PERMISSIONS) {
                throw new IllegalArgumentException("scope must be up to " + MAX_PERMISSIONS + " permission names");
            }
            permissions.add(permission);
        }
        return permissions;
    }

    /**
     * @param clientPermissions the names of the requesting client's client scopes
     * @param scopeAttributes a realm client scope's attributes by name, or null when the realm has no such scope
     */
    public static Outcome resolve(Vocabulary provider, Set<String> requested, Set<String> clientPermissions,
            Function<String, Map<String, String>> scopeAttributes) {
        Set<String> refused = new LinkedHashSet<>();
        Set<String> upstream = new LinkedHashSet<>();
        for (String permission : requested) {
            Set<String> scopes = clientPermissions.contains(permission)
                    ? PermissionMapping.upstreamScopes(provider, permission, scopeAttributes.apply(permission)) : Set.of();
            if (scopes.isEmpty()) {
                refused.add(permission);
            } else {
                upstream.addAll(scopes);
            }
        }
        return new Outcome(refused, upstream);
    }

    /**
     * The permissions a request without {@code scope} gets: those among the client's default client scopes that are
     * Conduit permissions this provider can express. Empty when the client has none for the provider.
     *
     * @param clientDefaultScopes the names of the requesting client's default client scopes
     */
    public static Set<String> defaults(Vocabulary provider, Set<String> clientDefaultScopes,
            Function<String, Map<String, String>> scopeAttributes) {
        Set<String> defaults = new TreeSet<>();
        for (String name : clientDefaultScopes) {
            Map<String, String> attributes = scopeAttributes.apply(name);
            if (isPermission(name, attributes) && !PermissionMapping.upstreamScopes(provider, name, attributes).isEmpty()) {
                defaults.add(name);
            }
        }
        return defaults;
    }

    /** Whether a scope name is a Conduit permission: in the seed vocabulary, or a client scope mapped for some provider. */
    public static boolean isPermission(String name, Map<String, String> clientScopeAttributes) {
        if (PermissionVocabulary.permissions().contains(name)) {
            return true;
        }
        return clientScopeAttributes != null && clientScopeAttributes.keySet().stream().anyMatch(k -> k.startsWith(ATTRIBUTE_PREFIX));
    }

    /** The upstream scopes a connection lacks. */
    public static Set<String> missing(Set<String> needed, Set<String> granted) {
        Set<String> missing = new LinkedHashSet<>(needed);
        missing.removeAll(granted);
        return missing;
    }
}
