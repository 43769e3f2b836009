package dev.conduit.vault.account;

import java.util.List;
import java.util.Set;

import dev.conduit.vault.store.ConnectionEntity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * {@code GET /realms/{realm}/conduit-my-connections}: the signed-in person's own connections, for the
 * connections console's "My connections" page. Bearer token of this realm, issued to one of {@link #CLIENTS}.
 */
public class OwnConnectionsResource {

    /** The clients whose tokens may read a person's connections (their own pages, not arbitrary apps). */
    static final Set<String> CLIENTS = Set.of("conduit-console", "account-console");

    private final KeycloakSession session;

    public OwnConnectionsResource(KeycloakSession session) {
        this.session = session;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<OwnConnection> connections() {
        AuthenticationManager.AuthResult auth = new AppAuthManager.BearerTokenAuthenticator(session).authenticate();
        if (auth == null || !CLIENTS.contains(auth.token().getIssuedFor())) {
            throw new NotAuthorizedException("Bearer realm=\"" + session.getContext().getRealm().getName() + "\"");
        }
        return session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createNamedQuery("conduitConnectionsByOwner", ConnectionEntity.class)
                .setParameter("realmId", session.getContext().getRealm().getId())
                .setParameter("ownerKind", "USER")
                .setParameter("ownerId", auth.user().getId())
                .getResultStream().map(OwnConnection::of).toList();
    }
}
