package dev.conduit.exchange.guard;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/**
 * Refuses token-exchange requests carrying a NUL in their client credentials or form parameters before Keycloak
 * looks anything up (see {@link StorableCredentials}); with {@link HookScope#OPTION} on, every token, introspection,
 * revocation and PAR request too. Every other request passes untouched: its body is not even read. Keycloak
 * registers JAX-RS {@code @Provider} classes found in provider jars. Not pre-matching: a pre-matching filter runs on the I/O thread,
 * where the body cannot be read.
 */
@Provider
public class StorableCredentialsFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(StorableCredentialsFilter.class);

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        HookScope scope = ConfiguredScope.SCOPE;
        String path = request.getUriInfo().getPath();
        MediaType type = request.getMediaType();
        if (!"POST".equals(request.getMethod()) || !scope.inspects(path)
                || (!scope.keycloakWide() && (type == null || !type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)))) {
            return;
        }
        String form = null;
        if (type != null && type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            // this filter runs on a worker thread, after the realm's resource was matched: reading the body here blocks
            // nothing but this request, and the same bytes are handed on to Keycloak
            byte[] body = request.getEntityStream().readAllBytes();
            request.setEntityStream(new ByteArrayInputStream(body));
            form = new String(body, StandardCharsets.UTF_8);
        }
        String grantType = StorableCredentials.grantType(form);
        if (HookScope.TOKEN_EXCHANGE_GRANT.equals(grantType)) {
            StorageOutageMapper.markExchange();
        }
        if (!scope.guardsCredentials(path, grantType)) {
            return;
        }
        Optional<StorableCredentials.Refusal> refusal =
                StorableCredentials.checkAuthorization(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (refusal.isEmpty()) {
            refusal = StorableCredentials.checkFormBody(form);
        }
        refusal.ifPresent(found -> {
            LOG.debugf("Refused a request to %s: %s", request.getUriInfo().getPath(), found.description());
            Response.ResponseBuilder answer = Response
                    .status("invalid_client".equals(found.error()) ? Response.Status.UNAUTHORIZED : Response.Status.BAD_REQUEST)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .header(HttpHeaders.CACHE_CONTROL, "no-store")
                    .entity("{\"error\":\"" + found.error() + "\",\"error_description\":\"" + found.description() + "\"}");
            request.abortWith(answer.build());
        });
    }
}
