package dev.conduit.broker.salesforce;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import dev.conduit.broker.support.UpstreamFailures;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.api.grant.Scopes;
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
import org.keycloak.events.EventBuilder;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.vault.VaultStringSecret;

/**
 * Salesforce broker: authorization code with PKCE S256, identity from the signed token response's
 * {@code id} URL plus userinfo, and the connection's org id, user id and {@code instance_url} kept.
 */
public final class SalesforceIdentityProvider extends AbstractOAuth2IdentityProvider<SalesforceIdentityProviderConfig>
        implements SocialIdentityProvider<SalesforceIdentityProviderConfig> {

    public static final String DEFAULT_SCOPES = "api refresh_token openid";

    public SalesforceIdentityProvider(KeycloakSession session, SalesforceIdentityProviderConfig config) {
        super(session, config);
        config.deriveEndpointsFromLoginHost();
        config.setPkceEnabled(true);
        config.setPkceMethod("S256");
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
        String idUrl = BrokerHardening.requiredText(token, "id");
        String issuedAtMillis = BrokerHardening.requiredText(token, "issued_at");
        String instanceUrl = BrokerHardening.requiredText(token, "instance_url");

        if (!SalesforceSignature.verify(idUrl, issuedAtMillis, token.path("signature").asText(null), consumerSecret())) {
            throw new IdentityBrokerException("Salesforce token response signature does not verify");
        }
        SalesforceIdentityUrl identity;
        long issuedAt;
        try {
            identity = SalesforceIdentityUrl.parse(idUrl);
            issuedAt = Long.parseLong(issuedAtMillis) / 1000;
        } catch (IllegalArgumentException e) {
            throw new IdentityBrokerException("Salesforce token response is malformed: " + e.getMessage());
        }

        JsonNode userInfo = UpstreamHttp.getJson(session, getConfig().getUserInfoUrl(), accessToken, "Salesforce userinfo");
        if (!identity.userId().equals(userInfo.path("user_id").asText())
                || !identity.organizationId().equals(userInfo.path("organization_id").asText())) {
            throw new IdentityBrokerException("Salesforce userinfo does not describe the user of the token response");
        }

        BrokeredIdentityContext context = new BrokeredIdentityContext(identity.userId(), getConfig());
        context.setUsername(userInfo.path("preferred_username").asText(null));
        context.setEmail(userInfo.path("email").asText(null));
        context.setFirstName(userInfo.path("given_name").asText(null));
        context.setLastName(userInfo.path("family_name").asText(null));
        context.setBrokerUserId(identity.userId());

        long lifetime = token.hasNonNull("expires_in") ? token.get("expires_in").asLong()
                : getConfig().getSessionLifetimeSeconds();
        GrantCarrier.attach(context, new UpstreamGrant(SalesforceIdentityProviderFactory.PROVIDER_ID,
                getConfig().getAlias(), identity.userId(), identity.organizationId(), instanceUrl, accessToken,
                token.path("refresh_token").asText(null), issuedAt, issuedAt + lifetime,
                Scopes.parse(token.path("scope").asText(null)),
                userInfo.path("name").asText(userInfo.path("display_name").asText(null)),
                userInfo.path("email").asText(null)));
        return context;
    }

    private String consumerSecret() {
        try (VaultStringSecret secret = session.vault().getStringSecret(getConfig().getClientSecret())) {
            return secret.get().orElse(getConfig().getClientSecret());
        }
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
        private final SalesforceIdentityProvider provider;

        GuardedEndpoint(AuthenticationCallback callback, RealmModel realm, EventBuilder event, SalesforceIdentityProvider provider) {
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
