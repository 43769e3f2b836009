package dev.conduit.api.permission;

import java.util.Map;
import java.util.Optional;

/**
 * One provider's words for Conduit's permissions: its type, as in a client scope's {@code conduit.scopes.<type>}
 * attribute, and the seed scope of each permission it can express (shared/providers.md). Each broker declares its own
 * ({@link dev.conduit.api.grant.ConduitBroker#vocabulary()}); a realm's client scopes override the seed.
 *
 * @param seed permission name to provider scope; a permission the provider cannot express is absent
 */
public record Vocabulary(String type, Map<String, String> seed) {

    /** A provider Conduit has no words for (an identity provider that is gone): no seed scope. */
    public static Vocabulary unknown(String type) {
        return new Vocabulary(type, Map.of());
    }

    public Vocabulary {
        seed = Map.copyOf(seed);
    }

    /** The seed's provider scope for one permission, empty when the provider has none for it. */
    public Optional<String> seedScope(String permission) {
        return Optional.ofNullable(seed.get(permission));
    }
}
