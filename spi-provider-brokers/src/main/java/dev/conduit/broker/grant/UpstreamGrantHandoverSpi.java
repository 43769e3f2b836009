package dev.conduit.broker.grant;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/** SPI through which brokers hand upstream grants to whatever keeps them (in memory now, the vault later). */
public final class UpstreamGrantHandoverSpi implements Spi {

    public static final String NAME = "conduit-upstream-grant-handover";

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return UpstreamGrantHandover.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return UpstreamGrantHandoverFactory.class;
    }
}
