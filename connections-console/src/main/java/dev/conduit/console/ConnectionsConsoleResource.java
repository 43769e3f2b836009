package dev.conduit.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.Version;
import org.keycloak.headers.SecurityHeadersProvider;
import org.keycloak.models.KeycloakSession;

/**
 * The console's page and its two static files. The page only carries where things are (realm, client, PatternFly
 * from Keycloak's own theme resources); it signs the admin in through Keycloak's login and then calls the admin
 * REST API ({@code conduit-vault}, users, organizations) with the admin's own token, so Keycloak's admin
 * permissions decide what it may see and do.
 */
public class ConnectionsConsoleResource {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private final KeycloakSession session;

    public ConnectionsConsoleResource(KeycloakSession session) {
        this.session = session;
    }

    @GET
    public Response page() {
        String realm = session.getContext().getRealm().getName();
        URI base = session.getContext().getUri().getBaseUri();
        if (!session.getContext().getUri().getRequestUri().getPath().endsWith("/")) {
            return Response.status(Response.Status.MOVED_PERMANENTLY)
                    .location(base.resolve(ConsoleClient.pagePath(realm).substring(1))).build();
        }
        String html = ConsolePage.render(read("index.html"), realm, ConsoleClient.CLIENT_ID,
                "/resources/" + Version.RESOURCES_VERSION + "/common/keycloak/vendor/patternfly-v5/");
        return secured(Response.ok(html, "text/html; charset=utf-8")).build();
    }


    /** The page's own static files; nothing else is served from the class path. */
    static final java.util.Set<String> ASSETS = java.util.Set.of("app.js", "app.css", "server-connections.js");

    @GET
    @Path("{file: [a-z-]+\\.(js|css)}")
    public Response asset(@PathParam("file") String file) {
        if (!ASSETS.contains(file)) {
            throw new NotFoundException();
        }
        String type = file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        return secured(Response.ok(read(file), type)).build();
    }

    /** This page's own, stricter headers in place of the realm's (Keycloak's would replace the policy). */
    private Response.ResponseBuilder secured(Response.ResponseBuilder answer) {
        SecurityHeadersProvider realmHeaders = session.getProvider(SecurityHeadersProvider.class);
        if (realmHeaders != null) {
            realmHeaders.options().skipHeaders();
        }
        return answer.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Frame-Options", "DENY")
                .header("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
                .header("X-Robots-Tag", "none")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store");
    }

    private static String read(String name) {
        try (InputStream in = ConnectionsConsoleResource.class.getResourceAsStream("/conduit-console/" + name)) {
            if (in == null) {
                throw new NotFoundException();
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
