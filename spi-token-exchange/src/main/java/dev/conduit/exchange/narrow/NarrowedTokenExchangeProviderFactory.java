package dev.conduit.exchange.narrow;

import dev.conduit.api.support.LifecycleFreeProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.protocol.oidc.TokenExchangeProviderFactory;

/** Above Keycloak's standard exchange (10), below Conduit's upstream-token exchange (100). */
public final class NarrowedTokenExchangeProviderFactory extends LifecycleFreeProviderFactory<TokenExchangeProvider>
        implements TokenExchangeProviderFactory {

    public static final String PROVIDER_ID = "conduit-narrowed-token";

    @Override
    public TokenExchangeProvider create(KeycloakSession session) {
        return new NarrowedTokenExchangeProvider();
    }

    @Override
    public int order() {
        return 90;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
