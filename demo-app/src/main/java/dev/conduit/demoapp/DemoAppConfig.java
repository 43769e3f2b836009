package dev.conduit.demoapp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the demo app needs to know: where Keycloak is, its realm and clients, where the provider APIs are, and where
 * to listen. The internal app's client secret is read from a file (never from the command line, where any local
 * user's {@code ps} would show it).
 *
 * @param keycloakUrl          Keycloak's base URL, e.g. {@code http://localhost:8080}
 * @param realm                the realm, e.g. {@code conduit-demo}
 * @param appClientId          the public browser client the person signs in with (authorization code + PKCE)
 * @param internalClientId     the confidential client that exchanges the person's token for upstream tokens
 * @param internalClientSecret that client's secret: never log or show it
 * @param port                 the port to listen on, 0 for any free one
 * @param hubspotApiUrl        HubSpot's API base ({@code https://api.hubapi.com}; the sandbox's {@code .../hubspot})
 * @param googleApiUrl         Google's API base ({@code https://www.googleapis.com}; the sandbox's {@code .../google})
 */
public record DemoAppConfig(URI keycloakUrl, String realm, String appClientId, String internalClientId,
        String internalClientSecret, int port, URI hubspotApiUrl, URI googleApiUrl) {

    public static final String DEFAULT_KEYCLOAK = "http://localhost:8080";
    public static final String DEFAULT_REALM = "conduit-demo";
    public static final String DEFAULT_APP_CLIENT = "conduit-demo-app";
    public static final String DEFAULT_INTERNAL_CLIENT = "conduit-internal-app";
    public static final int DEFAULT_PORT = 8090;
    public static final String DEFAULT_SANDBOX = "http://localhost:8089";
    /** The environment variable naming the secret file when {@code --internal-client-secret-file} is not given. */
    public static final String SECRET_FILE_ENV = "CONDUIT_DEMO_INTERNAL_CLIENT_SECRET_FILE";

    public DemoAppConfig {
        keycloakUrl = URI.create(Objects.requireNonNull(keycloakUrl, "keycloakUrl").toString().replaceAll("/+$", ""));
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(appClientId, "appClientId");
        Objects.requireNonNull(internalClientId, "internalClientId");
        if (internalClientSecret == null || internalClientSecret.isBlank()) {
            throw new IllegalArgumentException("the internal client's secret is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        hubspotApiUrl = withoutTrailingSlash(Objects.requireNonNull(hubspotApiUrl, "hubspotApiUrl"));
        googleApiUrl = withoutTrailingSlash(Objects.requireNonNull(googleApiUrl, "googleApiUrl"));
    }

    /**
     * The configuration from {@code --name=value} arguments ({@code --keycloak-url}, {@code --realm},
     * {@code --app-client-id}, {@code --internal-client-id}, {@code --internal-client-secret-file}, {@code --port},
     * {@code --hubspot-api-url}, {@code --google-api-url}, {@code --sandbox-url} for both API bases), with the
     * secret file from {@value #SECRET_FILE_ENV} when not given.
     */
    public static DemoAppConfig fromArguments(String[] args, Map<String, String> environment) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
                throw new IllegalArgumentException("expected --name=value, got an argument of another form");
            }
            String name = arg.substring(2, arg.indexOf('='));
            if (name.equals("internal-client-secret")) {
                throw new IllegalArgumentException("a secret is never taken from the command line: "
                        + "put it in a file readable only by you and pass --internal-client-secret-file=<path>");
            }
            options.put(name, arg.substring(arg.indexOf('=') + 1));
        }
        String secretFile = options.remove("internal-client-secret-file");
        if (secretFile == null) {
            secretFile = environment.get(SECRET_FILE_ENV);
        }
        if (secretFile == null || secretFile.isBlank()) {
            throw new IllegalArgumentException("--internal-client-secret-file=<path> (or " + SECRET_FILE_ENV + ") is required");
        }
        String sandbox = options.remove("sandbox-url");
        String sandboxBase = sandbox == null ? DEFAULT_SANDBOX : sandbox.replaceAll("/+$", "");
        String keycloak = options.remove("keycloak-url");
        String realm = options.remove("realm");
        String appClient = options.remove("app-client-id");
        String internalClient = options.remove("internal-client-id");
        String port = options.remove("port");
        String hubspot = options.remove("hubspot-api-url");
        String google = options.remove("google-api-url");
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", options.keySet()));
        }
        int portNumber;
        try {
            portNumber = port == null ? DEFAULT_PORT : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number");
        }
        return new DemoAppConfig(URI.create(keycloak == null ? DEFAULT_KEYCLOAK : keycloak),
                realm == null ? DEFAULT_REALM : realm,
                appClient == null ? DEFAULT_APP_CLIENT : appClient,
                internalClient == null ? DEFAULT_INTERNAL_CLIENT : internalClient,
                readSecret(Path.of(secretFile)), portNumber,
                URI.create(hubspot == null ? sandboxBase + "/hubspot" : hubspot),
                URI.create(google == null ? sandboxBase + "/google" : google));
    }

    static String readSecret(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the internal client's secret file " + file, e);
        }
    }

    /** The realm's base URL: {@code {keycloak}/realms/{realm}}. */
    public String realmUrl() {
        return keycloakUrl + "/realms/" + realm;
    }

    /** The same configuration listening on another port (tests: 0 for a free one). */
    public DemoAppConfig withPort(int newPort) {
        return new DemoAppConfig(keycloakUrl, realm, appClientId, internalClientId, internalClientSecret, newPort,
                hubspotApiUrl, googleApiUrl);
    }

    private static URI withoutTrailingSlash(URI uri) {
        return URI.create(uri.toString().replaceAll("/+$", ""));
    }

    /** Everything but the secret. */
    @Override
    public String toString() {
        return "DemoAppConfig[keycloakUrl=" + keycloakUrl + ", realm=" + realm + ", appClientId=" + appClientId
                + ", internalClientId=" + internalClientId + ", internalClientSecret=***, port=" + port
                + ", hubspotApiUrl=" + hubspotApiUrl + ", googleApiUrl=" + googleApiUrl + "]";
    }
}
