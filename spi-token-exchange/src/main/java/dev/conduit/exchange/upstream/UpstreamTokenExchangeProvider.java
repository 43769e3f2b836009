package dev.conduit.exchange.upstream;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.conduit.vault.service.ConnectionKey;
import dev.conduit.vault.service.ConnectionUnavailableException;
import dev.conduit.vault.service.FreshToken;
import dev.conduit.vault.service.Vaults;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.organization.OrganizationProvider;
import org.keycloak.protocol.oidc.TokenExchangeContext;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.cors.Cors;

/**
 * RFC 8693 exchange of a Keycloak access token for the fresh upstream access token of a Conduit connection
 * (the user's own, or an organization's the user belongs to). Checks, in order: confidential client; subject
 * token signature, expiry, active session and issuer; requester is the token's azp or in its aud; the client
 * may use this provider; the organization's membership. Errors are RFC 6749/8693 codes; a connection that
 * needs the user again says so ({@code conduit_error}) with where to send the user ({@code connect_uri}).
 */
final class UpstreamTokenExchangeProvider implements TokenExchangeProvider {

    static final String CLIENT_PROVIDERS_ATTRIBUTE = "conduit.exchange.providers";
    static final String ORGANIZATION_PARAMETER = "organization";

    @Override
    public boolean supports(TokenExchangeContext context) {
        return request(context) != null;
    }

    static UpstreamTokenRequest request(TokenExchangeContext context) {
        var form = context.getFormParams();
        if (context.getParams().getSubjectToken() == null) {
            return null;
        }
        RealmModel realm = context.getRealm();
        KeycloakSession session = context.getSession();
        return UpstreamTokenRequest.read(form.getFirst("requested_issuer"), context.getParams().getAudience(),
                context.getParams().getResource(), context.getParams().getRequestedTokenType(),
                form.getFirst(ORGANIZATION_PARAMETER), alias -> isConduitBroker(session, alias)
                        && realm.getClientByClientId(alias) == null).orElse(null);
    }

    private static boolean isConduitBroker(KeycloakSession session, String alias) {
        IdentityProviderModel model = session.identityProviders().getByAlias(alias);
        return model != null && model.getProviderId() != null && model.getProviderId().startsWith("conduit-");
    }

    @Override
    public Response exchange(TokenExchangeContext context) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        ClientModel client = context.getClient();
        EventBuilder event = context.getEvent();
        Cors cors = context.getCors();
        UpstreamTokenRequest request = request(context);
        event.detail("conduit_exchange", "upstream_token").detail(Details.IDENTITY_PROVIDER, request.alias());

        if (client.isPublicClient()) {
            return error(cors, event, 400, "unauthorized_client", "Public clients may not exchange tokens", Errors.INVALID_CLIENT);
        }
        if (!"urn:ietf:params:oauth:token-type:access_token".equals(context.getParams().getSubjectTokenType())) {
            return error(cors, event, 400, "invalid_request", "subject_token_type must be an access token", Errors.INVALID_REQUEST);
        }
        AuthenticationManager.AuthResult subject = AuthenticationManager.verifyIdentityToken(session, realm,
                session.getContext().getUri(), context.getClientConnection(), true, true, null, false,
                context.getParams().getSubjectToken(), context.getHeaders(), verifier -> { });
        if (subject == null) {
            return error(cors, event, 400, "invalid_request", "subject_token is invalid, expired or its session ended",
                    Errors.INVALID_TOKEN);
        }
        AccessToken token = subject.token();
        UserModel user = subject.user();
        event.user(user).detail(Details.SUBJECT_TOKEN_CLIENT_ID, token.getIssuedFor());
        if (!client.getClientId().equals(token.getIssuedFor()) && !token.hasAudience(client.getClientId())) {
            return error(cors, event, 400, "invalid_request", "The client is neither the subject token's azp nor in its aud",
                    Errors.NOT_ALLOWED);
        }
        IdentityProviderModel provider = session.identityProviders().getByAlias(request.alias());
        if (provider == null || !provider.isEnabled() || !provider.getProviderId().startsWith("conduit-")) {
            return error(cors, event, 400, "invalid_target", "No Conduit provider '" + printable(request.alias()) + "' in this realm",
                    Errors.UNKNOWN_IDENTITY_PROVIDER);
        }
        if (!UpstreamTokenRequest.clientMayUse(client.getAttribute(CLIENT_PROVIDERS_ATTRIBUTE), provider.getAlias())) {
            return error(cors, event, 400, "invalid_target", "This client may not obtain " + provider.getAlias() + " tokens",
                    Errors.NOT_ALLOWED);
        }
        ConnectionKey key = ConnectionKey.user(realm.getId(), user.getId(), provider.getAlias());
        if (request.organization() != null) {
            OrganizationModel organization = organization(session, realm, request.organization());
            if (organization == null || !session.getProvider(OrganizationProvider.class).isMember(organization, user)) {
                return error(cors, event, 400, "invalid_target", "No such organization among the user's organizations",
                        Errors.NOT_ALLOWED);
            }
            key = ConnectionKey.organization(realm.getId(), organization.getId(), provider.getAlias());
            event.detail("organization_id", organization.getId());
        }
        var vault = Vaults.of(session);
        if (vault.isEmpty()) {
            return error(cors, event, 503, "temporarily_unavailable", "The token vault is not running", Errors.INVALID_REQUEST);
        }
        FreshToken fresh;
        try {
            fresh = vault.get().accessToken(session, key);
        } catch (ConnectionUnavailableException e) {
            return unavailable(context, event, cors, provider.getAlias(), request.organization(), token.getIssuedFor(), e);
        }
        event.detail("connection_id", fresh.connectionId()).success();
        return cors.add(Response.ok(body(fresh), MediaType.APPLICATION_JSON_TYPE));
    }

    private static Map<String, Object> body(FreshToken fresh) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", fresh.accessToken());
        body.put("issued_token_type", UpstreamTokenRequest.ACCESS_TOKEN_TYPE);
        body.put("token_type", "Bearer");
        body.put("expires_in", Math.max(0, fresh.expiresAt() - Time.currentTime()));
        body.put("scope", String.join(" ", fresh.scopes()));
        body.put("identity_provider", fresh.alias());
        if (fresh.instanceUrl() != null) {
            body.put("instance_url", fresh.instanceUrl());
        }
        if (fresh.accountId() != null) {
            body.put("account_id", fresh.accountId());
        }
        if (fresh.organizationId() != null) {
            body.put(fresh.providerId().endsWith("hubspot") ? "hub_id" : "organization_id", fresh.organizationId());
        }
        return body;
    }

    private static Response unavailable(TokenExchangeContext context, EventBuilder event, Cors cors, String alias,
            String organization, String appClientId, ConnectionUnavailableException e) {
        event.detail(Details.REASON, e.code());
        if (ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE.equals(e.code())) {
            event.error(Errors.IDENTITY_PROVIDER_ERROR);
            return cors.add(Response.status(503).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("error", "temporarily_unavailable", "error_description", e.getMessage())));
        }
        event.error(Errors.NOT_ALLOWED);
        UriBuilder connect = UriBuilder.fromUri(context.getSession().getContext().getUri().getBaseUri())
                .path("realms").path(context.getRealm().getName()).path("protocol/openid-connect/auth")
                .queryParam("client_id", appClientId)
                .queryParam("response_type", "code")
                .queryParam("scope", "openid")
                .queryParam("kc_action", "idp_link:" + alias);
        if (organization != null) {
            connect.queryParam("conduit_organization", organization);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "invalid_target");
        body.put("error_description", e.getMessage());
        body.put("conduit_error", e.code());
        body.put("connect_uri", connect.build().toString() + "&redirect_uri={your callback}&state={state}");
        return cors.add(Response.status(400).type(MediaType.APPLICATION_JSON_TYPE).entity(body));
    }

    private static OrganizationModel organization(KeycloakSession session, RealmModel realm, String reference) {
        OrganizationProvider organizations = session.getProvider(OrganizationProvider.class);
        if (organizations == null || !realm.isOrganizationsEnabled()) {
            return null;
        }
        OrganizationModel byAlias = organizations.getByAlias(reference);
        return byAlias != null ? byAlias : organizations.getById(reference);
    }

    private static Response error(Cors cors, EventBuilder event, int status, String error, String description, String eventError) {
        event.detail(Details.REASON, description).error(eventError);
        return cors.add(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", error, "error_description", description)));
    }

    /** Echoes a caller's alias only when it is short and plain, so an error never reflects hostile input. */
    private static String printable(String value) {
        return value != null && value.matches("[A-Za-z0-9._\\-]{1,64}") ? value : "(invalid)";
    }

    @Override
    public void close() {
    }
}
