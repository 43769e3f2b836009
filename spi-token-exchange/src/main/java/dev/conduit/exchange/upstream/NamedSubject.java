package dev.conduit.exchange.upstream;

import java.util.List;

import dev.conduit.exchange.support.ExchangeRefusal;
import org.keycloak.events.Errors;

/**
 * The user a service account's job acts as at the provider, named with {@code requested_subject} (Keycloak's name for
 * it; issue 15): only the requesting client's own service account may name one, only for a shared connection (an
 * organization's, {@code organization=}, or the realm's, {@code connection_owner=realm}), never in Keycloak's legacy form. Whether this connection lets this client name a subject,
 * and whether the subject is one it may act as, the vault decides from the connection ({@code subject_not_allowed}).
 * A person always acts as themselves: a person's exchange that names a subject is refused, never served as them.
 */
record NamedSubject(String subject, String namedBy) {

    static final String PARAMETER = "requested_subject";
    /** An e-mail address is at most 254 characters (RFC 5321's path limit less the brackets). */
    static final int MAX_CHARS = 254;

    /**
     * The named subject, or null when the request names none.
     *
     * @param client the requesting client's internal id and client id
     * @param callerServiceAccountOf the client whose service account the subject token's user is (its internal id),
     *        null for a person
     */
    static NamedSubject read(List<String> values, boolean legacy, boolean forSharedConnection, String clientInternalId,
            String clientId, String callerServiceAccountOf) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() != 1) {
            throw refusal("duplicated parameter " + PARAMETER);
        }
        String value = values.get(0) == null ? "" : values.get(0).strip();
        if (value.isEmpty() || value.length() > MAX_CHARS || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw refusal(PARAMETER + " must be the e-mail address of the user to act as");
        }
        if (legacy) {
            throw refusal(PARAMETER + " (impersonation) is not supported with requested_issuer");
        }
        if (callerServiceAccountOf == null || !callerServiceAccountOf.equals(clientInternalId)) {
            throw refusal(PARAMETER + " is for a client's own service account; a person acts as themselves");
        }
        if (!forSharedConnection) {
            throw refusal(PARAMETER + " names a user to act as for a shared connection: add organization= or"
                    + " connection_owner=realm");
        }
        return new NamedSubject(value, clientId);
    }

    private static ExchangeRefusal refusal(String description) {
        return new ExchangeRefusal(400, "invalid_request", description, Errors.INVALID_REQUEST);
    }
}
