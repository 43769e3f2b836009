package dev.conduit.console;

import java.util.List;
import java.util.Map;

import org.keycloak.representations.idm.ClientRepresentation;

/**
 * The public client the connections console signs in with, one per realm: authorization code with PKCE (S256)
 * only, redirects only back to the console's own page, no secret. Its Home URL makes the page one click away in
 * the admin console's client list. Full scope is off: its tokens carry (and Keycloak's admin API honours, see
 * {@code AdminAuth.hasAppRole}: the user's role AND the client's scope) only the admin roles the page uses,
 * {@link #ADMIN_ROLES}, so a token it leaks is worth less than the signed-in admin.
 */
public final class ConsoleClient {

    public static final String CLIENT_ID = "conduit-console";

    /** Marks a client Conduit created, so later realms' roles are added to it and never to an operator's own. */
    public static final String PROVISIONED_ATTRIBUTE = "conduit.provisioned";

    /**
     * The admin roles the page calls the REST API with (of {@code realm-management} in a realm, of
     * {@code <realm>-realm} in master): the vault's views and actions (identity providers), finding a user and an
     * organization, the counts (view-realm). Not manage-realm (key rotation), not manage-users, not impersonation.
     */
    public static final List<String> ADMIN_ROLES = List.of("view-realm", "view-identity-providers",
            "manage-identity-providers", "query-users", "view-users", "query-organizations", "view-organizations");

    /**
     * The role of the realm's {@code account} client the page needs: linking a provider (Reconnect, Grant more
     * access, an organization's Connect) goes through Keycloak's {@code idp_link} action, which wants
     * {@code manage-account-links} in the client's scope. Not {@code manage-account}.
     */
    public static final List<String> ACCOUNT_ROLES = List.of("manage-account-links");

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
        client.setFullScopeAllowed(false);
        client.setRootUrl("${authBaseUrl}");
        client.setBaseUrl(pagePath(realmName));
        client.setRedirectUris(List.of(pagePath(realmName) + "*"));
        client.setWebOrigins(List.of("+"));
        client.setAttributes(Map.of(
                "pkce.code.challenge.method", "S256",
                "post.logout.redirect.uris", "+",
                PROVISIONED_ATTRIBUTE, "true"));
        return client;
    }
}
