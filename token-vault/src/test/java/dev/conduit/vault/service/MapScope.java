package dev.conduit.vault.service;

import java.util.Map;
import java.util.Set;

import org.keycloak.Config;

/** Server settings from a map, as Keycloak's {@link Config.Scope} gives them to a factory. */
public final class MapScope extends Config.AbstractScope {

    private final Map<String, String> values;

    public MapScope(Map<String, String> values) {
        this.values = values;
    }

    @Override
    public String get(String key) {
        return values.get(key);
    }

    @Override
    public Config.Scope scope(String... scope) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public Config.Scope root() {
        return this;
    }
}
