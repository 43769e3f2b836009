package dev.conduit.exchange.upstream;

import java.util.List;
import java.util.Map;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.api.support.LifecycleFreeProviderFactory;
import dev.conduit.exchange.guard.HookScope;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.protocol.oidc.TokenExchangeProviderFactory;

/**
 * Ordered above Keycloak's standard exchange (10) and its legacy V1 so it sees requests first, and supports only
 * those naming a Conduit connection: every other exchange goes on to Keycloak. Its one setting,
 * {@value HookScope#OPTION}, is read by the exchange jar's request guards ({@link HookScope}); it is declared and
 * reported here, the provider the option is named after.
 */
public final class UpstreamTokenExchangeProviderFactory extends LifecycleFreeProviderFactory<TokenExchangeProvider>
        implements TokenExchangeProviderFactory, ServerInfoAwareProviderFactory {

    public static final String PROVIDER_ID = "conduit-upstream-token";

    static final FactorySetting KEYCLOAK_WIDE_GUARDS = FactorySetting.bool(HookScope.OPTION, false,
            "Whether the exchange jar's request guards (NUL credentials refused before Keycloak's lookups; a lost database"
                    + " answered 503 temporarily_unavailable) act on every Keycloak endpoint instead of Conduit's own requests only.");

    @Override
    public TokenExchangeProvider create(KeycloakSession session) {
        return new UpstreamTokenExchangeProvider();
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return FactorySetting.metadata(List.of(KEYCLOAK_WIDE_GUARDS));
    }

    /** The guards' scope in effect, as the guards read it. */
    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of(HookScope.OPTION, Boolean.toString(HookScope.configured().keycloakWide()));
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
