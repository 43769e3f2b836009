package dev.conduit.exchange.guard;

import dev.conduit.exchange.upstream.UpstreamTokenExchangeProviderFactory;
import org.jboss.logging.Logger;
import org.keycloak.Config;

/** The {@link HookScope} the operator chose, read once, on the first request a hook sees. */
final class ConfiguredScope {

    static final HookScope SCOPE;

    static {
        boolean wide = Config.scope("token-exchange", UpstreamTokenExchangeProviderFactory.PROVIDER_ID)
                .getBoolean(HookScope.OPTION, false);
        SCOPE = new HookScope(wide);
        Logger.getLogger(ConfiguredScope.class).infof(wide
                ? "Conduit's request guards act on every Keycloak endpoint (%s=true)"
                : "Conduit's request guards act on Conduit's own requests only (%s=false)", HookScope.OPTION);
    }

    private ConfiguredScope() {
    }
}
