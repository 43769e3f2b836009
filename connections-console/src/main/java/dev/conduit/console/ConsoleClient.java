package dev.conduit.console;

import java.util.List;
import java.util.Map;

import org.keycloak.representations.idm.ClientRepresentation;

/**
 * The public client the connections console signs in with, one per realm: authorization code with PKCE (S256)
 * only, redirects only back to the console's own page, no secret. Its Home URL makes the page one click away in
 * the admin console's client list.
 */
public final class ConsoleClient {

    public static final String CLIENT_ID = "conduit-console";

    private ConsoleClient() {
    }

    /** Where the page lives, relative to Keycloak's base URL. */
    public static String pagePath(String realmName) {
        return "/realms/" + realmName + "/" + ConnectionsConsoleResourceProviderFactory.ID + "/";
    }

    public static ClientRepresentation representation(String realmName) {
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId(CLIENT_ID);
        client.setName("Conduit connections");
        client.setDescription("Conduit's connections console: upstream connections of users and organizations");
        client.setProtocol("openid-connect");
        client.setPublicClient(true);
        client.setStandardFlowEnabled(true);
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setServiceAccountsEnabled(false);
        client.setFullScopeAllowed(true);
        client.setRootUrl("${authBaseUrl}");
        client.setBaseUrl(pagePath(realmName));
        client.setRedirectUris(List.of(pagePath(realmName) + "*"));
        client.setWebOrigins(List.of("+"));
        client.setAttributes(Map.of(
                "pkce.code.challenge.method", "S256",
                "post.logout.redirect.uris", "+"));
        return client;
    }
}
