package dev.conduit.broker.support;

import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.organization.OrganizationProvider;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Connecting a provider for an organization instead of for oneself: the application starts the usual
 * account-linking request ({@code kc_action=idp_link:<alias>}) with {@code conduit_organization=<alias or id>},
 * and the grant becomes the organization's connection. Only a member of that organization holding the realm
 * role {@value #ADMIN_ROLE} may do it.
 */
public final class OrganizationConnect {

    public static final String REQUEST_PARAMETER = "conduit_organization";
    public static final String ADMIN_ROLE = "conduit-org-admin";
    /** Keycloak keeps extra authorization-request parameters in the authentication session under this prefix. */
    private static final String CLIENT_NOTE = "client_request_param_" + REQUEST_PARAMETER;

    private OrganizationConnect() {
    }

    /** The organization the login in progress connects for, or null for the user's own connection. */
    static String requested(BrokeredIdentityContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String value = authSession == null ? null : authSession.getClientNote(CLIENT_NOTE);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The organization, if this user may connect for it; otherwise the login fails with a message and nothing is stored. */
    static OrganizationModel authorize(KeycloakSession session, RealmModel realm, UserModel user, String reference) {
        OrganizationProvider organizations = session.getProvider(OrganizationProvider.class);
        if (organizations == null || !realm.isOrganizationsEnabled()) {
            throw new IdentityBrokerException("Organizations are not enabled in this realm");
        }
        OrganizationModel organization = organizations.getByAlias(reference);
        if (organization == null) {
            organization = organizations.getById(reference);
        }
        RoleModel adminRole = realm.getRole(ADMIN_ROLE);
        if (organization == null || !organizations.isMember(organization, user) || adminRole == null
                || !user.hasRole(adminRole)) {
            throw new IdentityBrokerException("You may not connect this provider for that organization");
        }
        return organization;
    }
}
