package dev.conduit.broker.support;

import java.util.Objects;

import dev.conduit.api.support.UntrustedText;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Mix-up defence (RFC 9700 section 4.4): a browser transaction remembers which identity provider it was
 * started with, and a callback is only accepted by that provider. Where the provider names itself in the
 * authorization response ({@code iss}, RFC 9207), the name must be the configured issuer.
 */
public final class TransactionBinding {

    static final String STARTED_WITH_NOTE = "conduit.broker.started-with";

    private TransactionBinding() {
    }

    public static void bind(AuthenticationSessionModel authSession, String providerAlias) {
        authSession.setClientNote(STARTED_WITH_NOTE, providerAlias);
    }

    /**
     * @return null when the callback may proceed, otherwise the reason for refusing it (no secret in it; untrusted
     *         parts escaped and bounded by {@link UntrustedText})
     */
    public static String refusal(String startedWith, String callbackAlias, String issParameter, String expectedIssuer) {
        if (startedWith == null) {
            return "transaction was not started through a Conduit broker";
        }
        if (!startedWith.equals(callbackAlias)) {
            return "transaction was started with identity provider '" + startedWith
                    + "' but the callback came to '" + callbackAlias + "'";
        }
        if (issParameter != null && expectedIssuer != null && !Objects.equals(issParameter, expectedIssuer)) {
            // the iss parameter is the unauthenticated caller's text: escaped and bounded before a log line or event
            return "authorization response names issuer '" + UntrustedText.forLog(issParameter) + "', expected '"
                    + UntrustedText.forLog(expectedIssuer) + "'";
        }
        return null;
    }

    public static String startedWith(AuthenticationSessionModel authSession) {
        return authSession == null ? null : authSession.getClientNote(STARTED_WITH_NOTE);
    }
}
