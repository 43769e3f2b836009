package dev.conduit.exchange.upstream;

import dev.conduit.broker.support.LifecycleFreeProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.protocol.oidc.TokenExchangeProviderFactory;

/**
 * Ordered above Keycloak's standard exchange (10) and its legacy V1 so it sees requests first, and supports only
 * those naming a Conduit connection: every other exchange goes on to Keycloak.
 */
public final class UpstreamTokenExchangeProviderFactory extends LifecycleFreeProviderFactory<TokenExchangeProvider>
        implements TokenExchangeProviderFactory {

    public static final String PROVIDER_ID = "conduit-upstream-token";

    @Override
    public TokenExchangeProvider create(KeycloakSession session) {
        return new UpstreamTokenExchangeProvider();
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
