package dev.conduit.api.grant;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.conduit.api.server.ServerGrantKind;

import dev.conduit.api.permission.Vocabulary;
import org.keycloak.models.IdentityProviderModel;

/**
 * What a Conduit broker declares about its provider so that the vault and the exchange need no switch over
 * providers: the endpoints used outside a login (refresh, revocation), their quirks, and the names the exchange
 * answers with. Implemented by each broker's identity provider factory; found with {@link ConduitBrokers}.
 */
public interface ConduitBroker {

    /** The provider type in {@code conduit.scopes.<type>} and the seed vocabulary, e.g. {@code salesforce}. */
    String providerType();

    /** Conduit's permissions in this provider's scopes, the seed a realm's client scopes override: permission to scope. */
    Map<String, String> seedScopes();

    /** This provider's words for Conduit's permissions. */
    default Vocabulary vocabulary() {
        return new Vocabulary(providerType(), seedScopes());
    }

    /** The product's name for people ({@code Salesforce}), when the identity provider has no display name. */
    String productName();

    /**
     * Why this provider refuses a refresh token ({@code invalid_grant}), in people's words from its documentation,
     * e.g. "the app was uninstalled from the HubSpot account"; empty when it documents none.
     */
    default String refusedGrantCause() {
        return "";
    }

    /** Token and revocation endpoints, client authentication and lifetime, from this identity provider's settings. */
    UpstreamClient upstreamClient(IdentityProviderModel model);

    /** The member of an exchange answer that carries the provider's organization id. */
    default String organizationIdName() {
        return "organization_id";
    }

    /** The server-to-server kinds this provider offers (issue 15), none by default; each kind is one class. */
    default List<ServerGrantKind> serverGrantKinds() {
        return List.of();
    }

    /** The kind of this provider with that id. */
    default Optional<ServerGrantKind> serverGrantKind(String id) {
        return serverGrantKinds().stream().filter(kind -> kind.id().equals(id)).findFirst();
    }

    /** Whether a client authentication method setting names HTTP Basic. */
    static boolean isBasic(String clientAuthMethod) {
        return "client_secret_basic".equals(clientAuthMethod);
    }
}
