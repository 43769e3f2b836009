package dev.conduit.api.support;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;

/**
 * Base of the Conduit factories that read no setting and hold nothing to start or stop: Keycloak's lifecycle
 * methods are final no-ops here. A factory with lifecycle work implements {@link ProviderFactory} itself.
 */
public abstract class LifecycleFreeProviderFactory<T extends Provider> implements ProviderFactory<T> {

    @Override
    public final void init(Config.Scope config) {
    }

    @Override
    public final void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public final void close() {
    }
}
