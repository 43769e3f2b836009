package dev.conduit.vault.upstream;

import dev.conduit.api.grant.UpstreamClient;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Sends refresh requests to a provider's token endpoint; called with no transaction (and no database connection) open. */
public interface TokenEndpoint {

    /** @param clientSecret resolved already, or null when the client has none */
    TokenAnswer refresh(UpstreamClient client, String clientSecret, String refreshToken);

    /**
     * Keycloak's HTTP client (proxy, truststore) with the given timeouts, in a session of its own that never begins a
     * transaction, so nothing in it can take a pooled database connection while the provider answers.
     */
    static TokenEndpoint keycloak(KeycloakSessionFactory factory, int connectTimeoutMillis, int readTimeoutMillis) {
        return (client, clientSecret, refreshToken) -> {
            try (KeycloakSession session = factory.create()) {
                return new UpstreamTokenCalls(session, connectTimeoutMillis, readTimeoutMillis)
                        .refresh(client, clientSecret, refreshToken);
            }
        };
    }
}
