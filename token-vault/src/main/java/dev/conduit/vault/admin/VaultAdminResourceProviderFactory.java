package dev.conduit.vault.admin;

import dev.conduit.api.support.AdminResourceFactory;
import dev.conduit.vault.keycloak.JpaConduitVaultFactory;
import jakarta.ws.rs.ServiceUnavailableException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** Mounts {@link VaultAdminResource} at {@code /admin/realms/{realm}/conduit-vault}. */
public final class VaultAdminResourceProviderFactory extends AdminResourceFactory {

    public static final String PROVIDER_ID = "conduit-vault";

    @Override
    protected Object resource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth,
            AdminEventBuilder adminEvent) {
        var vault = JpaConduitVaultFactory.running(session).orElseThrow(() -> new ServiceUnavailableException("The token vault is not running"));
        return new VaultAdminResource(session, realm, auth, adminEvent, vault);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
