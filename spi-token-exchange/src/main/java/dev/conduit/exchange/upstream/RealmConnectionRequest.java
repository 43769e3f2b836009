package dev.conduit.exchange.upstream;

import java.util.List;

/**
 * The realm's own server connection (owner kind {@code REALM}, issue 15), asked for with
 * {@value #PARAMETER}{@code =}{@value #REALM}: reading the parameter, and who may use it. Only the requesting client's
 * own service account (a token issued to that client for its service account, by client credentials), and only when an
 * administrator set the client attribute {@value #CLIENT_ATTRIBUTE} to {@code true}. Plain logic, no Keycloak types.
 */
public final class RealmConnectionRequest {

    public static final String PARAMETER = "connection_owner";
    public static final String REALM = "realm";
    /** Client attribute: {@code true} lets the client's own service account use the realm's connections. */
    public static final String CLIENT_ATTRIBUTE = "conduit.exchange.realm-connections";

    private RealmConnectionRequest() {
    }

    /**
     * Whether the request asks for the realm's connection.
     *
     * @param values the form's {@value #PARAMETER} values (null or empty when absent)
     * @param organization the form's {@code organization} values (a blank one counts as absent, as everywhere)
     * @throws IllegalArgumentException for a value other than {@value #REALM}, a duplicated parameter, or one sent with
     *         {@code organization=} (the message never repeats the value)
     */
    public static boolean asksForRealm(List<String> values, List<String> organization) {
        if (values == null || values.isEmpty()) {
            return false;
        }
        if (values.size() != 1) {
            throw new IllegalArgumentException("duplicated parameter " + PARAMETER);
        }
        if (!REALM.equals(values.get(0))) {
            throw new IllegalArgumentException(PARAMETER + " must be " + REALM + " (or absent for the subject's own connection)");
        }
        if (organization != null && organization.stream().anyMatch(value -> value != null && !value.isBlank())) {
            throw new IllegalArgumentException(PARAMETER + "=" + REALM + " names the realm's connection: drop organization=");
        }
        return true;
    }

    /**
     * Whether the subject may use the realm's connection: it is the requesting client's own service account, in a token
     * issued to that client, and the client's {@value #CLIENT_ATTRIBUTE} is {@code true}.
     *
     * @param clientInternalId the requesting client's internal id
     * @param clientId the requesting client's client id
     * @param attribute the client's {@value #CLIENT_ATTRIBUTE} attribute, null when unset
     * @param serviceAccountOf the internal id of the client whose service account the subject is, null for a person
     * @param issuedFor the subject token's {@code azp}
     */
    public static boolean allowed(String clientInternalId, String clientId, String attribute, String serviceAccountOf,
            String issuedFor) {
        return serviceAccountOf != null && serviceAccountOf.equals(clientInternalId)
                && clientId != null && clientId.equals(issuedFor)
                && attribute != null && "true".equalsIgnoreCase(attribute.trim());
    }
}
