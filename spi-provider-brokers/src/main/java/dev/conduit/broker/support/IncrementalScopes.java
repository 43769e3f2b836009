package dev.conduit.broker.support;

import java.util.LinkedHashSet;
import java.util.Set;

import dev.conduit.broker.grant.Scopes;
import jakarta.ws.rs.core.UriBuilder;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Incremental authorization: an app sends the user through account linking with
 * {@code conduit_scope=<provider scopes>} (the token exchange hands out that link when a connection lacks
 * scopes), and the broker asks the provider for its usual scopes plus those. Google merges them with the
 * earlier grant ({@code include_granted_scopes}); the vault records whatever the provider granted.
 */
public final class IncrementalScopes {

    public static final String REQUEST_PARAMETER = "conduit_scope";
    private static final String CLIENT_NOTE = "client_request_param_" + REQUEST_PARAMETER;
    private static final int MAX_SCOPES = 20;

    private IncrementalScopes() {
    }

    /**
     * Replaces the authorization URL's scope with the broker's scope (configured, else its default) plus the extra
     * scopes the request asked for, if any.
     */
    public static void apply(UriBuilder uri, AuthenticationSessionModel authSession, String configuredScope,
            String defaultScopes) {
        String baseScope = configuredScope == null || configuredScope.isBlank() ? defaultScopes : configuredScope;
        Set<String> extra = extra(authSession == null ? null : authSession.getClientNote(CLIENT_NOTE));
        if (extra.isEmpty()) {
            return;
        }
        Set<String> scopes = new LinkedHashSet<>(Scopes.parse(baseScope));
        scopes.addAll(extra);
        uri.replaceQueryParam("scope", String.join(" ", scopes));
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
