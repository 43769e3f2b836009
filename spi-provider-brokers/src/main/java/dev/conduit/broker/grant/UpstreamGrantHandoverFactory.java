package dev.conduit.broker.grant;

import org.keycloak.provider.ProviderFactory;

public interface UpstreamGrantHandoverFactory extends ProviderFactory<UpstreamGrantHandover> {
}
