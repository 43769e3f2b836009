package dev.conduit.broker.support;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.broker.organization.OrganizationConnect;
import org.keycloak.broker.oidc.AbstractOAuth2IdentityProvider;
import org.keycloak.broker.oidc.OAuth2IdentityProviderConfig;
import org.keycloak.broker.provider.AuthenticationRequest;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityProviderDataMarshaller;
import org.keycloak.broker.social.SocialIdentityProvider;
import org.keycloak.events.EventBuilder;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * What every plain OAuth 2.0 Conduit broker (Salesforce, HubSpot) does around Keycloak's login: binds the
 * transaction to the alias, adds incremental scopes, refuses an organization connect the user may not make before
 * the browser leaves, guards the callback, keeps tokens out of user-session notes and hands the grant to the vault.
 * A broker adds its identity parsing ({@link #getFederatedIdentity}) and, if needed, its own authorization
 * parameters ({@link #addAuthorizationParameters}). The OIDC broker (Google) does the same on Keycloak's OIDC base.
 */
public abstract class ConduitOAuth2Broker<C extends OAuth2IdentityProviderConfig> extends AbstractOAuth2IdentityProvider<C>
        implements SocialIdentityProvider<C> {

    protected ConduitOAuth2Broker(KeycloakSession session, C config) {
        super(session, config);
    }

    /** Parameters this provider adds to the authorization URL, before the incremental scopes; none by default. */
    protected void addAuthorizationParameters(UriBuilder uri) {
    }

    @Override
    protected final UriBuilder createAuthorizationUrl(AuthenticationRequest request) {
        TransactionBinding.bind(request.getAuthenticationSession(), getConfig().getAlias());
        UriBuilder uri = super.createAuthorizationUrl(request);
        addAuthorizationParameters(uri);
        IncrementalScopes.apply(uri, request.getAuthenticationSession(), getConfig(),
                ConduitBrokers.vocabulary(session, getConfig()), getConfig().getDefaultScope(), getDefaultScopes());
        return uri;
    }

    /** An organization connect the user may not make is refused here, before the browser goes to the provider. */
    @Override
    public final Response performLogin(AuthenticationRequest request) {
        Response refused = OrganizationConnect.beforeProvider(session, request, getConfig().getAlias());
        return refused != null ? refused : super.performLogin(request);
    }

    @Override
    public final Object callback(RealmModel realm, AuthenticationCallback callback, EventBuilder event) {
        return new GuardedEndpoint(OrganizationConnect.intercepting(session, callback), realm, event, this);
    }

    @Override
    public final void authenticationFinished(AuthenticationSessionModel authSession, BrokeredIdentityContext context) {
        // Deliberately empty: Keycloak would copy the access token into a (persisted) user-session note.
    }

    /** Runs before Keycloak can keep the context in the authentication session (first login): seal the grant. */
    @Override
    public final void preprocessFederatedIdentity(KeycloakSession session, RealmModel realm, BrokeredIdentityContext context) {
        GrantCarrier.seal(session, context);
    }

    @Override
    public final IdentityProviderDataMarshaller getMarshaller() {
        return GrantCarrier.marshaller();
    }

    @Override
    public final void updateBrokeredUser(KeycloakSession session, RealmModel realm, UserModel user,
            BrokeredIdentityContext context) {
        GrantCarrier.handOver(session, realm, user, context);
    }

    /** Identity Brokering API V2: the user's own connection, from the vault ({@link BrokeringApiTokens}). */
    @Override
    public final Response retrieveToken(KeycloakSession session, FederatedIdentityModel identity, UserSessionModel userSession,
            UserModel user) {
        return BrokeringApiTokens.retrieve(session, getConfig().getAlias(), identity, userSession, user);
    }

    /** Identity Brokering API V1: never Keycloak's stored token ({@link BrokeringApiTokens#refuseV1}). */
    @Override
    public final Response retrieveToken(KeycloakSession session, FederatedIdentityModel identity) {
        return BrokeringApiTokens.refuseV1(getConfig().getAlias());
    }

    /** Keycloak's callback with Conduit's guard before the code is redeemed, and an unreachable provider as 502. */
    protected static final class GuardedEndpoint extends Endpoint {
        private final ConduitOAuth2Broker<?> provider;

        GuardedEndpoint(AuthenticationCallback callback, RealmModel realm, EventBuilder event, ConduitOAuth2Broker<?> provider) {
            super(callback, realm, event, provider);
            this.provider = provider;
        }

        @Override
        public SimpleHttpRequest generateTokenRequest(String authorizationCode) {
            CallbackGuard.check(session, event, provider.getConfig().getAlias(), null);
            return super.generateTokenRequest(authorizationCode);
        }

        /** The callback as Keycloak serves it, with the provider's unreachable token endpoint as 502, not 500. */
        @Override
        @GET
        public Response authResponse(@QueryParam("state") String state, @QueryParam("code") String authorizationCode,
                @QueryParam("error") String error, @QueryParam("error_description") String errorDescription) {
            return UpstreamFailures.asBadGateway(super.authResponse(state, authorizationCode, error, errorDescription));
        }
    }
}
