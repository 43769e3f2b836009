package dev.conduit.broker.hubspot;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import dev.conduit.broker.support.UpstreamFailures;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.broker.support.BrokerHardening;
import dev.conduit.broker.support.CallbackGuard;
import dev.conduit.broker.organization.OrganizationConnect;
import dev.conduit.broker.support.GrantCarrier;
import dev.conduit.broker.support.IncrementalScopes;
import dev.conduit.broker.support.TransactionBinding;
import dev.conduit.broker.support.UpstreamHttp;
import jakarta.ws.rs.core.UriBuilder;
import org.keycloak.broker.oidc.AbstractOAuth2IdentityProvider;
import org.keycloak.broker.provider.AuthenticationRequest;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.broker.provider.IdentityProviderDataMarshaller;
import org.keycloak.broker.social.SocialIdentityProvider;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * HubSpot broker: plain OAuth 2.0 (no OIDC). Identity and portal ({@code hub_id}) come from the
 * access-token info endpoint; the granted scopes are read back from it because optional scopes the
 * portal's tier lacks are dropped silently.
 */
public final class HubSpotIdentityProvider extends AbstractOAuth2IdentityProvider<HubSpotIdentityProviderConfig>
        implements SocialIdentityProvider<HubSpotIdentityProviderConfig> {

    public static final String DEFAULT_SCOPES = "oauth";

    public HubSpotIdentityProvider(KeycloakSession session, HubSpotIdentityProviderConfig config) {
        super(session, config);
        config.applyEndpointDefaults();
        BrokerHardening.apply(config);
    }

    @Override
    protected String getDefaultScopes() {
        return DEFAULT_SCOPES;
    }

    @Override
    protected UriBuilder createAuthorizationUrl(AuthenticationRequest request) {
        TransactionBinding.bind(request.getAuthenticationSession(), getConfig().getAlias());
        UriBuilder uri = super.createAuthorizationUrl(request);
        String optional = getConfig().getOptionalScopes();
        if (optional != null && !optional.isBlank()) {
            uri.queryParam(getConfig().getOptionalScopeParameter(), optional.trim());
        }
        IncrementalScopes.apply(uri, request.getAuthenticationSession(), getConfig(), getConfig().getDefaultScope(),
                getDefaultScopes());
        return uri;
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
    public BrokeredIdentityContext getFederatedIdentity(String response) {
        JsonNode token = BrokerHardening.parseTokenResponse(response);
        String accessToken = BrokerHardening.requiredText(token, "access_token");
        JsonNode info = UpstreamHttp.getJson(session,
                getConfig().getAccessTokenInfoUrl() + URLEncoder.encode(accessToken, StandardCharsets.UTF_8), null,
                "HubSpot access-token info");

        String userId = info.path("user_id").asText("");
        String hubId = info.path("hub_id").asText("");
        if (userId.isBlank() || hubId.isBlank()) {
            throw new IdentityBrokerException("HubSpot access-token info has no user_id or hub_id");
        }
        String email = info.path("user").asText(null);

        BrokeredIdentityContext context = new BrokeredIdentityContext(userId, getConfig());
        context.setUsername(email);
        context.setEmail(email);
        context.setBrokerUserId(userId);

        Set<String> scopes = new LinkedHashSet<>();
        info.path("scopes").forEach(s -> scopes.add(s.asText()));
        long now = Time.currentTime();
        long expiresIn = token.hasNonNull("expires_in") ? token.get("expires_in").asLong()
                : info.path("expires_in").asLong(1800);
        GrantCarrier.attach(context, new UpstreamGrant(HubSpotIdentityProviderFactory.PROVIDER_ID,
                getConfig().getAlias(), userId, hubId, null, accessToken, token.path("refresh_token").asText(null),
                now, now + expiresIn, scopes, null, email));
        return context;
    }

    @Override
    public void authenticationFinished(AuthenticationSessionModel authSession, BrokeredIdentityContext context) {
        // Deliberately empty: Keycloak would copy the access token into a (persisted) user-session note.
    }

    /** Runs before Keycloak can keep the context in the authentication session (first login): seal the grant. */
    @Override
    public void preprocessFederatedIdentity(KeycloakSession session, RealmModel realm, BrokeredIdentityContext context) {
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

    protected static final class GuardedEndpoint extends Endpoint {
        private final HubSpotIdentityProvider provider;

        GuardedEndpoint(AuthenticationCallback callback, RealmModel realm, EventBuilder event, HubSpotIdentityProvider provider) {
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
