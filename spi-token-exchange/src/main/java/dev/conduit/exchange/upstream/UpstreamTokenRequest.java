package dev.conduit.exchange.upstream;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import dev.conduit.api.vault.RefusedToken;

/**
 * Reads which upstream connection a token-exchange request asks for. Two forms name the same thing:
 * <ul>
 *   <li>RFC 8693: {@code audience=<alias>} or {@code resource=urn:conduit:connection:<alias>} (one target);</li>
 *   <li>Keycloak's legacy internal-to-external exchange: {@code requested_issuer=<alias>}.</li>
 * </ul>
 * plus, optionally, {@code organization=<alias or id>} for the organization's connection instead of the
 * user's own (or {@code connection_owner=realm} for the realm's own: {@link RealmConnectionRequest}), and {@value RefusedToken#PARAMETER} naming the token the provider refused ({@link #refusedToken}).
 * Plain logic, no Keycloak types.
 */
public record UpstreamTokenRequest(String alias, String organization) {

    public static final String RESOURCE_PREFIX = "urn:conduit:connection:";
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final int MAX_ALIAS = 255;

    /**
     * @param isConduitBroker whether an alias names one of the realm's Conduit brokers
     * @return the request, or empty when it is not an upstream-token request (another exchange: Keycloak's)
     */
    public static Optional<UpstreamTokenRequest> read(String requestedIssuer, List<String> audience, List<String> resource,
            String requestedTokenType, String organization, Predicate<String> isConduitBroker) {
        if (requestedTokenType != null && !ACCESS_TOKEN_TYPE.equals(requestedTokenType)) {
            return Optional.empty();
        }
        String alias = null;
        if (requestedIssuer != null) {
            alias = requestedIssuer;
        } else {
            List<String> targets = new java.util.ArrayList<>();
            if (audience != null) {
                targets.addAll(audience);
            }
            if (resource != null) {
                targets.addAll(resource);
            }
            if (targets.size() != 1) {
                return Optional.empty();
            }
            String target = targets.get(0);
            if (target != null && target.toLowerCase(Locale.ROOT).startsWith(RESOURCE_PREFIX)) {
                alias = target.substring(RESOURCE_PREFIX.length());
                return Optional.of(new UpstreamTokenRequest(alias, blankToNull(organization)));
            }
            alias = target;
        }
        if (alias == null || alias.isBlank() || alias.length() > MAX_ALIAS || !isConduitBroker.test(alias)) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamTokenRequest(alias, blankToNull(organization)));
    }

    /**
     * The upstream token an app reports its provider refused ({@value RefusedToken#PARAMETER}), or null when the
     * parameter is absent.
     *
     * @param values the parameter's values in the form (null or empty when absent)
     * @throws IllegalArgumentException when sent more than once or not a base64url SHA-256 (the message never
     *         repeats the value)
     */
    public static RefusedToken refusedToken(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() != 1) {
            throw new IllegalArgumentException("duplicated parameter " + RefusedToken.PARAMETER);
        }
        return RefusedToken.parse(values.get(0));
    }

    /**
     * Whether a client may obtain this alias's tokens, from its {@code conduit.exchange.providers} attribute:
     * aliases separated by commas or spaces, or {@code *}; absent or empty allows none.
     */
    public static boolean clientMayUse(String allowedAttribute, String alias) {
        if (allowedAttribute == null || allowedAttribute.isBlank()) {
            return false;
        }
        // a tolerant set: an attribute naming an alias twice ("salesforce salesforce") is no error
        Set<String> allowed = new HashSet<>(Arrays.asList(allowedAttribute.trim().split("[,\\s]+")));
        return allowed.contains("*") || allowed.contains(alias);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
