package dev.conduit.broker.google;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import dev.conduit.broker.support.UpstreamFailures;
import java.util.Optional;

import dev.conduit.api.grant.Scopes;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.api.vault.ConduitVault;
import dev.conduit.broker.support.BrokerHardening;
import dev.conduit.broker.support.BrokeringApiTokens;
import dev.conduit.broker.support.CallbackGuard;
import dev.conduit.broker.organization.OrganizationConnect;
import dev.conduit.broker.support.GrantCarrier;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.broker.support.IncrementalScopes;
import dev.conduit.broker.support.TransactionBinding;
import dev.conduit.broker.support.VaultRequired;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.UriBuilder;
import org.keycloak.broker.oidc.OIDCIdentityProvider;
import org.keycloak.broker.provider.AuthenticationRequest;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.broker.provider.IdentityProviderDataMarshaller;
import org.keycloak.broker.provider.util.IdentityBrokerState;
import org.keycloak.broker.social.SocialIdentityProvider;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.KeycloakContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.services.Urls;
import org.keycloak.services.managers.ClientSessionCode;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Google broker: OIDC with PKCE, offline access so a refresh token is issued, consent asked again when
 * Conduit holds no refresh token, incremental authorization, and the Workspace domain enforced on the
 * id token's {@code hd} claim.
 */
public final class GoogleIdentityProvider extends OIDCIdentityProvider
        implements SocialIdentityProvider<org.keycloak.broker.oidc.OIDCIdentityProviderConfig> {

    public static final String DEFAULT_SCOPES = "openid email profile";
    static final String CONSENT_FORCED_NOTE = "conduit.google.consent-forced";

    private final GoogleIdentityProviderConfig googleConfig;

    public GoogleIdentityProvider(KeycloakSession session, GoogleIdentityProviderConfig config) {
        super(session, config);
        config.applyDefaults();
        BrokerHardening.apply(config);
        this.googleConfig = config;
    }

    @Override
    protected String getDefaultScopes() {
        return DEFAULT_SCOPES;
    }

    @Override
    protected UriBuilder createAuthorizationUrl(AuthenticationRequest request) {
        AuthenticationSessionModel authSession = request.getAuthenticationSession();
        TransactionBinding.bind(authSession, getConfig().getAlias());
        UriBuilder uri = super.createAuthorizationUrl(request);
        if (!googleConfig.getHostedDomains().isEmpty()) {
            uri.queryParam("hd", String.join(",", googleConfig.getHostedDomains()));
        }
        if (googleConfig.isOfflineAccess()) {
            uri.queryParam("access_type", "offline");
        }
        if (googleConfig.isIncludeGrantedScopes()) {
            uri.queryParam("include_granted_scopes", "true");
        }
        Boolean held = authSession.getAuthNote(CONSENT_FORCED_NOTE) != null ? Boolean.FALSE
                : refreshTokenHeldBy(authSession.getAuthenticatedUser());
        String prompt = ConsentPrompt.promptFor(getConfig().getPrompt(), googleConfig.isOfflineAccess(), held);
        if (prompt != null) {
            uri.replaceQueryParam("prompt", prompt);
        }
        IncrementalScopes.apply(uri, authSession, getConfig(), ConduitBrokers.vocabulary(session, getConfig()),
                getConfig().getDefaultScope(), getDefaultScopes());
        return uri;
    }

    /** Null when unknown: no user yet, or no vault (the callback then ends on {@link VaultRequired}'s page). */
    private Boolean refreshTokenHeldBy(UserModel user) {
        ConduitVault vault = session.getProvider(ConduitVault.class);
        if (user == null || vault == null) {
            return null;
        }
        RealmModel realm = session.getContext().getRealm();
        return vault.find(realm, user.getId(), getConfig().getAlias())
                .map(UpstreamGrant::hasRefreshToken).orElse(false);
    }

    /** An organization connect the user may not make is refused here, before the browser goes to the provider. */
    @Override
    public Response performLogin(AuthenticationRequest request) {
        Response refused = OrganizationConnect.beforeProvider(session, request, getConfig().getAlias());
        return refused != null ? refused : super.performLogin(request);
    }

    @Override
    public Object callback(RealmModel realm, AuthenticationCallback callback, EventBuilder event) {
        return new GuardedEndpoint(OrganizationConnect.intercepting(session, callback), realm, event, this);
    }

    @Override
    protected JsonWebToken validateToken(String encodedToken, boolean ignoreAudience) {
        JsonWebToken token = super.validateToken(encodedToken, ignoreAudience);
        if (!HostedDomainCheck.allows(googleConfig.getHostedDomains(), token.getOtherClaims().get("hd"))) {
            throw new IdentityBrokerException("Google account is outside the allowed Workspace domain");
        }
        return token;
    }

    @Override
    public BrokeredIdentityContext getFederatedIdentity(String response) {
        BrokeredIdentityContext context = super.getFederatedIdentity(response);
        AccessTokenResponse tokenResponse = (AccessTokenResponse) context.getContextData().remove(FEDERATED_ACCESS_TOKEN_RESPONSE);
        context.getContextData().remove(FEDERATED_ACCESS_TOKEN);
        JsonWebToken idToken = (JsonWebToken) context.getContextData().get(VALIDATED_ID_TOKEN);
        if (tokenResponse == null || idToken == null) {
            throw new IdentityBrokerException("Google token response has no access token or id token");
        }
        boolean responseHasRefreshToken = tokenResponse.getRefreshToken() != null;
        if (!responseHasRefreshToken) {
            askForConsentAgainIfNoRefreshTokenHeld(context.getId());
        }

        Object hd = idToken.getOtherClaims().get("hd");
        long now = Time.currentTime();
        long expiresIn = tokenResponse.getExpiresIn() > 0 ? tokenResponse.getExpiresIn() : 3600;
        GrantCarrier.attach(context, new UpstreamGrant(GoogleIdentityProviderFactory.PROVIDER_ID,
                getConfig().getAlias(), context.getId(), hd == null ? null : hd.toString(), null,
                tokenResponse.getToken(), tokenResponse.getRefreshToken(), now, now + expiresIn,
                Scopes.parse(tokenResponse.getScope()), displayName(idToken, context), context.getEmail()));
        return context;
    }

    /** The id token's {@code name}, else the given and family names Keycloak read from it or from userinfo. */
    private static String displayName(JsonWebToken idToken, BrokeredIdentityContext context) {
        Object name = idToken.getOtherClaims().get("name");
        if (name instanceof String text && !text.isBlank()) {
            return text;
        }
        String joined = ((context.getFirstName() == null ? "" : context.getFirstName()) + " "
                + (context.getLastName() == null ? "" : context.getLastName())).trim();
        return joined.isEmpty() ? null : joined;
    }

    private void askForConsentAgainIfNoRefreshTokenHeld(String googleSubject) {
        KeycloakContext ctx = session.getContext();
        AuthenticationSessionModel authSession = ctx.getAuthenticationSession();
        String state = ctx.getUri().getQueryParameters().getFirst("state");
        if (authSession == null || state == null) {
            return;
        }
        RealmModel realm = ctx.getRealm();
        UserModel linked = session.users().getUserByFederatedIdentity(realm,
                new FederatedIdentityModel(getConfig().getAlias(), googleSubject, null));
        boolean held = Optional.ofNullable(linked == null ? null : refreshTokenHeldBy(linked)).orElse(false);
        boolean alreadyForced = authSession.getAuthNote(CONSENT_FORCED_NOTE) != null;
        if (!ConsentPrompt.mustReconsent(googleConfig.isOfflineAccess(), false, held, alreadyForced)) {
            return;
        }
        authSession.setAuthNote(CONSENT_FORCED_NOTE, "true");
        String redirectUri = Urls.identityProviderAuthnResponse(ctx.getUri().getBaseUri(), getConfig().getAlias(),
                realm.getName()).toString();
        // The state's session code is single-use: a second round-trip needs a fresh one, as Keycloak's own
        // IdentityBrokerService#performLogin makes it.
        ClientSessionCode<AuthenticationSessionModel> sessionCode = new ClientSessionCode<>(session, realm, authSession);
        sessionCode.setAction(AuthenticationSessionModel.Action.AUTHENTICATE.name());
        IdentityBrokerState previous = IdentityBrokerState.encoded(state, realm);
        IdentityBrokerState fresh = IdentityBrokerState.decoded(sessionCode.getOrGenerateCode(),
                authSession.getClient().getId(), authSession.getClient().getClientId(), authSession.getTabId(),
                previous.getClientData());
        AuthenticationRequest again = new AuthenticationRequest(session, realm, authSession, ctx.getHttpRequest(),
                ctx.getUri(), fresh, redirectUri);
        throw new WebApplicationException(Response.seeOther(createAuthorizationUrl(again).build()).build());
    }

    @Override
    public void authenticationFinished(AuthenticationSessionModel authSession, BrokeredIdentityContext context) {
        // Deliberately empty: Keycloak would copy tokens into (persisted) user-session notes.
    }

    /** Runs before Keycloak can keep the context in the authentication session (first login): seal the grant. */
    @Override
    public void preprocessFederatedIdentity(KeycloakSession session, RealmModel realm, BrokeredIdentityContext context) {
        super.preprocessFederatedIdentity(session, realm, context);
        GrantCarrier.seal(session, context);
    }

    @Override
    public IdentityProviderDataMarshaller getMarshaller() {
        return GrantCarrier.marshaller();
    }

    @Override
    public void updateBrokeredUser(KeycloakSession session, RealmModel realm, UserModel user, BrokeredIdentityContext context) {
        GrantCarrier.handOver(session, realm, user, context);
    }

    /** Identity Brokering API V2: the user's own connection, from the vault ({@link BrokeringApiTokens}). */
    @Override
    public Response retrieveToken(KeycloakSession session, FederatedIdentityModel identity, UserSessionModel userSession,
            UserModel user) {
        return BrokeringApiTokens.retrieve(session, getConfig().getAlias(), identity, userSession, user);
    }

    /** Identity Brokering API V1: never Keycloak's stored token ({@link BrokeringApiTokens#refuseV1}). */
    @Override
    public Response retrieveToken(KeycloakSession session, FederatedIdentityModel identity) {
        return BrokeringApiTokens.refuseV1(getConfig().getAlias());
    }

    protected static final class GuardedEndpoint extends OIDCEndpoint {
        private final GoogleIdentityProvider provider;

        GuardedEndpoint(AuthenticationCallback callback, RealmModel realm, EventBuilder event, GoogleIdentityProvider provider) {
            super(callback, realm, event, provider);
            this.provider = provider;
        }

        @Override
        public SimpleHttpRequest generateTokenRequest(String authorizationCode) {
            CallbackGuard.check(session, event, provider.getConfig().getAlias(), provider.getConfig().getIssuer());
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
