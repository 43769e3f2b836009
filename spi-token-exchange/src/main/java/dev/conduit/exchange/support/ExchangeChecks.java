package dev.conduit.exchange.support;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.conduit.api.grant.ConduitBroker;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.permission.Vocabulary;
import dev.conduit.exchange.upstream.PermissionCheck;
import dev.conduit.exchange.upstream.RealmConnectionRequest;
import dev.conduit.exchange.upstream.UpstreamTokenRequest;
import org.keycloak.common.Profile;
import org.keycloak.common.VerificationException;
import org.keycloak.events.Errors;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.organization.OrganizationProvider;
import org.keycloak.protocol.oidc.TokenExchangeContext;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.dpop.DPoP;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.util.DPoPUtil;
import org.keycloak.services.util.MtlsHoKTokenUtil;

/**
 * The checks every Conduit exchange makes, in one place. Each throws an {@link ExchangeRefusal} with the
 * RFC 6749/8693 error the app gets; Keycloak's token-exchange grant has authenticated the client already.
 */
public final class ExchangeChecks {

    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    /** Client attribute: provider aliases the client may obtain tokens for (space or comma separated, or *). */
    public static final String CLIENT_PROVIDERS = "conduit.exchange.providers";
    /** Client attribute: organizations (alias or id, or *) whose connections the client's service account may use. */
    public static final String CLIENT_ORGANIZATIONS = "conduit.exchange.organizations";

    /** The verified subject: its user and token. */
    public record Subject(UserModel user, AccessToken token) {
    }

    private ExchangeChecks() {
    }

    /**
     * Confidential client; an access token as subject, with valid signature, expiry, issuer (this realm) and an
     * active session; the requesting client is its azp or in its aud.
     */
    public static Subject subject(TokenExchangeContext context) {
        return subject(context, context.getParams().getSubjectTokenType());
    }

    /** {@link #subject(TokenExchangeContext)} with the subject token type as the exchange reads it (legacy default). */
    public static Subject subject(TokenExchangeContext context, String subjectTokenType) {
        ClientModel client = context.getClient();
        if (client.isPublicClient()) {
            throw new ExchangeRefusal(400, "unauthorized_client", "Public clients may not exchange tokens", Errors.INVALID_CLIENT);
        }
        if (!ACCESS_TOKEN_TYPE.equals(subjectTokenType)) {
            throw new ExchangeRefusal(400, "invalid_request", "subject_token_type must be an access token", Errors.INVALID_REQUEST);
        }
        KeycloakSession session = context.getSession();
        AuthenticationManager.AuthResult result = AuthenticationManager.verifyIdentityToken(session, context.getRealm(),
                session.getContext().getUri(), context.getClientConnection(), true, true, null, false,
                context.getParams().getSubjectToken(), context.getHeaders(), verifier -> { });
        if (result == null) {
            throw new ExchangeRefusal(400, "invalid_request", "subject_token is invalid, expired or its session ended",
                    Errors.INVALID_TOKEN);
        }
        AccessToken token = result.token();
        if (!client.getClientId().equals(token.getIssuedFor()) && !token.hasAudience(client.getClientId())) {
            throw new ExchangeRefusal(400, "invalid_request", "The client is neither the subject token's azp nor in its aud",
                    Errors.NOT_ALLOWED);
        }
        requireProofOfPossession(context, token);
        return new Subject(result.user(), token);
    }

    /**
     * A sender-constrained subject token (RFC 7800 {@code cnf}: DPoP key or client certificate) is taken only on the
     * terms of Keycloak's standard exchange: the requester is its azp and proves possession (a DPoP proof of the
     * bound key in this request, or the bound client certificate on this connection). Stricter than Keycloak in one
     * point: a DPoP-bound token is refused while the DPoP feature is off, as no proof can then be checked.
     */
    private static void requireProofOfPossession(TokenExchangeContext context, AccessToken token) {
        AccessToken.Confirmation cnf = token.getConfirmation();
        if (cnf == null) {
            return;
        }
        KeycloakSession session = context.getSession();
        if (!context.getClient().getClientId().equals(token.getIssuedFor())) {
            throw new ExchangeRefusal(400, "invalid_request", "A sender-constrained subject token is exchanged only by the "
                    + "client it was issued to", Errors.INVALID_REQUEST);
        }
        if (cnf.getCertThumbprint() != null
                && !MtlsHoKTokenUtil.verifyTokenBindingWithClientCertificate(token, session.getContext().getHttpRequest(), session)) {
            throw new ExchangeRefusal(400, "invalid_request", MtlsHoKTokenUtil.CERT_VERIFY_ERROR_DESC, Errors.INVALID_REQUEST);
        }
        if (cnf.getKeyThumbprint() != null) {
            DPoP proof = Profile.isFeatureEnabled(Profile.Feature.DPOP)
                    ? session.getAttribute(DPoPUtil.DPOP_SESSION_ATTRIBUTE, DPoP.class) : null;
            if (proof == null) {
                throw new ExchangeRefusal(400, "invalid_request", "DPoP proof is missing", Errors.INVALID_DPOP_PROOF);
            }
            try {
                DPoPUtil.validateBinding(token, proof);
            } catch (VerificationException e) {
                throw new ExchangeRefusal(400, "invalid_request", "The DPoP proof is not for the subject token's key",
                        Errors.INVALID_DPOP_PROOF);
            }
        }
    }

    /** The broker behind a provider {@link #provider} accepted. */
    public static ConduitBroker broker(KeycloakSession session, IdentityProviderModel provider) {
        return ConduitBrokers.of(session, provider).orElseThrow(() -> new ExchangeRefusal(400, "invalid_target",
                "No Conduit provider '" + printable(provider.getAlias()) + "' in this realm", Errors.UNKNOWN_IDENTITY_PROVIDER));
    }

    /** The provider as the permission vocabulary knows it. */
    public static Vocabulary upstreamProvider(KeycloakSession session, IdentityProviderModel provider) {
        return broker(session, provider).vocabulary();
    }

    /** An enabled Conduit broker of this realm that the client was allowed. */
    public static IdentityProviderModel provider(KeycloakSession session, ClientModel client, String alias) {
        return provider(session, client, alias, alias == null ? null : session.identityProviders().getByAlias(alias));
    }

    /** {@link #provider(KeycloakSession, ClientModel, String)} with the realm's identity provider of that alias looked up already (or null). */
    public static IdentityProviderModel provider(KeycloakSession session, ClientModel client, String alias,
            IdentityProviderModel provider) {
        if (provider == null || !provider.isEnabled() || ConduitBrokers.of(session, provider).isEmpty()) {
            throw new ExchangeRefusal(400, "invalid_target", "No Conduit provider '" + printable(alias) + "' in this realm",
                    Errors.UNKNOWN_IDENTITY_PROVIDER);
        }
        if (!UpstreamTokenRequest.clientMayUse(client.getAttribute(CLIENT_PROVIDERS), provider.getAlias())) {
            throw new ExchangeRefusal(400, "invalid_target", "This client may not obtain " + provider.getAlias() + " tokens",
                    Errors.NOT_ALLOWED);
        }
        return provider;
    }

    /**
     * The organization (alias or id) whose connection the subject may use: the user is a member, or the subject is
     * the requesting client's own service account and an administrator allowed that client the organization.
     */
    public static OrganizationModel organization(KeycloakSession session, RealmModel realm, ClientModel client,
            UserModel user, String reference) {
        OrganizationProvider organizations = session.getProvider(OrganizationProvider.class);
        OrganizationModel organization = null;
        if (organizations != null && realm.isOrganizationsEnabled()) {
            organization = organizations.getByAlias(reference);
            if (organization == null) {
                organization = organizations.getById(reference);
            }
        }
        boolean allowed = organization != null && (organizations.isMember(organization, user)
                || serviceAccountAllowed(client, user, organization));
        if (!allowed) {
            throw new ExchangeRefusal(400, "invalid_target", "No such organization among the subject's organizations",
                    Errors.NOT_ALLOWED);
        }
        if (!organization.isEnabled()) {
            throw new ExchangeRefusal(400, "invalid_target", "The organization is disabled", Errors.NOT_ALLOWED);
        }
        return organization;
    }

    private static boolean serviceAccountAllowed(ClientModel client, UserModel user, OrganizationModel organization) {
        if (!client.getId().equals(user.getServiceAccountClientLink())) {
            return false;
        }
        String allowed = client.getAttribute(CLIENT_ORGANIZATIONS);
        return UpstreamTokenRequest.clientMayUse(allowed, organization.getAlias())
                || UpstreamTokenRequest.clientMayUse(allowed, organization.getId());
    }

    /**
     * The realm's own connection ({@code connection_owner=realm}) is for the requesting client's own service account
     * in a token issued to it, when an administrator set {@value RealmConnectionRequest#CLIENT_ATTRIBUTE} to true; never
     * for a person, another client's service account, or a token bound to a connection. Refused as {@code invalid_target}.
     */
    public static void realmConnection(ClientModel client, UserModel user, AccessToken token, ConnectionBinding binding) {
        if (binding != null) {
            throw new ExchangeRefusal(400, "invalid_target", "The subject token is bound to another connection",
                    Errors.NOT_ALLOWED);
        }
        if (!RealmConnectionRequest.allowed(client.getId(), client.getClientId(),
                client.getAttribute(RealmConnectionRequest.CLIENT_ATTRIBUTE), user.getServiceAccountClientLink(),
                token.getIssuedFor())) {
            throw new ExchangeRefusal(400, "invalid_target", "The realm's connections are for the service account of a"
                    + " client an administrator allowed them", Errors.NOT_ALLOWED);
        }
    }

    /** The names of the client's client scopes, default and optional: the permissions it may ask for. */
    public static Set<String> clientScopeNames(ClientModel client) {
        Set<String> names = new HashSet<>(client.getClientScopes(true).keySet());
        names.addAll(client.getClientScopes(false).keySet());
        return names;
    }

    /** The Conduit permissions among a verified token's scopes. */
    public static Set<String> heldPermissions(RealmModel realm, AccessToken token) {
        return heldPermissions(token, name -> scopeAttributes(realm, name));
    }

    /** The same, with the realm's client scope attributes by name from {@code scopeAttributes} (a {@link ScopeLookup}). */
    public static Set<String> heldPermissions(AccessToken token, Function<String, Map<String, String>> scopeAttributes) {
        Set<String> held = new LinkedHashSet<>();
        String scope = token.getScope();
        if (scope != null) {
            for (String name : scope.trim().split("\\s+")) {
                if (!name.isEmpty() && PermissionCheck.isPermission(name, scopeAttributes.apply(name))) {
                    held.add(name);
                }
            }
        }
        return held;
    }

    /** The attributes of the realm's client scope of that name, or null when the realm has none. */
    public static Map<String, String> scopeAttributes(RealmModel realm, String name) {
        return realm.getClientScopesStream().filter(clientScope -> name.equals(clientScope.getName())).findFirst()
                .map(ClientScopeModel::getAttributes).orElse(null);
    }

    /** Echoes a caller's value only when it is short and plain, so an error never reflects hostile input. */
    public static String printable(String value) {
        return value != null && value.matches("[A-Za-z0-9._\\-]{1,64}") ? value : "(invalid)";
    }
}
