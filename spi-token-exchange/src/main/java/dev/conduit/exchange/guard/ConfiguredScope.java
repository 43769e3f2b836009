package dev.conduit.exchange.guard;

import dev.conduit.exchange.upstream.UpstreamTokenExchangeProviderFactory;
import org.jboss.logging.Logger;
import org.keycloak.Config;

/** The {@link HookScope} the operator chose, read once, on the first request a hook sees. */
final class ConfiguredScope {

    static final HookScope SCOPE;

    /** Keycloak's name of the token-exchange SPI, whose provider {@code conduit-upstream-token} the option belongs to. */
    static final String SPI = "oauth2-token-exchange";
    /** The name the option had in the previous version (an SPI name Keycloak does not have); read for one release. */
    static final String DEPRECATED_SPI = "token-exchange";

    static {
        Logger log = Logger.getLogger(ConfiguredScope.class);
        Boolean configured = Config.scope(SPI, UpstreamTokenExchangeProviderFactory.PROVIDER_ID).getBoolean(HookScope.OPTION);
        if (configured == null) {
            configured = Config.scope(DEPRECATED_SPI, UpstreamTokenExchangeProviderFactory.PROVIDER_ID).getBoolean(HookScope.OPTION);
            if (configured != null) {
                log.warnf("--spi-%s--%s--%s is deprecated and will be removed: use --spi-%s--%s--%s", DEPRECATED_SPI,
                        UpstreamTokenExchangeProviderFactory.PROVIDER_ID, HookScope.OPTION, SPI,
                        UpstreamTokenExchangeProviderFactory.PROVIDER_ID, HookScope.OPTION);
            }
        }
        boolean wide = Boolean.TRUE.equals(configured);
        SCOPE = new HookScope(wide);
        log.infof(wide
                ? "Conduit's request guards act on every Keycloak endpoint (%s=true)"
                : "Conduit's request guards act on Conduit's own requests only (%s=false)", HookScope.OPTION);
    }

    private ConfiguredScope() {
    }
}
