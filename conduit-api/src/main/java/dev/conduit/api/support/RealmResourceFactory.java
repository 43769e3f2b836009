package dev.conduit.api.support;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** A {@code /realms/{realm}/<id>} resource with no lifecycle: the subclass names the JAX-RS resource of a request. */
public abstract class RealmResourceFactory extends LifecycleFreeProviderFactory<RealmResourceProvider>
        implements RealmResourceProviderFactory {

    /** The resource serving one request's session. */
    protected abstract Object resource(KeycloakSession session);

    @Override
    public final RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return resource(session);
            }

            @Override
            public void close() {
            }
        };
    }
}
