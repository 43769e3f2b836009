package dev.conduit.broker.admin;

import dev.conduit.api.support.AdminResourceFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** Mounts {@link ConnectionsAdminResource} under the realm's admin API. */
public final class ConnectionsAdminResourceProviderFactory extends AdminResourceFactory {

    public static final String PROVIDER_ID = "conduit-connections";

    @Override
    protected Object resource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth,
            AdminEventBuilder adminEvent) {
        return new ConnectionsAdminResource(session, realm, auth);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
