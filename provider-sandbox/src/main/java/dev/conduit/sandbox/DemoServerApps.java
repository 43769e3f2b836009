package dev.conduit.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The demo's server-to-server apps, registered when the sandbox starts for the demo ({@link SandboxMain}'s third
 * argument): a Salesforce JWT bearer app (its key pair made here, the integration user pre-authorized), a Salesforce
 * client credentials app at the My Domain {@value #MY_DOMAIN}, a Google service account delegated for the
 * {@code acme.example} Workspace and a HubSpot private app in the demo portal. What an admin would be handed for each
 * (the private key, the consumer secret, the JSON key file, the token) is written, as the admin API's request bodies
 * for the Acme organization ({@code [{"alias", "kind", "input"}]}), to a file only its owner may read: the demo
 * script uploads them once Keycloak is up. Nothing of it is printed.
 */
public final class DemoServerApps {

    /** The My Domain of the demo's Salesforce org: the login host of the demo realm's {@code salesforce-sync}. */
    public static final String MY_DOMAIN = "acme";
    public static final String JWT_CONSUMER_KEY = "conduit-demo-jwt-bearer";
    public static final String CLIENT_CREDENTIALS_CONSUMER_KEY = "conduit-demo-client-credentials";
    /** The integration user the JWT bearer app pre-authorizes, and the client credentials app's run-as user. */
    public static final Account INTEGRATION_USER = Accounts.SALESFORCE_HEDY;
    public static final Account RUN_AS_USER = Accounts.SALESFORCE_KATHERINE;
    public static final String GOOGLE_DOMAIN = "acme.example";
    public static final String GOOGLE_SCOPES = "https://www.googleapis.com/auth/calendar.readonly";
    public static final String HUBSPOT_SCOPES = "crm.objects.contacts.read";

    private static final SecureRandom RANDOM = new SecureRandom();

    private DemoServerApps() {
    }

    /** Registers the four apps in {@code apps} and writes the Acme organization's request bodies to {@code file}. */
    public static void register(ServerToServer apps, Path file) throws IOException {
        KeyPair keys = SandboxKeys.rsaKeyPair();
        apps.registerSalesforceJwtApp(JWT_CONSUMER_KEY, SandboxKeys.selfSignedCertificatePem(keys, "Conduit demo"),
                Set.of("api"), Set.of(INTEGRATION_USER.username()));
        apps.registerSalesforceMyDomain(MY_DOMAIN);
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String consumerSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        apps.registerSalesforceClientCredentialsApp(CLIENT_CREDENTIALS_CONSUMER_KEY, consumerSecret,
                RUN_AS_USER.username(), Set.of("api"));
        GoogleServiceAccount google = apps.registerGoogleServiceAccount("conduit-demo", "acme-sync", GOOGLE_DOMAIN,
                Set.of(GOOGLE_SCOPES));
        String hubspotToken = apps.createHubSpotPrivateApp(Accounts.HUBSPOT_HUB, Set.of(HUBSPOT_SCOPES));

        List<Map<String, Object>> connections = List.of(
                connection("salesforce", "salesforce-jwt-bearer", Map.of("consumer_key", JWT_CONSUMER_KEY,
                        "username", INTEGRATION_USER.username(), "private_key", SandboxKeys.privateKeyPem(keys.getPrivate()))),
                connection("salesforce-sync", "salesforce-client-credentials", Map.of(
                        "consumer_key", CLIENT_CREDENTIALS_CONSUMER_KEY, "consumer_secret", consumerSecret)),
                connection("google", "google-service-account", Map.of("service_account_key", google.jsonKeyFile(),
                        "domain", GOOGLE_DOMAIN, "scopes", GOOGLE_SCOPES)),
                connection("hubspot", "hubspot-private-app", Map.of("access_token", hubspotToken, "scopes", HUBSPOT_SCOPES)));
        write(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(connections));
    }

    private static Map<String, Object> connection(String alias, String kind, Map<String, String> input) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alias", alias);
        body.put("kind", kind);
        body.put("input", input);
        return body;
    }

    /** Written as a new file readable by its owner only (replacing one left from an earlier start). */
    private static void write(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
