package dev.conduit.broker.admin;

import java.util.List;

import dev.conduit.api.vault.ConduitVault;
import dev.conduit.api.vault.ConnectionView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** {@code /admin/realms/{realm}/conduit-connections}: read-only view of a user's upstream connections. */
public final class ConnectionsAdminResource {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;

    ConnectionsAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
    }

    @GET
    @Path("users/{userId}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ConnectionView> userConnections(@PathParam("userId") String userId) {
        // a value that cannot be an id never reaches the database (PostgreSQL refuses a NUL with an error)
        UserModel user = userId == null || userId.length() > 64 || userId.indexOf('\0') >= 0 ? null
                : session.users().getUserById(realm, userId);
        if (user == null) {
            auth.users().requireQuery();
            throw new NotFoundException("User not found");
        }
        auth.users().requireView(user);
        ConduitVault vault = session.getProvider(ConduitVault.class);
        return vault == null ? List.of() : vault.viewsByUser(realm, user.getId());
    }
}
