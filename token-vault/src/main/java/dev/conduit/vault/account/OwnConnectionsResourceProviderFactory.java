package dev.conduit.vault.account;

import dev.conduit.api.support.RealmResourceFactory;
import org.keycloak.models.KeycloakSession;

/** Mounts {@link OwnConnectionsResource} at {@code /realms/{realm}/conduit-my-connections}. */
public final class OwnConnectionsResourceProviderFactory extends RealmResourceFactory {

    public static final String ID = "conduit-my-connections";

    @Override
    protected Object resource(KeycloakSession session) {
        return new OwnConnectionsResource(session);
    }

    @Override
    public String getId() {
        return ID;
    }
}
