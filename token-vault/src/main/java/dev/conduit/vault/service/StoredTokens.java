package dev.conduit.vault.service;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import dev.conduit.api.grant.UpstreamGrant;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.util.JsonSerialization;

/**
 * Reads what Keycloak's Store Tokens kept in {@code FEDERATED_IDENTITY.TOKEN}: the provider's token response JSON, parsed
 * with Keycloak's own parser ({@link AccessTokenResponse}). Keycloak keeps no time with it, so the grant is due now
 * ({@code issuedAt = expiresAt = now}): its first use refreshes when a refresh token came with it.
 */
public final class StoredTokens {

    private StoredTokens() {
    }

    /**
     * The grant a stored token gives, or empty when it is no token response with an access token (never says why in
     * words that could hold the token).
     */
    public static Optional<UpstreamGrant> grant(String stored, String providerId, String alias, String accountId, long now) {
        if (stored == null || stored.isBlank()) {
            return Optional.empty();
        }
        AccessTokenResponse response;
        try {
            response = JsonSerialization.readValue(stored, AccessTokenResponse.class);
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
        if (response == null || response.getToken() == null || response.getToken().isBlank()) {
            return Optional.empty();
        }
        Object instanceUrl = response.getOtherClaims().get("instance_url");
        return Optional.of(new UpstreamGrant(providerId, alias, accountId, null,
                instanceUrl instanceof String url ? url : null,
                response.getToken(), response.getRefreshToken(), now, now, scopes(response.getScope()), null, null));
    }

    private static Set<String> scopes(String scope) {
        if (scope == null || scope.isBlank()) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.stream(scope.trim().split("[\\s,]+")).filter(s -> !s.isEmpty()).toList());
    }
}
