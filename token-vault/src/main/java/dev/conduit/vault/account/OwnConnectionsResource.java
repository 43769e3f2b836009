package dev.conduit.vault.account;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.conduit.api.grant.ConduitBroker;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.organization.OrganizationAdmins;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.common.util.Time;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * {@code GET /realms/{realm}/conduit-my-connections}: the signed-in person's own connections, for the
 * connections console's "My connections" page; {@code .../organizations/{alias or id}}: an organization's, for its
 * Conduit admins only ({@link OrganizationAdmins}; anyone else gets 403, whether or not the organization exists),
 * with the realm's enabled Conduit brokers (the console's "Connect ... for this organization" buttons).
 * Bearer token of this realm, issued to one of {@link #CLIENTS} or to a client whose attribute
 * {@value #READ_ATTRIBUTE} is {@code true} (an app of the realm's own that shows people their connections).
 */
public class OwnConnectionsResource {

    /** The clients whose tokens may read a person's connections (their own pages, not arbitrary apps). */
    static final Set<String> CLIENTS = Set.of("conduit-console", "account-console");
    /**
     * Client attribute: {@code true} lets that client's user tokens read the signed-in person's own connections (and,
     * for an organization's Conduit admin, the organization's), with the same checks as the console's. Opt-in per
     * client: any other app holding a person's token reads nothing here.
     */
    public static final String READ_ATTRIBUTE = "conduit.own-connections.read";

    private final KeycloakSession session;

    public OwnConnectionsResource(KeycloakSession session) {
        this.session = session;
    }

    /**
     * An organization's connections as its Conduit admins see them, and the realm's enabled Conduit brokers they can
     * connect for it.
     */
    public record OrganizationConnections(String id, String alias, String name, boolean enabled,
            List<OwnConnection> connections, List<ConduitBrokers.Listed> providers) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<OwnConnection> connections() {
        return owned("USER", authenticated().user().getId());
    }

    @GET
    @Path("organizations/{organization}")
    @Produces(MediaType.APPLICATION_JSON)
    public OrganizationConnections organizationConnections(@PathParam("organization") String reference) {
        AuthenticationManager.AuthResult auth = authenticated();
        OrganizationModel organization = OrganizationAdmins.resolve(session, session.getContext().getRealm(), reference);
        if (organization == null || !OrganizationAdmins.isAdmin(session, organization, auth.user())) {
            throw new ForbiddenException("Not a Conduit admin of that organization");
        }
        return new OrganizationConnections(organization.getId(), organization.getAlias(), organization.getName(),
                organization.isEnabled(), owned("ORGANIZATION", organization.getId()),
                ConduitBrokers.enabledFor(session, organization.getId()));
    }

    private AuthenticationManager.AuthResult authenticated() {
        AuthenticationManager.AuthResult auth = new AppAuthManager.BearerTokenAuthenticator(session).authenticate();
        if (auth == null || !mayRead(auth.token().getIssuedFor(), auth.client())) {
            throw new NotAuthorizedException("Bearer realm=\"" + session.getContext().getRealm().getName() + "\"");
        }
        return auth;
    }

    /** Whether tokens issued to this client ({@code azp}) may read a person's connections. */
    static boolean mayRead(String issuedFor, ClientModel client) {
        if (issuedFor == null) {
            return false;
        }
        if (CLIENTS.contains(issuedFor)) {
            return true;
        }
        return client != null && issuedFor.equals(client.getClientId()) && client.isEnabled()
                && "true".equals(client.getAttribute(READ_ATTRIBUTE));
    }

    private List<OwnConnection> owned(String ownerKind, String ownerId) {
        RealmModel realm = session.getContext().getRealm();
        Map<String, Map<String, String>> clientScopes = new HashMap<>();
        realm.getClientScopesStream().forEach(scope -> clientScopes.putIfAbsent(scope.getName(), scope.getAttributes()));
        Map<String, OwnConnection.ProviderFacts> providers = new HashMap<>();
        long now = Time.currentTime();
        return VaultStore.of(session).byOwner(realm.getId(), ownerKind, ownerId).stream()
                .map(row -> OwnConnection.of(row, providers.computeIfAbsent(row.getProviderAlias(), alias -> facts(row)),
                        clientScopes, now))
                .toList();
    }

    /**
     * The row's provider as its broker describes it; for an identity provider that is gone, the type its provider id
     * names and the alias as its name.
     */
    private OwnConnection.ProviderFacts facts(ConnectionEntity row) {
        IdentityProviderModel model = session.identityProviders().getByAlias(row.getProviderAlias());
        Optional<ConduitBroker> broker = ConduitBrokers.of(session, model);
        String displayName = model == null ? null : model.getDisplayName();
        return new OwnConnection.ProviderFacts(ConduitBrokers.vocabulary(broker, row.getProviderId()),
                ConnectionWords.providerName(broker.map(ConduitBroker::productName).orElse(null), displayName,
                        row.getProviderAlias()),
                broker.map(ConduitBroker::refusedGrantCause).orElse(""));
    }
}
