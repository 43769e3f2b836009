package dev.conduit.api.support;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** A {@code /admin/realms/{realm}/<id>} resource with no lifecycle: the subclass names the resource of a request. */
public abstract class AdminResourceFactory extends LifecycleFreeProviderFactory<AdminRealmResourceProvider>
        implements AdminRealmResourceProviderFactory {

    /** The resource serving one admin request, already authenticated by Keycloak ({@code auth}). */
    protected abstract Object resource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth,
            AdminEventBuilder adminEvent);

    @Override
    public final AdminRealmResourceProvider create(KeycloakSession session) {
        return new AdminRealmResourceProvider() {
            @Override
            public Object getResource(KeycloakSession s, RealmModel realm, AdminPermissionEvaluator auth,
                    AdminEventBuilder adminEvent) {
                return resource(s, realm, auth, adminEvent);
            }

            @Override
            public void close() {
            }
        };
    }
}
