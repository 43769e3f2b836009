package dev.conduit.broker.organization;

import dev.conduit.api.support.RealmResourceFactory;
import org.keycloak.models.KeycloakSession;

/** Mounts {@link OrganizationConnectResource} at {@code /realms/{realm}/conduit-organization-connect}. */
public final class OrganizationConnectResourceFactory extends RealmResourceFactory {

    public static final String ID = "conduit-organization-connect";

    @Override
    protected Object resource(KeycloakSession session) {
        return new OrganizationConnectResource(session);
    }

    @Override
    public String getId() {
        return ID;
    }
}
