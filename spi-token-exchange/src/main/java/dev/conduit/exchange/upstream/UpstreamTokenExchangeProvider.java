package dev.conduit.exchange.upstream;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.conduit.api.grant.ConduitBroker;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.permission.Vocabulary;
import dev.conduit.exchange.support.ConnectionBinding;
import dev.conduit.exchange.support.ExchangeChecks;
import dev.conduit.exchange.support.ExchangeRefusal;
import dev.conduit.exchange.support.ScopeLookup;
import dev.conduit.api.vault.ConduitVault;
import dev.conduit.api.vault.ConnectionKey;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.api.vault.FreshToken;
import dev.conduit.api.vault.RefusedToken;
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
import org.keycloak.protocol.oidc.TokenExchangeContext;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.representations.AccessToken;

/**
 * RFC 8693 exchange of a Keycloak access token for the fresh upstream access token of a Conduit connection
 * (the user's own, an organization's, or the realm's own with {@code connection_owner=realm}). Checks, in order:
 * confidential client; subject token signature, expiry, active session and issuer; requester is the token's azp or in
 * its aud; the realm's connection only for the requesting client's own service account, on an administrator's
 * {@value RealmConnectionRequest#CLIENT_ATTRIBUTE}, never for a bound token; a token bound to one connection
 * ({@code conduit_connection}) reaches only that one and only the permissions it holds; the client may use this
 * provider and these permissions (none named: its default ones for the provider; none at all: refused); the
 * organization's membership. An app whose API call the provider answered 401 names the refused token
 * ({@value RefusedToken#PARAMETER}): the vault replaces it if it is still the connection's, within limits.
 * Errors are RFC 6749/8693 codes;
 * a connection that needs the user again says so ({@code conduit_error}) with where to send the user
 * ({@code connect_uri}).
 */
final class UpstreamTokenExchangeProvider implements TokenExchangeProvider {

    static final String ORGANIZATION_PARAMETER = "organization";
    /** The event error of an exchange on a server without {@code conduit-token-vault.jar}; no Keycloak error names it. */
    static final String VAULT_NOT_INSTALLED = "vault_not_installed";

    private final ClientIdMisses clientIdMisses;
    /**
     * The context {@link #supports} read, its request and the identity providers looked up for it: Keycloak asks
     * supports() and then exchange() of the same provider instance (one per request), so the form is read and each
     * alias looked up once per request.
     */
    private TokenExchangeContext readFor;
    private UpstreamTokenRequest read;
    private final Map<String, Optional<IdentityProviderModel>> providers = new HashMap<>();

    UpstreamTokenExchangeProvider(ClientIdMisses clientIdMisses) {
        this.clientIdMisses = clientIdMisses;
    }

    @Override
    public boolean supports(TokenExchangeContext context) {
        return request(context) != null;
    }

    private UpstreamTokenRequest request(TokenExchangeContext context) {
        if (readFor == context) {
            return read;
        }
        providers.clear();
        readFor = context;
        read = null;
        var form = context.getFormParams();
        if (context.getParams().getSubjectToken() != null) {
            RealmModel realm = context.getRealm();
            KeycloakSession session = context.getSession();
            read = UpstreamTokenRequest.read(form.getFirst("requested_issuer"), context.getParams().getAudience(),
                    context.getParams().getResource(), context.getParams().getRequestedTokenType(),
                    form.getFirst(ORGANIZATION_PARAMETER), alias -> isConduitBroker(session, alias)
                            && ClientIdLookup.noClient(session, realm, alias, clientIdMisses)).orElse(null);
        }
        return read;
    }

    private boolean isConduitBroker(KeycloakSession session, String alias) {
        return ConduitBrokers.of(session, identityProvider(session, alias)).isPresent();
    }

    /** The realm's identity provider of that alias, or null; looked up once per request and alias. */
    private IdentityProviderModel identityProvider(KeycloakSession session, String alias) {
        return providers.computeIfAbsent(alias, a -> Optional.ofNullable(session.identityProviders().getByAlias(a))).orElse(null);
    }

    @Override
    public Response exchange(TokenExchangeContext context) {
        EventBuilder event = context.getEvent();
        UpstreamTokenRequest request = request(context);
        event.detail("conduit_exchange", "upstream_token").detail(Details.IDENTITY_PROVIDER, request.alias());
        try {
            return cors(context, exchange(context, request, event));
        } catch (ExchangeRefusal refusal) {
            return refusal.toResponse(context.getCors(), event);
        }
    }

    private Response exchange(TokenExchangeContext context, UpstreamTokenRequest request, EventBuilder event) {
        RefusedToken refused;
        try {
            refused = UpstreamTokenRequest.refusedToken(context.getFormParams().get(RefusedToken.PARAMETER));
        } catch (IllegalArgumentException e) {
            throw new ExchangeRefusal(400, "invalid_request", e.getMessage(), Errors.INVALID_REQUEST);
        }
        boolean realmOwned;
        try {
            realmOwned = RealmConnectionRequest.asksForRealm(context.getFormParams().get(RealmConnectionRequest.PARAMETER),
                    context.getFormParams().get(ORGANIZATION_PARAMETER));
        } catch (IllegalArgumentException e) {
            throw new ExchangeRefusal(400, "invalid_request", e.getMessage(), Errors.INVALID_REQUEST);
        }
        if (refused != null) {
            event.detail("conduit_refused_token", "reported");
        }
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        ClientModel client = context.getClient();
        boolean legacy = LegacyExchange.isLegacyForm(context.getFormParams().getFirst("requested_issuer"));
        ExchangeChecks.Subject subject = ExchangeChecks.subject(context,
                LegacyExchange.subjectTokenType(context.getParams().getSubjectTokenType(), legacy));
        AccessToken token = subject.token();
        event.user(subject.user()).detail(Details.SUBJECT_TOKEN_CLIENT_ID, token.getIssuedFor());
        ConnectionBinding binding = ConnectionBinding.of(token);
        if (realmOwned) {
            event.detail(RealmConnectionRequest.PARAMETER, RealmConnectionRequest.REALM);
            ExchangeChecks.realmConnection(client, subject.user(), token, binding);
        }
        if (binding != null && !binding.provider().equals(request.alias())) {
            throw new ExchangeRefusal(400, "invalid_target", "The subject token is bound to another connection", Errors.NOT_ALLOWED);
        }
        IdentityProviderModel provider = ExchangeChecks.provider(session, client, request.alias(),
                identityProvider(session, request.alias()));
        ConduitBroker broker = ExchangeChecks.broker(session, provider);
        ScopeLookup scopes = new ScopeLookup(realm, client);
        Set<String> neededScopes = neededUpstreamScopes(scopes, provider, broker.vocabulary(),
                context.getFormParams().getFirst("scope"),
                binding == null ? null : ExchangeChecks.heldPermissions(token, scopes::attributes));

        ConnectionKey key = realmOwned ? ConnectionKey.realm(realm.getId(), provider.getAlias())
                : ConnectionKey.user(realm.getId(), subject.user().getId(), provider.getAlias());
        String organizationReference = request.organization();
        if (binding != null && binding.organizationId() != null) {
            organizationReference = organizationReference == null ? binding.organizationId() : organizationReference;
        }
        if (organizationReference != null) {
            OrganizationModel organization = ExchangeChecks.organization(session, realm, client, subject.user(), organizationReference);
            if (binding != null && !organization.getId().equals(binding.organizationId())) {
                throw new ExchangeRefusal(400, "invalid_target", "The subject token is bound to another connection",
                        Errors.NOT_ALLOWED);
            }
            key = ConnectionKey.organization(realm.getId(), organization.getId(), provider.getAlias());
            event.detail("organization_id", organization.getId());
        } else if (binding != null && binding.organizationId() != null) {
            throw new ExchangeRefusal(400, "invalid_target", "The subject token is bound to another connection", Errors.NOT_ALLOWED);
        }
        ConduitVault vault = session.getProvider(ConduitVault.class);
        if (vault == null) {
            // conduit-token-vault.jar is not installed: nothing keeps connections, so there is no token to serve. The
            // request is not at fault: the app retries later (once an admin installs the jar), the event says why
            throw new ExchangeRefusal(503, "temporarily_unavailable", "The token vault is not installed on this server",
                    VAULT_NOT_INSTALLED);
        }
        boolean shared = realmOwned || organizationReference != null;
        NamedSubject named = NamedSubject.read(context.getFormParams().get(NamedSubject.PARAMETER), legacy,
                shared, client.getId(), client.getClientId(),
                subject.user().getServiceAccountClientLink());
        FreshToken fresh;
        try {
            if (named != null) {
                // a service account's job acting as a user an admin allowed it to name (Google's delegation)
                fresh = vault.accessToken(key, refused, named.subject(), named.namedBy());
            } else {
                // a per-user server connection acts as the exchanging user: their e-mail, when verified
                UserModel acting = subject.user();
                fresh = vault.accessToken(key, refused, acting.isEmailVerified() ? acting.getEmail() : null);
            }
        } catch (ConnectionUnavailableException e) {
            if (legacy && !shared) {
                throw legacyUnavailable(context, provider.getAlias(), token, e);
            }
            throw unavailable(context, provider.getAlias(), request.organization(), token.getIssuedFor(), !realmOwned, e);
        }
        Set<String> missing = PermissionCheck.missing(neededScopes, fresh.scopes());
        if (!missing.isEmpty()) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("conduit_error", "insufficient_scope");
            extra.put("missing_scopes", String.join(" ", missing));
            if (!realmOwned) {
                // the realm's connection is an admin's: no consent a user could give widens it
                extra.put("connect_uri", connectUri(context, provider.getAlias(), request.organization(), token.getIssuedFor(), missing));
            }
            throw new ExchangeRefusal(400, "invalid_scope", "The " + provider.getAlias() + " connection was not granted: "
                    + String.join(" ", missing), Errors.NOT_ALLOWED, extra);
        }
        event.detail("connection_id", fresh.connectionId()).success();
        return Response.ok(body(fresh, neededScopes, broker.organizationIdName()), MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static Response cors(TokenExchangeContext context, Response response) {
        return context.getCors().add(Response.fromResponse(response));
    }

    /**
     * The provider scopes behind the permissions in {@code scope}; with no {@code scope}, behind the client's default
     * permissions for this provider, or, for a token bound to this connection, behind the permissions it holds.
     * Never empty: a request that ends up with no permission is an {@code invalid_scope} (permissions are never
     * opt-in, so no permission never means the whole grant).
     *
     * @param held the permissions a bound subject token holds, null for an ordinary token (no ceiling)
     */
    private static Set<String> neededUpstreamScopes(ScopeLookup scopes, IdentityProviderModel provider,
            Vocabulary upstream, String scope, Set<String> held) {
        Set<String> permissions;
        try {
            permissions = PermissionCheck.parse(scope);
        } catch (IllegalArgumentException e) {
            throw new ExchangeRefusal(400, "invalid_scope", e.getMessage(), Errors.INVALID_REQUEST);
        }
        if (held != null) {
            if (permissions.isEmpty()) {
                permissions = held;
            } else if (!held.containsAll(permissions)) {
                Set<String> beyond = new LinkedHashSet<>(permissions);
                beyond.removeAll(held);
                throw new ExchangeRefusal(400, "invalid_scope", "Beyond what the subject token holds: " + String.join(" ", beyond),
                        Errors.NOT_ALLOWED);
            }
        } else if (permissions.isEmpty()) {
            permissions = PermissionCheck.defaults(upstream, scopes.defaultNames(), scopes::attributes);
        }
        if (permissions.isEmpty()) {
            throw new ExchangeRefusal(400, "invalid_scope", "No permission for " + provider.getAlias()
                    + ": name one in scope, or give the client a default one", Errors.NOT_ALLOWED);
        }
        var outcome = PermissionCheck.resolve(upstream, permissions, scopes.clientScopeNames(), scopes::attributes);
        if (!outcome.refused().isEmpty()) {
            throw new ExchangeRefusal(400, "invalid_scope", "Permissions not available to this client for " + provider.getAlias()
                    + ": " + String.join(" ", outcome.refused()), Errors.NOT_ALLOWED);
        }
        return outcome.upstreamScopes();
    }

    /** The answer; its {@code scope} names the provider scopes the served permissions map, all within the grant. */
    private static Map<String, Object> body(FreshToken fresh, Set<String> servedScopes, String organizationIdName) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", fresh.accessToken());
        body.put("issued_token_type", ExchangeChecks.ACCESS_TOKEN_TYPE);
        body.put("token_type", "Bearer");
        body.put("expires_in", Math.max(0, fresh.expiresAt() - Time.currentTime()));
        body.put("scope", String.join(" ", servedScopes));
        body.put("identity_provider", fresh.alias());
        if (fresh.instanceUrl() != null) {
            body.put("instance_url", fresh.instanceUrl());
        }
        if (fresh.accountId() != null) {
            body.put("account_id", fresh.accountId());
        }
        if (fresh.organizationId() != null) {
            body.put(organizationIdName, fresh.organizationId());
        }
        return body;
    }

    /** @param offerConsent false for the realm's own connection: an admin's, which no user's consent makes */
    private static ExchangeRefusal unavailable(TokenExchangeContext context, String alias, String organization,
            String appClientId, boolean offerConsent, ConnectionUnavailableException e) {
        if (ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE.equals(e.code())) {
            return new ExchangeRefusal(503, "temporarily_unavailable", e.getMessage(), Errors.IDENTITY_PROVIDER_ERROR);
        }
        if (ConnectionUnavailableException.SUBJECT_NOT_ALLOWED.equals(e.code())) {
            // the request named a subject this connection does not let this client name: no consent would change it
            return new ExchangeRefusal(400, "invalid_request", e.getMessage(), Errors.NOT_ALLOWED,
                    Map.of("conduit_error", e.code()));
        }
        if (ConnectionUnavailableException.ACTION_REQUIRED.equals(e.code())) {
            // a server connection's administrator must act at the provider or in Conduit: no consent to offer
            return new ExchangeRefusal(400, "invalid_target", e.getMessage(), Errors.NOT_ALLOWED,
                    Map.of("conduit_error", e.code()));
        }
        if (!offerConsent) {
            return new ExchangeRefusal(400, "invalid_target", e.getMessage(), Errors.NOT_ALLOWED, Map.of("conduit_error", e.code()));
        }
        return new ExchangeRefusal(400, "invalid_target", e.getMessage(), Errors.NOT_ALLOWED, Map.of(
                "conduit_error", e.code(),
                "connect_uri", connectUri(context, alias, organization, appClientId, Set.of())));
    }

    /**
     * V1's answer on the legacy form for the user's own connection: {@code not_linked} or {@code token_expired} with
     * Keycloak's account-link URL for the requesting client (no link when the subject token names no session, as the
     * link is checked against it); an outage stays a 503.
     */
    private static ExchangeRefusal legacyUnavailable(TokenExchangeContext context, String alias, AccessToken token,
            ConnectionUnavailableException e) {
        String[] v1 = LegacyExchange.error(e.code()).orElse(null);
        if (v1 == null) {
            return unavailable(context, alias, null, token.getIssuedFor(), true, e);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("conduit_error", e.code());
        if (token.getSessionId() != null) {
            extra.put(LegacyExchange.ACCOUNT_LINK_URL, LegacyExchange.accountLinkUrl(
                    context.getSession().getContext().getUri().getBaseUri(), context.getRealm().getName(), alias,
                    context.getClient().getClientId(), token.getSessionId(), UUID.randomUUID().toString()));
        }
        return new ExchangeRefusal(400, v1[0], v1[1], Errors.NOT_ALLOWED, extra);
    }

    /**
     * Keycloak's account-linking request for this provider, for the app to complete with its redirect_uri, state
     * and PKCE: the user (or org admin) consents again, asking for {@code extraScopes} on top of the usual ones.
     */
    private static String connectUri(TokenExchangeContext context, String alias, String organization, String appClientId,
            Set<String> extraScopes) {
        UriBuilder connect = UriBuilder.fromUri(context.getSession().getContext().getUri().getBaseUri())
                .path("realms").path(context.getRealm().getName()).path("protocol/openid-connect/auth")
                .queryParam("client_id", appClientId)
                .queryParam("response_type", "code")
                .queryParam("scope", "openid")
                .queryParam("kc_action", "idp_link:" + alias);
        if (organization != null) {
            connect.queryParam("conduit_organization", organization);
        }
        if (!extraScopes.isEmpty()) {
            connect.queryParam("conduit_scope", String.join(" ", extraScopes));
        }
        return connect.build().toString() + "&redirect_uri={your callback}&state={state}";
    }

    @Override
    public void close() {
    }
}
