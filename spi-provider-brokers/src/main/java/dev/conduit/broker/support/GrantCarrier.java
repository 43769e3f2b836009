package dev.conduit.broker.support;

import java.io.IOException;

import dev.conduit.api.support.UntrustedText;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.api.vault.ConduitVault;
import org.jboss.logging.Logger;
import org.keycloak.broker.oidc.AbstractOAuth2IdentityProvider;
import org.keycloak.broker.oidc.OIDCIdentityProvider;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.DefaultDataMarshaller;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.broker.provider.IdentityProviderDataMarshaller;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorPage;
import org.keycloak.services.messages.Messages;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.util.JsonSerialization;

/**
 * Carries the upstream grant from the token response to the moment the Keycloak user is known, inside the
 * brokered identity context, and hands it to the {@link ConduitVault} there (a login without a vault ends on
 * {@link VaultRequired}'s error page). Keycloak's own
 * plaintext places (FEDERATED_IDENTITY.TOKEN, user-session notes) are never used.
 *
 * <p>A first login keeps the context in the authentication session (notes {@code BROKERED_CONTEXT},
 * {@code PBL_BROKERED_IDENTITY_CONTEXT}) across its pages, replicated to every node. So before Keycloak can
 * write it there ({@link #seal}, from the broker's {@code preprocessFederatedIdentity}), the grant is sealed by
 * the vault, bound to that authentication session, tab, realm and provider, and every token Keycloak's own
 * broker code put into the context is dropped. The brokers' {@link #marshaller()} refuses to write a grant that
 * was not sealed.
 */
public final class GrantCarrier {

    private static final Logger LOG = Logger.getLogger(GrantCarrier.class);
    static final String CONTEXT_KEY = "conduit.upstream-grant";

    private GrantCarrier() {
    }

    /** Keeps the grant in the context, in memory, until {@link #seal} runs in the same request. */
    public static void attach(BrokeredIdentityContext context, UpstreamGrant grant) {
        context.getContextData().put(CONTEXT_KEY, grant);
    }

    /**
     * Makes the context safe to keep in Keycloak's authentication session: the grant sealed for this login, no
     * token left in {@code context.getToken()} or in the context data Keycloak's brokers fill.
     */
    public static void seal(KeycloakSession session, BrokeredIdentityContext context) {
        context.setToken(null);
        context.getContextData().remove(AbstractOAuth2IdentityProvider.FEDERATED_ACCESS_TOKEN);
        context.getContextData().remove(OIDCIdentityProvider.FEDERATED_ACCESS_TOKEN_RESPONSE);
        if (!(context.getContextData().get(CONTEXT_KEY) instanceof UpstreamGrant grant)) {
            return;
        }
        GrantBinding binding = binding(session, context);
        if (binding == null) {
            throw new IdentityBrokerException("No authentication session to keep the upstream grant in");
        }
        ConduitVault vault = VaultRequired.of(session, authSession(session, context), context.getIdpConfig().getAlias());
        try {
            byte[] content = JsonSerialization.writeValueAsBytes(grant);
            context.getContextData().put(CONTEXT_KEY, vault.seal(content, binding));
        } catch (IOException e) {
            throw new IdentityBrokerException("Could not keep the upstream grant for the login in progress");
        }
    }

    public static void handOver(KeycloakSession session, RealmModel realm, UserModel user, BrokeredIdentityContext context) {
        Object value = context.getContextData().get(CONTEXT_KEY);
        if (value == null) {
            return;
        }
        AuthenticationSessionModel authSession = authSession(session, context);
        ConduitVault handover = VaultRequired.of(session, authSession, context.getIdpConfig().getAlias());
        UpstreamGrant grant = value instanceof UpstreamGrant inMemory ? inMemory
                : open(session, handover, authSession, context.getIdpConfig().getAlias(), value);
        context.getContextData().remove(CONTEXT_KEY);
        // Always the user's own connection: an organization's is set only through OrganizationConnect's confirmation.
        handover.accept(realm, user, grant);
        LOG.debugf("Handed over upstream grant of realm %s user %s provider %s", realm.getId(), user.getId(),
                grant.providerAlias());
    }

    /**
     * The grant the login in progress carries in memory (at the callback, before anything is kept), or null; for
     * naming its account, nothing is handed over.
     */
    public static UpstreamGrant peek(BrokeredIdentityContext context) {
        return context.getContextData().get(CONTEXT_KEY) instanceof UpstreamGrant grant ? grant : null;
    }

    /**
     * Takes the carried grant out of the context, sealed for this authentication session (as {@link #seal} does for
     * a first login), to be kept across the organization-connect confirmation page and handed over by
     * {@link #handOverForOrganization} once confirmed. Null when the context carries none.
     */
    public static String takeCarried(KeycloakSession session, AuthenticationSessionModel authSession,
            BrokeredIdentityContext context) {
        Object carried = context.getContextData().remove(CONTEXT_KEY);
        if (carried instanceof String sealed) {
            return sealed;
        }
        if (!(carried instanceof UpstreamGrant grant)) {
            return null;
        }
        String alias = context.getIdpConfig().getAlias();
        ConduitVault vault = VaultRequired.of(session, authSession, alias);
        try {
            return vault.seal(JsonSerialization.writeValueAsBytes(grant), binding(authSession, alias));
        } catch (IOException e) {
            throw new IdentityBrokerException("Could not keep the upstream grant for the login in progress");
        }
    }

    /**
     * Hands a grant kept by {@link #takeCarried} to the vault as the organization's connection; a value that does
     * not open for this authentication session and provider ends on an error page, storing nothing.
     */
    public static void handOverForOrganization(KeycloakSession session, RealmModel realm, String organizationId,
            UserModel connectedBy, AuthenticationSessionModel authSession, String alias, String carried) {
        ConduitVault handover = VaultRequired.of(session, authSession, alias);
        UpstreamGrant grant = open(session, handover, authSession, alias, carried);
        handover.acceptForOrganization(realm, organizationId, connectedBy, grant);
        LOG.debugf("Handed over upstream grant of realm %s organization %s (connected by user %s) provider %s",
                realm.getId(), organizationId, connectedBy.getId(), grant.providerAlias());
    }

    /** A sealed grant of this login; one that does not open ends the login on an error page, storing nothing. */
    private static UpstreamGrant open(KeycloakSession session, ConduitVault handover,
            AuthenticationSessionModel authSession, String alias, Object value) {
        String refusal;
        if (!(value instanceof String sealed)) {
            refusal = "the login's context holds no sealed grant";
        } else if (authSession == null) {
            refusal = "no authentication session";
        } else {
            try {
                UpstreamGrant grant = JsonSerialization.readValue(handover.open(sealed, binding(authSession, alias)),
                        UpstreamGrant.class);
                if (alias.equals(grant.providerAlias())) {
                    return grant;
                }
                refusal = "the sealed grant is of another provider";
            } catch (SealedGrantException e) {
                refusal = e.getMessage();
            } catch (IOException e) {
                refusal = "the sealed grant's content is not a grant";
            }
        }
        LOG.warnf("Refused the upstream grant of a login in progress with identity provider '%s': %s",
                UntrustedText.forLog(alias), UntrustedText.forLog(refusal));
        throw new WebApplicationException(ErrorPage.error(session, authSession,
                Response.Status.BAD_REQUEST, Messages.IDENTITY_PROVIDER_UNEXPECTED_ERROR));
    }

    private static GrantBinding binding(KeycloakSession session, BrokeredIdentityContext context) {
        AuthenticationSessionModel authSession = authSession(session, context);
        return authSession == null ? null : binding(authSession, context.getIdpConfig().getAlias());
    }

    private static GrantBinding binding(AuthenticationSessionModel authSession, String alias) {
        return new GrantBinding(authSession.getRealm().getId(), authSession.getParentSession().getId(),
                authSession.getTabId(), alias);
    }

    private static AuthenticationSessionModel authSession(KeycloakSession session, BrokeredIdentityContext context) {
        return context.getAuthenticationSession() != null ? context.getAuthenticationSession()
                : session.getContext().getAuthenticationSession();
    }

    /**
     * Keycloak's marshaller for the brokers' context data, except that a grant not yet sealed is never written:
     * a path that would keep the context before {@link #seal} fails instead of storing tokens in clear.
     */
    public static IdentityProviderDataMarshaller marshaller() {
        return new DefaultDataMarshaller() {
            @Override
            public String serialize(Object value) {
                if (value instanceof UpstreamGrant) {
                    throw new IllegalStateException("An upstream grant must be sealed before Keycloak keeps the login's context");
                }
                return super.serialize(value);
            }
        };
    }
}
