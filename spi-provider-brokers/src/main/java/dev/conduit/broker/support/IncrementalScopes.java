package dev.conduit.broker.support;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.conduit.api.grant.Scopes;
import dev.conduit.api.permission.PermissionMapping;
import dev.conduit.api.permission.Vocabulary;
import jakarta.ws.rs.core.UriBuilder;
import org.jboss.logging.Logger;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Incremental authorization: an app sends the user through account linking with
 * {@code conduit_scope=<provider scopes>} (the token exchange hands out that link when a connection lacks
 * scopes), and the broker asks the provider for its usual scopes plus those. Google merges them with the
 * earlier grant ({@code include_granted_scopes}); the vault records whatever the provider granted.
 *
 * <p>Only provider scopes the permission vocabulary maps for this provider type ({@link PermissionMapping}: the seed
 * plus the realm's client scopes with {@code conduit.scopes.<type>}) or that an administrator allowed on the identity
 * provider ({@value #EXTRA_SCOPES_ALLOWED}) are added; any other is dropped, and the login or link goes on with the
 * rest. Every client allowed the provider receives what the grant holds, so a parameter anyone can put on a login
 * never widens the grant beyond the vocabulary.
 */
public final class IncrementalScopes {

    private static final Logger LOG = Logger.getLogger(IncrementalScopes.class);

    public static final String REQUEST_PARAMETER = "conduit_scope";
    /** Identity-provider setting: further provider scopes {@code conduit_scope} may add, space separated. */
    public static final String EXTRA_SCOPES_ALLOWED = "conduitExtraScopesAllowed";
    private static final String CLIENT_NOTE = "client_request_param_" + REQUEST_PARAMETER;
    private static final int MAX_SCOPES = 20;

    private IncrementalScopes() {
    }

    /**
     * Replaces the authorization URL's scope with the broker's scope (configured, else its default) plus the extra
     * scopes the request asked for that the vocabulary or the administrator permit, if any.
     */
    public static void apply(UriBuilder uri, AuthenticationSessionModel authSession, IdentityProviderModel provider,
            Vocabulary vocabulary, String configuredScope, String defaultScopes) {
        Set<String> requested = extra(authSession == null ? null : authSession.getClientNote(CLIENT_NOTE));
        if (requested.isEmpty()) {
            return;
        }
        Set<String> extra = permitted(requested, vocabulary,
                clientScopes(authSession.getRealm()), extraScopesAllowed(provider));
        if (extra.size() < requested.size()) {
            LOG.debugf("conduit_scope for %s: dropped %d provider scope(s) the permission vocabulary does not map",
                    provider.getAlias(), requested.size() - extra.size());
        }
        if (extra.isEmpty()) {
            return;
        }
        String baseScope = configuredScope == null || configuredScope.isBlank() ? defaultScopes : configuredScope;
        Set<String> scopes = new LinkedHashSet<>(Scopes.parse(baseScope));
        scopes.addAll(extra);
        uri.replaceQueryParam("scope", String.join(" ", scopes));
    }

    /**
     * The requested scopes that the provider's vocabulary maps or that the administrator allowed.
     *
     * @param clientScopes the realm's client scopes: attributes by name
     */
    static Set<String> permitted(Set<String> requested, Vocabulary vocabulary, Map<String, Map<String, String>> clientScopes,
            Set<String> allowed) {
        Set<String> permitted = new LinkedHashSet<>(PermissionMapping.mappedScopes(vocabulary, clientScopes));
        permitted.addAll(allowed);
        Set<String> kept = new LinkedHashSet<>(requested);
        kept.retainAll(permitted);
        return kept;
    }

    /** The administrator's allowlist on the identity provider ({@value #EXTRA_SCOPES_ALLOWED}); empty by default. */
    public static Set<String> extraScopesAllowed(IdentityProviderModel provider) {
        return PermissionMapping.split(provider.getConfig() == null ? null : provider.getConfig().get(EXTRA_SCOPES_ALLOWED));
    }

    /** The console field for {@value #EXTRA_SCOPES_ALLOWED}, shared by the brokers' factories. */
    public static ProviderConfigProperty extraScopesAllowedProperty() {
        ProviderConfigProperty property = new ProviderConfigProperty();
        property.setName(EXTRA_SCOPES_ALLOWED);
        property.setLabel("Extra scopes an app may request");
        property.setHelpText("Space-separated provider scopes that an app's 'conduit_scope' on a login or link may add "
                + "beyond those the Conduit permission vocabulary maps for this provider (client scopes with "
                + "'conduit.scopes.<provider>', plus the built-in mapping). Others are dropped. Empty by default; every "
                + "client allowed this provider receives what the grant holds, so add only scopes you would grant them all.");
        property.setType(ProviderConfigProperty.STRING_TYPE);
        return property;
    }

    private static Map<String, Map<String, String>> clientScopes(RealmModel realm) {
        Map<String, Map<String, String>> scopes = new LinkedHashMap<>();
        if (realm != null) {
            realm.getClientScopesStream().forEach(scope -> scopes.putIfAbsent(scope.getName(), scope.getAttributes()));
        }
        return scopes;
    }

    /** The extra scopes, keeping only well-formed scope tokens (RFC 6749 3.3), at most {@value #MAX_SCOPES}. */
    static Set<String> extra(String requested) {
        Set<String> extra = new LinkedHashSet<>();
        if (requested == null) {
            return extra;
        }
        for (String scope : requested.trim().split("\\s+")) {
            if (!scope.isEmpty() && scope.length() <= 200 && scope.chars().allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x5B)
                    || (c >= 0x5D && c <= 0x7E)) && extra.size() < MAX_SCOPES) {
                extra.add(scope);
            }
        }
        return extra;
    }
}
