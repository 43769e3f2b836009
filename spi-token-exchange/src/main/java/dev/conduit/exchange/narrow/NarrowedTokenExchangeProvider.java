package dev.conduit.exchange.narrow;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

import dev.conduit.exchange.support.ConnectionBinding;
import dev.conduit.exchange.support.ExchangeChecks;
import dev.conduit.exchange.support.ExchangeRefusal;
import dev.conduit.exchange.upstream.PermissionCheck;
import dev.conduit.api.vault.RefusedToken;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCAdvancedConfigWrapper;
import org.keycloak.protocol.oidc.TokenExchangeContext;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.protocol.oidc.tokenexchange.StandardTokenExchangeProvider;
import org.keycloak.representations.AccessToken;

/**
 * An internal token narrowed to least privilege, on top of Keycloak's standard token exchange: a request with
 * {@code conduit_connection=<alias>} (or any exchange of a token already bound to a connection) gets a token
 * for the requested internal {@code audience} whose Conduit permissions are only those requested that are
 * also among the client's client scopes and held by the subject token, marked with the connection it may use.
 * A token already bound stays bound: the same connection, no permission it did not hold (attenuation along a
 * chain). Keycloak's standard exchange issues the token; this class narrows its scopes and binds it.
 */
final class NarrowedTokenExchangeProvider implements TokenExchangeProvider {

    static final String CONNECTION_PARAMETER = "conduit_connection";
    static final String ORGANIZATION_PARAMETER = "organization";
    private static final String REQUESTED_ISSUER = "requested_issuer";
    private static final String REQUESTED_SUBJECT = "requested_subject";
    private static final String SUBJECT_ISSUER = "subject_issuer";
    private static final String ACTOR_TOKEN = "actor_token";
    private static final String REFUSED_TOKEN = RefusedToken.PARAMETER;

    /**
     * Takes every exchange that asks for a narrowed token ({@code conduit_connection}) and every exchange whose
     * subject token is bound to a connection or cannot be read, in whatever form (any requested or subject token
     * type, {@code requested_issuer}, impersonation): of Keycloak's exchange paths, only this one may issue a
     * token from a bound subject, and it issues only a narrowed, bound access token. Conduit's upstream-token
     * exchange (order 100) has already taken the requests for a Conduit connection's upstream token.
     * Keycloak's external-to-internal exchange ({@code subject_issuer}) keeps unreadable (opaque, foreign)
     * tokens; a bound token is refused there too.
     */
    @Override
    public boolean supports(TokenExchangeContext context) {
        String subjectToken = context.getParams().getSubjectToken();
        if (subjectToken == null) {
            return false;
        }
        if (context.getFormParams().containsKey(CONNECTION_PARAMETER)) {
            return true;
        }
        return switch (SubjectTokenBinding.read(subjectToken)) {
            case BOUND -> true;
            case UNREADABLE -> context.getFormParams().getFirst(SUBJECT_ISSUER) == null;
            case FREE -> false;
        };
    }

    @Override
    public Response exchange(TokenExchangeContext context) {
        EventBuilder event = context.getEvent();
        event.detail("conduit_exchange", "narrowed_token");
        try {
            refuseOtherForms(context);
            narrow(context, event);
        } catch (ExchangeRefusal refusal) {
            return refusal.toResponse(context.getCors(), event);
        }
        return new StandardTokenExchangeProvider().exchange(context);
    }

    /**
     * A narrowed token is an access token for an internal audience, issued by Keycloak's standard exchange for the
     * subject itself: no refresh or ID token (a refresh token would be refreshed into an unbound token, since the
     * binding is written only during this exchange), no upstream token of a non-Conduit provider, no impersonation,
     * no external subject, one value per Conduit parameter, no refused upstream token to replace.
     */
    private static void refuseOtherForms(TokenExchangeContext context) {
        var form = context.getFormParams();
        String requestedType = context.getParams().getRequestedTokenType();
        if (requestedType != null && !ExchangeChecks.ACCESS_TOKEN_TYPE.equals(requestedType)) {
            throw new ExchangeRefusal(400, "invalid_request", "A token narrowed to a connection is issued only as an access "
                    + "token (requested_token_type " + ExchangeChecks.ACCESS_TOKEN_TYPE + ")", Errors.INVALID_REQUEST);
        }
        if (form.getFirst(REQUESTED_ISSUER) != null) {
            throw new ExchangeRefusal(400, "invalid_target", "The subject token is bound to a connection, or asks for one: "
                    + "no other provider's token is issued for it", Errors.NOT_ALLOWED);
        }
        if (form.containsKey(REFUSED_TOKEN)) {
            throw new ExchangeRefusal(400, "invalid_request", REFUSED_TOKEN + " names an upstream token; a token narrowed"
                    + " to a connection is an internal token, with no upstream token to replace", Errors.INVALID_REQUEST);
        }
        for (String name : new String[] {REQUESTED_SUBJECT, SUBJECT_ISSUER, ACTOR_TOKEN}) {
            if (form.getFirst(name) != null) {
                throw new ExchangeRefusal(400, "invalid_request", name + " is not supported for a token bound to a connection",
                        Errors.INVALID_REQUEST);
            }
        }
        for (String name : new String[] {CONNECTION_PARAMETER, ORGANIZATION_PARAMETER}) {
            if (form.containsKey(name) && form.get(name).size() != 1) {
                throw new ExchangeRefusal(400, "invalid_request", "duplicated parameter " + name, Errors.INVALID_REQUEST);
            }
        }
        if (form.containsKey(CONNECTION_PARAMETER) && (form.getFirst(CONNECTION_PARAMETER) == null
                || form.getFirst(CONNECTION_PARAMETER).isBlank())) {
            throw new ExchangeRefusal(400, "invalid_request", CONNECTION_PARAMETER + " must name a connection", Errors.INVALID_REQUEST);
        }
    }

    /** Checks the request and prepares Keycloak's standard exchange to issue the narrowed, bound token. */
    private static void narrow(TokenExchangeContext context, EventBuilder event) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        ClientModel client = context.getClient();
        if (!OIDCAdvancedConfigWrapper.fromClientModel(client).isStandardTokenExchangeEnabled()) {
            throw new ExchangeRefusal(400, "unauthorized_client", "Standard token exchange is not enabled for this client",
                    Errors.NOT_ALLOWED);
        }
        if (!hasClaimMapper(client)) {
            throw new ExchangeRefusal(400, "unauthorized_client", "The client lacks the " + ConnectionClaimMapper.PROVIDER_ID
                    + " mapper that binds narrowed tokens", Errors.NOT_ALLOWED);
        }
        ExchangeChecks.Subject subject = ExchangeChecks.subject(context);
        AccessToken token = subject.token();
        event.user(subject.user()).detail(Details.SUBJECT_TOKEN_CLIENT_ID, token.getIssuedFor());
        ConnectionBinding bound = ConnectionBinding.of(token);
        String alias = context.getFormParams().getFirst(CONNECTION_PARAMETER);
        if (alias == null && bound != null) {
            alias = bound.provider();
        }
        if (bound != null && !bound.provider().equals(alias)) {
            throw new ExchangeRefusal(400, "invalid_target", "The subject token is bound to another connection", Errors.NOT_ALLOWED);
        }
        IdentityProviderModel provider = ExchangeChecks.provider(session, client, alias);
        String organizationId = organization(context, subject, bound);
        Set<String> permissions = permissions(session, realm, client, provider, context.getFormParams().getFirst("scope"), token,
                bound != null);

        Set<String> restricted = new LinkedHashSet<>(permissions);
        client.getClientScopes(true).values().stream().map(ClientScopeModel::getName)
                .filter(name -> !PermissionCheck.isPermission(name, ExchangeChecks.scopeAttributes(realm, name))).forEach(restricted::add);
        // the client itself counts as a scope, under its display name (which may be null): keep its own mappers
        restricted.add(client.getName());
        context.setRestrictedScopes(restricted);
        context.getFormParams().putSingle("scope", String.join(" ", permissions));
        session.setAttribute(ConnectionClaimMapper.SESSION_ATTRIBUTE, new ConnectionBinding(provider.getAlias(), organizationId));
        event.detail(Details.IDENTITY_PROVIDER, provider.getAlias()).detail("conduit_permissions", String.join(" ", permissions));
    }

    private static String organization(TokenExchangeContext context, ExchangeChecks.Subject subject, ConnectionBinding bound) {
        String reference = context.getFormParams().getFirst(ORGANIZATION_PARAMETER);
        if (reference == null && bound != null) {
            reference = bound.organizationId();
        }
        if (reference == null) {
            return null;
        }
        String id = ExchangeChecks.organization(context.getSession(), context.getRealm(), context.getClient(), subject.user(),
                reference).getId();
        if (bound != null && !id.equals(bound.organizationId())) {
            throw new ExchangeRefusal(400, "invalid_target", "The subject token is bound to another connection", Errors.NOT_ALLOWED);
        }
        return id;
    }

    /**
     * The requested permissions, each allowed for the client, expressible at the provider and held by the subject.
     * Without {@code scope}: for a subject already bound, the permissions it holds that this client may use; else the
     * client's default Conduit permissions for the provider, checked as if requested. None at all is
     * {@code invalid_scope}: permissions are never opt-in.
     */
    private static Set<String> permissions(KeycloakSession session, RealmModel realm, ClientModel client, IdentityProviderModel provider, String scope,
            AccessToken subject, boolean subjectBound) {
        Set<String> requested;
        try {
            requested = PermissionCheck.parse(scope);
        } catch (IllegalArgumentException e) {
            throw new ExchangeRefusal(400, "invalid_scope", e.getMessage(), Errors.INVALID_REQUEST);
        }
        Set<String> held = subject.getScope() == null ? Set.of() : new HashSet<>(Arrays.asList(subject.getScope().trim().split("\\s+")));
        var upstream = ExchangeChecks.upstreamProvider(session, provider);
        if (requested.isEmpty()) {
            if (subjectBound) {
                Set<String> usable = ExchangeChecks.clientScopeNames(client);
                ExchangeChecks.heldPermissions(realm, subject).stream().filter(usable::contains)
                        .filter(name -> PermissionCheck.resolve(upstream, Set.of(name), usable,
                                n -> ExchangeChecks.scopeAttributes(realm, n)).refused().isEmpty())
                        .sorted().forEach(requested::add);
            } else {
                requested.addAll(PermissionCheck.defaults(upstream, client.getClientScopes(true).keySet(),
                        name -> ExchangeChecks.scopeAttributes(realm, name)));
            }
            if (requested.isEmpty()) {
                throw new ExchangeRefusal(400, "invalid_scope", "No scope requested and no Conduit permission for "
                        + provider.getAlias() + " to default to", Errors.INVALID_REQUEST);
            }
        }
        Set<String> refused = new LinkedHashSet<>();
        for (String permission : requested) {
            if (!PermissionCheck.isPermission(permission, ExchangeChecks.scopeAttributes(realm, permission)) || !held.contains(permission)) {
                refused.add(permission);
            }
        }
        refused.addAll(PermissionCheck.resolve(upstream, requested, ExchangeChecks.clientScopeNames(client),
                name -> ExchangeChecks.scopeAttributes(realm, name)).refused());
        if (!refused.isEmpty()) {
            throw new ExchangeRefusal(400, "invalid_scope", "Not allowed for this client, not held by the subject token or not "
                    + "available at " + provider.getAlias() + ": " + String.join(" ", refused), Errors.INVALID_REQUEST);
        }
        return requested;
    }

    private static boolean hasClaimMapper(ClientModel client) {
        return client.getProtocolMappersStream().anyMatch(m -> ConnectionClaimMapper.PROVIDER_ID.equals(m.getProtocolMapper()))
                || client.getClientScopes(true).values().stream().flatMap(ClientScopeModel::getProtocolMappersStream)
                        .anyMatch(m -> ConnectionClaimMapper.PROVIDER_ID.equals(m.getProtocolMapper()));
    }

    @Override
    public void close() {
    }
}
