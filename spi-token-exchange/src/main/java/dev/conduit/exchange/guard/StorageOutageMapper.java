package dev.conduit.exchange.guard;

import dev.conduit.api.support.StorageOutage;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.error.KeycloakErrorHandler;
import org.keycloak.utils.KeycloakSessionUtil;
import org.keycloak.utils.MediaTypeMatcher;

/**
 * While the database is unreachable (stopped, restarting, or a pooled connection it closed), an API request that
 * Conduit owns (a token exchange, Conduit's realm and admin REST resources; with {@link HookScope#OPTION} on, every
 * Keycloak API request: token endpoint, admin REST...) gets {@code 503 temporarily_unavailable} with {@code Retry-After} instead of Keycloak's
 * {@code 500 unknown_error}: the caller should retry, nothing is wrong with its request. Every other failure, and
 * every browser page, is answered exactly as Keycloak's own {@link KeycloakErrorHandler} answers it.
 */
@Provider
public class StorageOutageMapper implements ExceptionMapper<RuntimeException> {

    private static final Logger LOG = Logger.getLogger(StorageOutageMapper.class);
    static final int RETRY_AFTER_SECONDS = 5;

    /** Set by {@link StorableCredentialsFilter} on a token-endpoint request whose grant is a token exchange. */
    static final String EXCHANGE_ATTRIBUTE = "conduit.guard.token-exchange";

    @Context
    KeycloakSession session;

    /** Marks the current request as a token exchange, for {@link #toResponse}. */
    static void markExchange() {
        KeycloakSession current = KeycloakSessionUtil.getKeycloakSession();
        if (current != null) {
            current.setAttribute(EXCHANGE_ATTRIBUTE, Boolean.TRUE);
        }
    }

    @Override
    public Response toResponse(RuntimeException failure) {
        String grantType = Boolean.TRUE.equals(session.getAttribute(EXCHANGE_ATTRIBUTE)) ? HookScope.TOKEN_EXCHANGE_GRANT : null;
        if (!StorageOutage.causedBy(failure) || MediaTypeMatcher.isHtmlRequest(session.getContext().getRequestHeaders())
                || !ConfiguredScope.SCOPE.mapsOutage(session.getContext().getUri().getPath(), grantType)) {
            return KeycloakErrorHandler.getResponse(session, failure);
        }
        session.getTransactionManager().setRollbackOnly();
        LOG.warnf("Answered 503 temporarily_unavailable: the database is unavailable (%s)", failure.getClass().getName());
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .entity("{\"error\":\"temporarily_unavailable\",\"error_description\":\"The server cannot reach its database; retry shortly\"}")
                .build();
    }
}
