package dev.conduit.exchange;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import dev.conduit.api.permission.PermissionMapping;
import dev.conduit.api.permission.Vocabulary;

/**
 * Conduit's own permission names, mapped per provider to the provider's scopes (shared/providers.md).
 * A permission a provider cannot express is absent for that provider. Each broker declares its seed
 * ({@link Vocabulary}); {@link PermissionMapping} (brokers module) lists the permissions and applies a realm's mappings.
 */
public final class PermissionVocabulary {

    private PermissionVocabulary() {
    }

    public static Set<String> permissions() {
        return PermissionMapping.seedPermissions();
    }

    /** The provider scope behind one permission, empty when the provider has none for it. */
    public static Optional<String> upstreamScope(Vocabulary provider, String permission) {
        return provider.seedScope(permission);
    }

    /**
     * The provider scopes needed for these permissions.
     *
     * @throws IllegalArgumentException naming the first permission that is unknown or has no scope at this provider
     */
    public static Set<String> upstreamScopes(Vocabulary provider, Set<String> permissions) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String permission : permissions) {
            scopes.add(upstreamScope(provider, permission).orElseThrow(() -> new IllegalArgumentException(
                    "permission '" + permission + "' has no " + provider.type() + " scope")));
        }
        return scopes;
    }

    /** Permissions not covered by the scopes a connection was granted. */
    public static Set<String> missing(Vocabulary provider, Set<String> permissions, Set<String> grantedScopes) {
        Set<String> missing = new LinkedHashSet<>();
        for (String permission : permissions) {
            Optional<String> scope = upstreamScope(provider, permission);
            if (scope.isEmpty() || !grantedScopes.contains(scope.get())) {
                missing.add(permission);
            }
        }
        return missing;
    }
}
