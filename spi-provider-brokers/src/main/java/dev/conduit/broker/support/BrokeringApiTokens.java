package dev.conduit.broker.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.conduit.api.support.UntrustedText;
import dev.conduit.api.vault.ConduitVault;
import dev.conduit.api.vault.ConnectionKey;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.api.vault.FreshToken;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.TokenVerifier;
import org.keycloak.common.VerificationException;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.AccessTokenResponse;

/**
 * Keycloak's Identity Brokering API V2 ({@code POST /realms/{realm}/broker/{alias}/token}, feature
 * {@code identity-brokering-api:v2}) answered from the Conduit vault. Keycloak 26.7.3's {@code IdentityBrokerService}
 * has already authenticated the confidential client, checked its {@code external.token.enabled} and
 * {@code external.token.idp}, verified the user's token (signature, expiry, active session, client in its audience),
 * found the user's link to this provider and run the client policies before it calls the broker's
 * {@code retrieveToken(session, identity, userSession, user)}, without looking at Store Tokens.
 * <p>
 * Conduit then checks, on top: the token's user session is present, active, of this realm and of this user; the link
 * is this user's, to this alias; the token is not one Conduit narrowed to a connection ({@value #BINDING_CLAIM}),
 * which would otherwise yield the connection's whole upstream token beyond the permissions it holds. It serves only the user's own personal connection (never an organization's), from
 * the vault: refreshed first when due, one upstream refresh however many callers (the vault's single flight). The
 * answer has Keycloak's V2 shape ({@code access_token}, {@code token_type}, {@code expires_in}, {@code scope},
 * {@code issued_token_type}) plus Salesforce's {@code instance_url}; never a refresh or id token. Refusals use
 * Keycloak's own: {@code not_linked} when the vault holds no connection, {@code token_expired} when it needs the user
 * again (Keycloak's answer to a stored token it cannot refresh), each 400 with {@code conduit_error} naming the
 * vault's reason; {@code temporarily_unavailable} (503) when no vault is installed or the provider is down.
 * Keycloak's endpoint turns an exception from here into 400 {@code invalid_request}: so this class answers every
 * outcome it knows with a response instead.
 * <p>
 * Keycloak records its {@code IDENTITY_PROVIDER_RETRIEVE_TOKEN} event as a success for any response the broker
 * returns, a refusal included (its own SAML and OIDC brokers' {@code token_expired} too). So each refusal here also
 * records Conduit's {@code IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR} ({@code conduit_action=brokering_api}) with the
 * user, the client the user's token was issued to, the alias and the refusal's code as its error: the event log and
 * Keycloak's logging listener show whose token was refused and why (a token narrowed to a connection is
 * {@value #BOUND_TOKEN_ERROR}).
 */
public final class BrokeringApiTokens {

    private static final Logger LOG = Logger.getLogger(BrokeringApiTokens.class);

    static final String NOT_LINKED = "not_linked";
    static final String TOKEN_EXPIRED = "token_expired";
    static final String INVALID_TOKEN = "invalid_token";
    static final String TEMPORARILY_UNAVAILABLE = ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE;
    static final String CONDUIT_ERROR = "conduit_error";
    /** The detail naming Conduit's action, as the vault's own events name theirs. */
    static final String ACTION_DETAIL = "conduit_action";
    /**
     * The detail naming the client the user's token was issued to ({@code azp}). Keycloak's context holds that client,
     * not the V2 caller, when it calls the broker; the caller is on Keycloak's own event of the request.
     */
    static final String TOKEN_CLIENT_DETAIL = "token_client_id";
    static final String INSTANCE_URL = "instance_url";
    static final String BOUND_TOKEN_ERROR = "bound_token";
    static final String VAULT_NOT_INSTALLED = "vault_not_installed";
    static final String EVENT_ACTION = "brokering_api";
    /**
     * The claim of a token narrowed to one connection and its permissions (spi-token-exchange's
     * {@code ConnectionBinding.CLAIM}). Such a token is exchanged (RFC 8693) within what it holds, never turned into
     * a connection's whole upstream token here.
     */
    static final String BINDING_CLAIM = "conduit_connection";
    static final String BOUND_REFUSAL = "A token narrowed to a Conduit connection cannot be used with the Identity"
            + " Brokering API: exchange it (RFC 8693) within the permissions it holds";

    private BrokeringApiTokens() {
    }

    /** The V2 answer for {@code alias}, Keycloak's checks having passed. */
    public static Response retrieve(KeycloakSession session, String alias, FederatedIdentityModel identity,
            UserSessionModel userSession, UserModel user) {
        RealmModel realm = session.getContext().getRealm();
        AccessToken token = parsed(session.getContext().getHttpRequest().getDecodedFormParameters().getFirst(OAuth2Constants.TOKEN));
        String tokenClient = token == null ? null : token.getIssuedFor();
        if (bound(token)) {
            LOG.debugf("Identity Brokering API for '%s' refused: the user's token is narrowed to a connection",
                    UntrustedText.forLog(alias));
            refusedEvent(session, realm, alias, user, tokenClient, BOUND_TOKEN_ERROR, "the user's token is narrowed to a connection");
            return error(400, INVALID_TOKEN, BOUND_REFUSAL, null);
        }
        String refusal = conduitRefusal(realm, alias, identity, userSession, user);
        if (refusal != null) {
            LOG.debugf("Identity Brokering API for '%s' refused: %s", UntrustedText.forLog(alias), refusal);
            refusedEvent(session, realm, alias, user, tokenClient, INVALID_TOKEN, refusal);
            return error(400, INVALID_TOKEN, "Invalid token", null);
        }
        ConduitVault vault = session.getProvider(ConduitVault.class);
        if (vault == null) {
            LOG.errorf("Identity Brokering API for '%s': no Conduit token vault is installed (conduit-token-vault.jar)",
                    UntrustedText.forLog(alias));
            refusedEvent(session, realm, alias, user, tokenClient, VAULT_NOT_INSTALLED, "no Conduit token vault is installed");
            return error(503, TEMPORARILY_UNAVAILABLE, "The token vault is not installed on this server", null);
        }
        try {
            FreshToken fresh = vault.accessToken(ConnectionKey.user(realm.getId(), user.getId(), alias), null);
            LOG.debugf("Identity Brokering API served connection %s to user %s", fresh.connectionId(), user.getId());
            return served(fresh, Time.currentTime());
        } catch (ConnectionUnavailableException e) {
            LOG.debugf("Identity Brokering API for '%s', user %s: %s", UntrustedText.forLog(alias), user.getId(), e.code());
            refusedEvent(session, realm, alias, user, tokenClient, e.code(), "the vault's answer");
            return unavailable(e);
        }
    }

    /**
     * Conduit's error event for a refusal Keycloak will record as a success. Only ids, codes and Conduit's own words:
     * no token, and the alias bounded as untrusted text.
     */
    private static void refusedEvent(KeycloakSession session, RealmModel realm, String alias, UserModel user,
            String tokenClient, String error, String reason) {
        EventBuilder event = new EventBuilder(realm, session, session.getContext().getConnection())
                .event(EventType.IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR)
                .detail(ACTION_DETAIL, EVENT_ACTION)
                .detail(Details.IDENTITY_PROVIDER, UntrustedText.forLog(alias))
                .detail(TOKEN_CLIENT_DETAIL, UntrustedText.forLog(tokenClient))
                .detail(Details.REASON, reason);
        if (user != null) {
            event.user(user);
        }
        event.error(error);
    }

    /**
     * Identity Brokering API V1 ({@code GET /realms/{realm}/broker/{alias}/token}) is not served. Keycloak reaches the
     * broker there only with Store Tokens on and a token in {@code FEDERATED_IDENTITY.TOKEN} (Conduit keeps both off
     * and empty), authenticates no client (any bearer with the {@code broker} client's {@code read-token} role), and
     * answers the stored response whole, refresh token included. Were an admin to turn Store Tokens on, this still
     * never hands out what Keycloak kept: apps use V2 (POST), served from the vault.
     */
    public static Response refuseV1(String alias) {
        LOG.debugf("Identity Brokering API V1 for '%s' refused: Conduit serves V2 only", UntrustedText.forLog(alias));
        return error(400, "invalid_request", "Identity Provider [" + alias + "] serves tokens only through the Identity"
                + " Brokering API V2 (POST)", null);
    }

    /**
     * Whether the user's token (the V2 request's {@code token} parameter, which Keycloak verified in this request) is
     * narrowed to a connection. Read with Keycloak's own parser; a token that cannot be read counts as bound (fail
     * closed), as does the claim with any value.
     */
    static boolean bound(String tokenString) {
        return bound(parsed(tokenString));
    }

    private static boolean bound(AccessToken token) {
        return token == null || token.getOtherClaims().containsKey(BINDING_CLAIM);
    }

    /** The user's token as Keycloak's parser reads it (Keycloak verified it in this request), or null. */
    private static AccessToken parsed(String tokenString) {
        if (tokenString == null) {
            return null;
        }
        try {
            return TokenVerifier.create(tokenString, AccessToken.class).getToken();
        } catch (VerificationException e) {
            return null;
        }
    }

    /** Why Conduit refuses what Keycloak let through, or null. Only ids, no token, in the reason. */
    static String conduitRefusal(RealmModel realm, String alias, FederatedIdentityModel identity,
            UserSessionModel userSession, UserModel user) {
        if (user == null || identity == null || !alias.equals(identity.getIdentityProvider())) {
            return "no link of this user to this provider";
        }
        if (userSession == null || userSession.getState() != UserSessionModel.State.LOGGED_IN) {
            return "the token's user session is not active (" + (userSession == null ? "none" : userSession.getState()) + ")";
        }
        if (userSession.getRealm() == null || !Objects.equals(userSession.getRealm().getId(), realm.getId())) {
            return "the token's user session is of another realm";
        }
        if (userSession.getUser() == null || !Objects.equals(userSession.getUser().getId(), user.getId())) {
            return "the token's user session is another user's";
        }
        return null;
    }

    /** Keycloak's V2 success shape (its {@code buildTokenResponse}), with the provider's instance URL beside it. */
    static Response served(FreshToken fresh, long now) {
        AccessTokenResponse body = new AccessTokenResponse();
        body.setToken(fresh.accessToken());
        body.setTokenType("Bearer");
        body.setExpiresIn(Math.max(0, fresh.expiresAt() - now));
        if (fresh.scopes() != null && !fresh.scopes().isEmpty()) {
            body.setScope(String.join(" ", fresh.scopes()));
        }
        body.getOtherClaims().put(OAuth2Constants.ISSUED_TOKEN_TYPE, OAuth2Constants.ACCESS_TOKEN_TYPE);
        if (fresh.instanceUrl() != null) {
            body.getOtherClaims().put(INSTANCE_URL, fresh.instanceUrl());
        }
        return Response.ok(body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** The vault's reason in Keycloak's words for the same state of a stored token. */
    static Response unavailable(ConnectionUnavailableException e) {
        return switch (e.code()) {
            case ConnectionUnavailableException.NOT_CONNECTED -> error(400, NOT_LINKED, "identity provider is not linked", e.code());
            case ConnectionUnavailableException.RECONNECT_REQUIRED -> error(400, TOKEN_EXPIRED, "linked token is expired", e.code());
            default -> error(503, TEMPORARILY_UNAVAILABLE, e.getMessage(), e.code());
        };
    }

    static Response error(int status, String error, String description, String conduitError) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        if (conduitError != null) {
            body.put(CONDUIT_ERROR, conduitError);
        }
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
