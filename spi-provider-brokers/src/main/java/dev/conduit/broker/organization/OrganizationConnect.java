package dev.conduit.broker.organization;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;

import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.api.organization.OrganizationAdmins;
import dev.conduit.broker.support.GrantCarrier;
import dev.conduit.broker.support.VaultRequired;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationProcessor;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.broker.provider.AuthenticationRequest;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdpLinkAction;
import org.keycloak.broker.provider.UserAuthenticationIdentityProvider;
import org.keycloak.broker.provider.UserAuthenticationIdentityProvider.AuthenticationCallback;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.Constants;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.ErrorPage;
import org.keycloak.services.Urls;
import org.keycloak.services.managers.ClientSessionCode;
import org.keycloak.services.resources.IdentityBrokerService;
import org.keycloak.services.resources.LoginActionsService;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.util.JsonSerialization;

/**
 * Setting an organization's connection, only as a deliberate act of that organization's admin:
 * <ol>
 * <li>the application starts Keycloak's account linking ({@code kc_action=idp_link:<alias>}) with
 * {@code conduit_organization=<alias or id>}; before the browser goes to the provider, the broker checks that the
 * signed-in user is a Conduit admin of that (enabled) organization ({@link OrganizationAdmins}), else refuses;</li>
 * <li>at the provider's callback the grant is not linked to the admin's Keycloak user (Keycloak's own linking is
 * skipped: no federated identity is created) but kept for a confirmation page naming the organization, the provider,
 * the upstream account and the one it replaces, with a one-time token bound to the authentication session;</li>
 * <li>{@link OrganizationConnectResource} stores it for the organization on Confirm (checking rights again), or
 * drops it on Cancel, and returns to Keycloak's account-linking action ({@code kc_action_status}).</li>
 * </ol>
 * The parameter on an ordinary login ({@code kc_idp_hint}, or the provider chosen on the login page) is ignored: that
 * login is the user's own, as if the parameter were absent.
 */
public final class OrganizationConnect {

    public static final String REQUEST_PARAMETER = "conduit_organization";
    /** Keycloak keeps extra authorization-request parameters in the authentication session under this prefix. */
    private static final String CLIENT_NOTE = "client_request_param_" + REQUEST_PARAMETER;
    /** The organization checked before the provider; present only during an explicit linking action. */
    static final String ORGANIZATION_NOTE = "conduit.org-connect.organization";
    /** The {@link ConnectConfirmation} while the page is shown (references, metadata, the token's hash). */
    static final String CONFIRMATION_NOTE = "conduit.org-connect.confirmation";
    /** The grant while the page is shown, as {@link GrantCarrier} carries it. */
    static final String GRANT_NOTE = "conduit.org-connect.grant";
    static final String TOKEN_FIELD = "conduit_token";

    private static final Logger LOG = Logger.getLogger(OrganizationConnect.class);

    private OrganizationConnect() {
    }

    /**
     * Runs before the browser is sent to the provider. Returns the refusal page when the login in progress asks to
     * connect for an organization the user may not connect for, or null to go on.
     */
    public static Response beforeProvider(KeycloakSession session, AuthenticationRequest request, String alias) {
        AuthenticationSessionModel authSession = request.getAuthenticationSession();
        if (authSession == null) {
            return null;
        }
        authSession.removeAuthNote(ORGANIZATION_NOTE);
        String reference = authSession.getClientNote(CLIENT_NOTE);
        if (reference == null || reference.isBlank()) {
            return null;
        }
        if (!isExplicitLinking(authSession, alias)) {
            LOG.debugf("Ignored %s on an ordinary login through %s in realm %s: only account linking connects for an "
                    + "organization", REQUEST_PARAMETER, alias, request.getRealm().getId());
            return null;
        }
        RealmModel realm = request.getRealm();
        UserModel user = authSession.getAuthenticatedUser();
        OrganizationModel organization = OrganizationAdmins.resolve(session, realm, reference);
        String refusal = refusal(session, organization, user, session.identityProviders().getByAlias(alias));
        if (refusal != null) {
            return refuse(session, authSession, alias, organization, refusal);
        }
        authSession.setAuthNote(ORGANIZATION_NOTE, organization.getId());
        return null;
    }

    /** The broker's callback as Keycloak would handle it, except an organization connect, which goes to the page. */
    public static AuthenticationCallback intercepting(KeycloakSession session, AuthenticationCallback keycloak) {
        return new AuthenticationCallback() {
            @Override
            public AuthenticationSessionModel getAndVerifyAuthenticationSession(String encodedCode) {
                return keycloak.getAndVerifyAuthenticationSession(encodedCode);
            }

            @Override
            public Response authenticated(BrokeredIdentityContext context) {
                AuthenticationSessionModel authSession = context.getAuthenticationSession();
                String organizationId = authSession == null ? null : authSession.getAuthNote(ORGANIZATION_NOTE);
                if (organizationId == null) {
                    return keycloak.authenticated(context);
                }
                authSession.removeAuthNote(ORGANIZATION_NOTE);
                return confirmationPage(session, authSession, context, organizationId);
            }

            @Override
            public Response cancelled(IdentityProviderModel idpConfig) {
                return keycloak.cancelled(idpConfig);
            }

            @Override
            public Response retryLogin(UserAuthenticationIdentityProvider<?> identityProvider,
                    AuthenticationSessionModel authSession) {
                return keycloak.retryLogin(identityProvider, authSession);
            }

            @Override
            public Response error(IdentityProviderModel idpConfig, String message) {
                return keycloak.error(idpConfig, message);
            }
        };
    }

    private static Response confirmationPage(KeycloakSession session, AuthenticationSessionModel authSession,
            BrokeredIdentityContext context, String organizationId) {
        RealmModel realm = authSession.getRealm();
        IdentityProviderModel idp = context.getIdpConfig();
        String alias = idp.getAlias();
        UserModel user = authSession.getAuthenticatedUser();
        if (!isExplicitLinking(authSession, alias)) {
            return refuse(session, authSession, alias, null, "the account-linking action is no longer in progress");
        }
        // consumed here, as Keycloak's own linking would: the callback cannot be replayed into another link
        authSession.removeAuthNote(IdentityBrokerService.LINKING_IDENTITY_PROVIDER);
        OrganizationModel organization = OrganizationAdmins.resolve(session, realm, organizationId);
        String refusal = refusal(session, organization, user, idp);
        if (refusal != null) {
            return refuse(session, authSession, alias, organization, refusal);
        }
        UpstreamGrant grant = GrantCarrier.peek(context);
        if (grant == null) {
            return refuse(session, authSession, alias, organization, "the provider's answer carried no grant");
        }
        ConnectedAccount account = new ConnectedAccount(grant.accountId(),
                context.getUsername() != null ? context.getUsername() : context.getEmail(), grant.organizationId(),
                grant.instanceUrl());
        Optional<UpstreamGrant> current = VaultRequired.of(session, authSession, alias)
                .findForOrganization(realm, organization.getId(), alias);
        String replaces = current.map(c -> new ConnectedAccount(c.accountId(), null, c.organizationId(), c.instanceUrl())
                .describe()).orElse(null);

        String token = ConnectConfirmation.newToken();
        ConnectConfirmation confirmation = new ConnectConfirmation(organization.getId(), alias, user.getId(),
                account.describe(), replaces, ConnectConfirmation.hash(token), Time.currentTime());
        try {
            authSession.setAuthNote(CONFIRMATION_NOTE, JsonSerialization.writeValueAsString(confirmation));
        } catch (IOException e) {
            return refuse(session, authSession, alias, organization, "the confirmation could not be kept");
        }
        authSession.setAuthNote(GRANT_NOTE, GrantCarrier.takeCarried(session, authSession, context));

        URI action = Urls.realmBase(session.getContext().getUri().getBaseUri())
                .path(realm.getName()).path(OrganizationConnectResourceFactory.ID)
                .queryParam(Constants.CLIENT_ID, authSession.getClient().getClientId())
                .queryParam(Constants.TAB_ID, authSession.getTabId())
                .build();
        return session.getProvider(LoginFormsProvider.class)
                .setAuthenticationSession(authSession)
                .setUser(user)
                .setAttribute("conduitOrganization", organizationLabel(organization))
                .setAttribute("conduitProvider", KeycloakModelUtils.getIdentityProviderDisplayName(session, idp))
                .setAttribute("conduitAccount", confirmation.account())
                .setAttribute("conduitReplaces", replaces == null ? "" : replaces)
                .setAttribute("conduitAction", action.toString())
                .setAttribute("conduitTokenField", TOKEN_FIELD)
                .setAttribute("conduitToken", token)
                .createForm("conduit-organization-connect.ftl");
    }

    /**
     * Null when {@code user} may connect for {@code organization} through {@code idp}, else why not (no secret in it).
     * An identity provider that Keycloak links to one organization (its {@code organizationId}) carries that
     * organization's app registration at the provider: it connects for that organization only.
     */
    static String refusal(KeycloakSession session, OrganizationModel organization, UserModel user,
            IdentityProviderModel idp) {
        if (organization == null || user == null) {
            return "no such organization, or no signed-in user";
        }
        if (idp == null || !ConduitBrokers.servesOrganization(idp, organization.getId())) {
            return "the identity provider is missing or belongs to another organization";
        }
        if (!OrganizationAdmins.isAdmin(session, organization, user)) {
            return "the user is not a Conduit admin of the organization";
        }
        if (!organization.isEnabled()) {
            return "the organization is disabled";
        }
        return null;
    }

    /**
     * Keycloak's account-linking action for this provider is in progress in this authentication session: started by
     * {@code kc_action=idp_link:<alias>} for a signed-in user, confirmed on Keycloak's link page, and its linking note
     * is the one Keycloak wrote for this browser session, client and provider.
     */
    static boolean isExplicitLinking(AuthenticationSessionModel authSession, String alias) {
        if (!Boolean.parseBoolean(authSession.getAuthNote(IdpLinkAction.KC_ACTION_LINKING_IDENTITY_PROVIDER))
                || !IdpLinkAction.PROVIDER_ID.equals(authSession.getClientNote(Constants.KC_ACTION))
                || !alias.equals(authSession.getClientNote(Constants.KC_ACTION_PARAMETER))
                || authSession.getAuthenticatedUser() == null) {
            return false;
        }
        String expected = authSession.getParentSession().getId() + authSession.getClient().getClientId() + alias;
        return expected.equals(authSession.getAuthNote(IdentityBrokerService.LINKING_IDENTITY_PROVIDER));
    }

    static Response refuse(KeycloakSession session, AuthenticationSessionModel authSession, String alias,
            OrganizationModel organization, String reason) {
        forget(authSession);
        RealmModel realm = authSession.getRealm();
        EventBuilder event = new EventBuilder(realm, session, session.getContext().getConnection())
                .event(EventType.FEDERATED_IDENTITY_LINK)
                .client(authSession.getClient())
                .detail(Details.IDENTITY_PROVIDER, alias)
                .detail("conduit_action", "organization_connect")
                .detail(Details.REASON, reason);
        if (authSession.getAuthenticatedUser() != null) {
            event.user(authSession.getAuthenticatedUser());
        }
        if (organization != null) {
            event.detail("organization_id", organization.getId());
        }
        event.error(Errors.NOT_ALLOWED);
        LOG.infof("Refused an organization connect through %s in realm %s: %s", alias, realm.getId(), reason);
        return ErrorPage.error(session, authSession, Response.Status.FORBIDDEN, "conduitOrgConnectRefused");
    }

    /** Drops whatever an organization connect in progress keeps in the authentication session. */
    static void forget(AuthenticationSessionModel authSession) {
        authSession.removeAuthNote(ORGANIZATION_NOTE);
        authSession.removeAuthNote(CONFIRMATION_NOTE);
        authSession.removeAuthNote(GRANT_NOTE);
    }

    /**
     * Back to Keycloak's account-linking action with its outcome, as Keycloak's own linking returns to it: the action
     * then answers the application ({@code kc_action_status=success} or {@code cancelled}).
     */
    static Response backToLinkingAction(KeycloakSession session, AuthenticationSessionModel authSession,
            RequiredActionContext.KcActionStatus status) {
        RealmModel realm = authSession.getRealm();
        authSession.setAuthNote(IdpLinkAction.IDP_LINK_STATUS, status.name());
        ClientSessionCode<AuthenticationSessionModel> code = new ClientSessionCode<>(session, realm, authSession);
        code.setAction(AuthenticationSessionModel.Action.REQUIRED_ACTIONS.name());
        authSession.setAction(AuthenticationSessionModel.Action.REQUIRED_ACTIONS.name());
        URI next = LoginActionsService.requiredActionProcessor(session.getContext().getUri())
                .queryParam(LoginActionsService.SESSION_CODE, code.getOrGenerateCode())
                .queryParam(Constants.EXECUTION, authSession.getClientNote(Constants.KC_ACTION))
                .queryParam(Constants.CLIENT_ID, authSession.getClient().getClientId())
                .queryParam(Constants.TAB_ID, authSession.getTabId())
                .queryParam(Constants.CLIENT_DATA, AuthenticationProcessor.getClientData(session, authSession))
                .build(realm.getName());
        return Response.seeOther(next).build();
    }

    static String organizationLabel(OrganizationModel organization) {
        String name = ConnectedAccount.bounded(organization.getName());
        return name == null || name.equals(organization.getAlias()) ? organization.getAlias()
                : name + " (" + organization.getAlias() + ")";
    }
}
