package dev.conduit.it.support;

import static dev.conduit.it.support.ConduitEnvironment.REALM;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.demoapp.DemoApp;
import dev.conduit.demoapp.DemoAppConfig;

/**
 * The demo app (module demo-app) in the test JVM, against the test Keycloak and sandbox, on a free port; its
 * redirect and post-logout URIs are added to {@code conduit-demo-app} while it runs.
 */
public final class DemoApps {

    private DemoApps() {
    }

    public static DemoApp start(ConduitEnvironment env) {
        DemoAppConfig config = new DemoAppConfig(URI.create(env.keycloakUrl()), REALM, ConduitEnvironment.APP_CLIENT,
                AppTokens.INTERNAL_APP, new AppTokens(env).internalSecret(), 0,
                URI.create(env.sandbox().baseUrl() + "/hubspot"), URI.create(env.sandbox().baseUrl() + "/google"));
        DemoApp app;
        try {
            app = DemoApp.start(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        register(env, app, true);
        return app;
    }

    public static void stop(ConduitEnvironment env, DemoApp app) {
        if (app != null) {
            register(env, app, false);
            app.stop();
        }
    }

    private static void register(ConduitEnvironment env, DemoApp app, boolean add) {
        RealmSetup realm = new RealmSetup(env.admin());
        String id = realm.clientUuid(ConduitEnvironment.APP_CLIENT);
        ObjectNode client = (ObjectNode) env.admin().get(REALM + "/clients/" + id);
        Set<String> redirects = new LinkedHashSet<>();
        client.path("redirectUris").forEach(uri -> redirects.add(uri.asText()));
        ObjectNode attributes = client.has("attributes") ? (ObjectNode) client.get("attributes") : client.putObject("attributes");
        Set<String> logouts = new LinkedHashSet<>(List.of(attributes.path("post.logout.redirect.uris").asText("").split("##")));
        logouts.remove("");
        if (add) {
            redirects.add(app.redirectUri());
            logouts.add(app.url() + "/");
        } else {
            redirects.remove(app.redirectUri());
            logouts.remove(app.url() + "/");
        }
        ArrayNode uris = client.putArray("redirectUris");
        new ArrayList<>(redirects).forEach(uris::add);
        attributes.put("post.logout.redirect.uris", String.join("##", logouts));
        RealmSetup.expect(204, env.admin().call("PUT", REALM + "/clients/" + id, client));
    }
}
