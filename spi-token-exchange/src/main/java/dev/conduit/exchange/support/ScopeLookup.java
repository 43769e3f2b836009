package dev.conduit.exchange.support;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;

/**
 * One exchange's view of client scopes, each read from Keycloak's cache once: the requesting client's default and
 * optional scopes (the permissions it may ask for, by name), and the attributes of a realm client scope by name. A
 * name among the client's scopes is answered from them (the same realm client scope); any other name from one pass
 * over the realm's scopes, made the first time one is asked for (a bound token's scopes may name scopes the client
 * lacks). Answers as {@link ExchangeChecks#scopeAttributes} and {@link ExchangeChecks#clientScopeNames} do.
 */
public final class ScopeLookup {

    private final RealmModel realm;
    private final Map<String, ClientScopeModel> defaults;
    private final Map<String, ClientScopeModel> optional;
    private Map<String, Map<String, String>> realmScopes;

    public ScopeLookup(RealmModel realm, ClientModel client) {
        this.realm = realm;
        this.defaults = client.getClientScopes(true);
        this.optional = client.getClientScopes(false);
    }

    /** The names of the client's default client scopes. */
    public Set<String> defaultNames() {
        return defaults.keySet();
    }

    /** The names of the client's client scopes, default and optional: the permissions it may ask for. */
    public Set<String> clientScopeNames() {
        Set<String> names = new HashSet<>(defaults.keySet());
        names.addAll(optional.keySet());
        return names;
    }

    /** The attributes of the realm's client scope of that name, or null when the realm has none. */
    public Map<String, String> attributes(String name) {
        ClientScopeModel scope = defaults.get(name);
        if (scope == null) {
            scope = optional.get(name);
        }
        if (scope != null) {
            return scope.getAttributes();
        }
        if (realmScopes == null) {
            Map<String, Map<String, String>> byName = new HashMap<>();
            // the first of a name wins, as ExchangeChecks.scopeAttributes's findFirst
            realm.getClientScopesStream().forEach(s -> byName.putIfAbsent(s.getName(), s.getAttributes()));
            realmScopes = byName;
        }
        return realmScopes.get(name);
    }
}
