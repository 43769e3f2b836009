package dev.conduit.broker.support;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.ErrorPage;
import org.keycloak.services.messages.Messages;
import org.keycloak.sessions.AuthenticationSessionModel;

/** Runs {@link TransactionBinding} at a broker callback, before the authorization code is redeemed. */
public final class CallbackGuard {

    private static final Logger LOG = Logger.getLogger(CallbackGuard.class);

    private CallbackGuard() {
    }

    public static void check(KeycloakSession session, EventBuilder event, String callbackAlias, String expectedIssuer) {
        AuthenticationSessionModel authSession = session.getContext().getAuthenticationSession();
        String iss = session.getContext().getUri().getQueryParameters().getFirst("iss");
        String refusal = TransactionBinding.refusal(TransactionBinding.startedWith(authSession), callbackAlias, iss,
                expectedIssuer);
        if (refusal == null) {
            return;
        }
        LOG.warnf("Refused broker callback for identity provider '%s': %s", callbackAlias, refusal);
        event.event(EventType.IDENTITY_PROVIDER_LOGIN)
                .detail(Details.IDENTITY_PROVIDER, callbackAlias)
                .detail(Details.REASON, refusal)
                .error(Errors.IDENTITY_PROVIDER_LOGIN_FAILURE);
        throw new WebApplicationException(ErrorPage.error(session, authSession, Response.Status.BAD_REQUEST,
                Messages.IDENTITY_PROVIDER_UNEXPECTED_ERROR));
    }
}
