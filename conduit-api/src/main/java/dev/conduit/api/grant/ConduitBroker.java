package dev.conduit.api.grant;

import org.keycloak.models.IdentityProviderModel;

/**
 * What a Conduit broker declares about its provider so that the vault and the exchange need no switch over
 * providers: the endpoints used outside a login (refresh, revocation), their quirks, and the names the exchange
 * answers with. Implemented by each broker's identity provider factory; found with {@link ConduitBrokers}.
 */
public interface ConduitBroker {

    /** The provider type in {@code conduit.scopes.<type>} and the seed vocabulary, e.g. {@code salesforce}. */
    String providerType();

    /** Token and revocation endpoints, client authentication and lifetime, from this identity provider's settings. */
    UpstreamClient upstreamClient(IdentityProviderModel model);

    /** The member of an exchange answer that carries the provider's organization id. */
    default String organizationIdName() {
        return "organization_id";
    }

    /** Whether a client authentication method setting names HTTP Basic. */
    static boolean isBasic(String clientAuthMethod) {
        return "client_secret_basic".equals(clientAuthMethod);
    }
}
