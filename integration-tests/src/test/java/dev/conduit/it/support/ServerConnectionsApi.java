package dev.conduit.it.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** The vault admin API's server connections (issue 15), and what their tests need around it. */
public final class ServerConnectionsApi {

    public static final String JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AdminApi admin;
    private final String base;

    public ServerConnectionsApi(AdminApi admin, String realm) {
        this.admin = admin;
        this.base = realm + "/conduit-vault";
    }

    public HttpResponse<String> create(String organizationId, String alias, String kind, Map<String, String> input) {
        return admin.call("POST", base + "/organizations/" + organizationId + "/server-connections",
                Map.of("alias", alias, "kind", kind, "input", input));
    }

    /** The realm's own server connection (owner kind REALM): same body as an organization's. */
    public HttpResponse<String> createForRealm(String alias, String kind, Map<String, String> input) {
        return admin.call("POST", base + "/server-connections", Map.of("alias", alias, "kind", kind, "input", input));
    }

    public HttpResponse<String> createRaw(String organizationId, String body) {
        return admin.callRaw("POST", base + "/organizations/" + organizationId + "/server-connections", body);
    }

    public HttpResponse<String> replace(String connectionId, Map<String, String> input) {
        return admin.call("PUT", base + "/connections/" + connectionId + "/credential", Map.of("input", input));
    }

    public HttpResponse<String> certificate(String connectionId) {
        return admin.call("GET", base + "/connections/" + connectionId + "/certificate", null);
    }

    public HttpResponse<String> dropPreviousKey(String connectionId) {
        return admin.call("DELETE", base + "/connections/" + connectionId + "/previous-key", null);
    }

    public JsonNode kinds() {
        return admin.get(base + "/server-kinds");
    }

    /** An RSA key pair of this size, its private key as PKCS#8 PEM. */
    public static String rsaPrivateKeyPem(int bits) {
        return pem("PRIVATE KEY", keyPair("RSA", bits).getPrivate().getEncoded());
    }

    public static KeyPair keyPair(String algorithm, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The base64 lines of a PEM body (what a storage scan looks for). */
    public static java.util.List<String> pemBodyLines(String pem) {
        return pem.lines().filter(line -> !line.startsWith("-----") && line.length() >= 40).toList();
    }

    /** An API call at the provider (the sandbox's REST slice) with this bearer token: its status. */
    public static int apiCall(String url, String bearerToken) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + bearerToken)
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
