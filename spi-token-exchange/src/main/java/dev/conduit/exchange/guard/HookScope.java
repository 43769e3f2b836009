package dev.conduit.exchange.guard;

/**
 * Which requests the exchange jar's server-wide JAX-RS hooks ({@link StorableCredentialsFilter},
 * {@link StorageOutageMapper}) act on. By default only requests Conduit owns: token-exchange grants at the token
 * endpoint (Conduit's exchange providers answer them) and Conduit's own REST resources ({@code /realms/<realm>/conduit-*},
 * {@code /admin/realms/<realm>/conduit-*}). Every other Keycloak request is left exactly as stock Keycloak answers it,
 * unless the operator sets {@value #OPTION} to {@code true}: then the hooks act on every Keycloak endpoint they know.
 */
public final class HookScope {

    /** The option, read as {@code --spi-oauth2-token-exchange--conduit-upstream-token--keycloak-wide-guards}. */
    public static final String OPTION = "keycloak-wide-guards";
    public static final String TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

    private final boolean keycloakWide;

    public HookScope(boolean keycloakWide) {
        this.keycloakWide = keycloakWide;
    }

    /** The scope the operator chose, read once from the server's configuration. */
    public static HookScope configured() {
        return ConfiguredScope.SCOPE;
    }

    public boolean keycloakWide() {
        return keycloakWide;
    }

    /** Whether the credentials filter reads this request's form at all (a POST to one of these paths). */
    public boolean inspects(String path) {
        return keycloakWide ? StorableCredentials.guardedPath(path) : tokenPath(path);
    }

    /** Whether the credentials filter may refuse an inspected request with this grant type. */
    public boolean guardsCredentials(String path, String grantType) {
        return keycloakWide ? StorableCredentials.guardedPath(path) : tokenPath(path) && TOKEN_EXCHANGE_GRANT.equals(grantType);
    }

    /** Whether a lost database connection on this request is answered 503 instead of Keycloak's 500. */
    public boolean mapsOutage(String path, String grantType) {
        return keycloakWide || conduitResource(path) || (tokenPath(path) && TOKEN_EXCHANGE_GRANT.equals(grantType));
    }

    /** The token endpoint of any realm. */
    static boolean tokenPath(String path) {
        return path != null && trim(path).endsWith("/protocol/openid-connect/token") && trim(path).startsWith("/realms/");
    }

    /** A realm or admin REST resource that Conduit registers: {@code [/admin]/realms/<realm>/conduit-...}. */
    static boolean conduitResource(String path) {
        if (path == null) {
            return false;
        }
        String rest = path.startsWith("/admin/realms/") ? path.substring("/admin/realms/".length())
                : path.startsWith("/realms/") ? path.substring("/realms/".length()) : null;
        if (rest == null) {
            return false;
        }
        int slash = rest.indexOf('/');
        return slash > 0 && rest.startsWith("conduit-", slash + 1);
    }

    private static String trim(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
