package dev.conduit.broker.organization;

import java.io.IOException;

import dev.conduit.api.organization.OrganizationAdmins;
import dev.conduit.broker.support.GrantCarrier;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorPage;
import org.keycloak.services.managers.AuthenticationSessionManager;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.util.JsonSerialization;

/**
 * {@code POST /realms/{realm}/conduit-organization-connect?client_id=..&tab_id=..}: the Confirm or Cancel of the
 * organization-connect page. The browser's authentication session (cookie, client, tab) must hold a pending
 * confirmation, and the form must carry that page's one-time token; any POST that reaches a pending confirmation
 * consumes it, so a missing, wrong or replayed token is refused and nothing is stored.
 */
public final class OrganizationConnectResource {

    private static final Logger LOG = Logger.getLogger(OrganizationConnectResource.class);
    private static final int MAX_PARAMETER = 255;

    private final KeycloakSession session;

    public OrganizationConnectResource(KeycloakSession session) {
        this.session = session;
    }

    /*
     * @Path("") is not decoration: Quarkus (ArC) scans a provider jar for JAX-RS resources only when the jar holds a
     * bean-defining annotation such as @Path (keycloak/keycloak#26835, #26088). Without one in this jar the POST
     * answers 405; the brokers' old admin endpoint used to carry the only @Path here.
     */
    @POST
    @Path("")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response decide(@QueryParam(Constants.CLIENT_ID) String clientId, @QueryParam(Constants.TAB_ID) String tabId,
            MultivaluedMap<String, String> form) {
        RealmModel realm = session.getContext().getRealm();
        ClientModel client = bounded(clientId) ? realm.getClientByClientId(clientId) : null;
        AuthenticationSessionModel authSession = client == null || !bounded(tabId) ? null
                : new AuthenticationSessionManager(session).getCurrentAuthenticationSession(realm, client, tabId);
        String confirmationJson = authSession == null ? null : authSession.getAuthNote(OrganizationConnect.CONFIRMATION_NOTE);
        if (confirmationJson == null) {
            return ErrorPage.error(session, authSession, Response.Status.BAD_REQUEST, "conduitOrgConnectExpired");
        }
        String carried = authSession.getAuthNote(OrganizationConnect.GRANT_NOTE);
        OrganizationConnect.forget(authSession);
        ConnectConfirmation confirmation;
        try {
            confirmation = JsonSerialization.readValue(confirmationJson, ConnectConfirmation.class);
        } catch (IOException e) {
            return ErrorPage.error(session, authSession, Response.Status.BAD_REQUEST, "conduitOrgConnectExpired");
        }
        String alias = confirmation.providerAlias();
        UserModel user = authSession.getAuthenticatedUser();
        String token = form == null ? null : form.getFirst(OrganizationConnect.TOKEN_FIELD);
        if (!confirmation.accepts(token, user == null ? null : user.getId(), Time.currentTime())) {
            return OrganizationConnect.refuse(session, authSession, alias, null,
                    "the confirmation's one-time token is missing, wrong or expired");
        }
        String decision = form.getFirst("decision");
        if ("cancel".equals(decision)) {
            LOG.debugf("Organization connect through %s in realm %s cancelled by user %s", alias, realm.getId(), user.getId());
            return OrganizationConnect.backToLinkingAction(session, authSession, RequiredActionContext.KcActionStatus.CANCELLED);
        }
        if (!"confirm".equals(decision)) {
            return OrganizationConnect.refuse(session, authSession, alias, null, "neither Confirm nor Cancel");
        }
        OrganizationModel organization = OrganizationAdmins.resolve(session, realm, confirmation.organizationId());
        IdentityProviderModel idp = session.identityProviders().getByAlias(alias);
        String refusal = OrganizationConnect.refusal(session, organization, user, idp);
        if (refusal != null) {
            return OrganizationConnect.refuse(session, authSession, alias, organization, refusal);
        }
        if (idp == null || !idp.isEnabled() || carried == null) {
            return OrganizationConnect.refuse(session, authSession, alias, organization, "the identity provider is gone");
        }
        GrantCarrier.handOverForOrganization(session, realm, organization.getId(), user, authSession, alias, carried);
        return OrganizationConnect.backToLinkingAction(session, authSession, RequiredActionContext.KcActionStatus.SUCCESS);
    }

    private static boolean bounded(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_PARAMETER;
    }
}
