package dev.conduit.exchange;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Conduit's own permission names, mapped per provider to the provider's scopes (shared/providers.md).
 * A permission a provider cannot express is absent for that provider.
 */
public final class PermissionVocabulary {

    public enum UpstreamProvider { SALESFORCE, HUBSPOT, GOOGLE }

    private static final Map<String, Map<UpstreamProvider, String>> SEED = Map.of(
            "crm.contacts.read", Map.of(UpstreamProvider.SALESFORCE, "api", UpstreamProvider.HUBSPOT, "crm.objects.contacts.read"),
            "crm.contacts.write", Map.of(UpstreamProvider.SALESFORCE, "api", UpstreamProvider.HUBSPOT, "crm.objects.contacts.write"),
            "crm.deals.read", Map.of(UpstreamProvider.SALESFORCE, "api", UpstreamProvider.HUBSPOT, "crm.objects.deals.read"),
            "crm.deals.write", Map.of(UpstreamProvider.SALESFORCE, "api", UpstreamProvider.HUBSPOT, "crm.objects.deals.write"),
            "crm.activity.read", Map.of(UpstreamProvider.SALESFORCE, "api", UpstreamProvider.HUBSPOT, "crm.objects.contacts.read"),
            "calendar.read", Map.of(UpstreamProvider.GOOGLE, "https://www.googleapis.com/auth/calendar.readonly"),
            "mail.send", Map.of(UpstreamProvider.GOOGLE, "https://www.googleapis.com/auth/gmail.send"),
            "offline", Map.of(UpstreamProvider.SALESFORCE, "refresh_token", UpstreamProvider.HUBSPOT, "oauth"));

    private PermissionVocabulary() {
    }

    public static Set<String> permissions() {
        return SEED.keySet();
    }

    /** The provider scope behind one permission, empty when the provider has none for it. */
    public static Optional<String> upstreamScope(UpstreamProvider provider, String permission) {
        Map<UpstreamProvider, String> row = SEED.get(permission);
        return row == null ? Optional.empty() : Optional.ofNullable(row.get(provider));
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
                    "permission '" + permission + "' has no " + provider.name().toLowerCase() + " scope")));
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
