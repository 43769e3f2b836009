package dev.conduit.exchange;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import dev.conduit.api.permission.PermissionMapping;

/**
 * Conduit's own permission names, mapped per provider to the provider's scopes (shared/providers.md).
 * A permission a provider cannot express is absent for that provider. The seed itself is
 * {@link PermissionMapping} (brokers module), which the brokers also read to bound {@code conduit_scope}.
 */
public final class PermissionVocabulary {

    /**
     * A provider as the vocabulary knows it: its type as in {@code conduit.scopes.<type>}, which the broker
     * declares ({@link dev.conduit.api.grant.ConduitBroker#providerType()}).
     */
    public record UpstreamProvider(String type) {
    }

    private PermissionVocabulary() {
    }

    public static Set<String> permissions() {
        return PermissionMapping.seedPermissions();
    }

    /** The provider scope behind one permission, empty when the provider has none for it. */
    public static Optional<String> upstreamScope(UpstreamProvider provider, String permission) {
        return PermissionMapping.seedScope(provider.type(), permission);
    }

    /**
     * The provider scopes needed for these permissions.
     *
     * @throws IllegalArgumentException naming the first permission that is unknown or has no scope at this provider
     */
    public static Set<String> upstreamScopes(UpstreamProvider provider, Set<String> permissions) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String permission : permissions) {
            scopes.add(upstreamScope(provider, permission).orElseThrow(() -> new IllegalArgumentException(
                    "permission '" + permission + "' has no " + provider.type() + " scope")));
        }
        return scopes;
    }

    /** Permissions not covered by the scopes a connection was granted. */
    public static Set<String> missing(UpstreamProvider provider, Set<String> permissions, Set<String> grantedScopes) {
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
