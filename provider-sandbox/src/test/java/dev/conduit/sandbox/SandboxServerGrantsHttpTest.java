package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server-to-server grants over real HTTP: the hosts' URLs, faults on the token endpoint, the API slices. */
class SandboxServerGrantsHttpTest {

    private static final KeyPair APP_KEY = SandboxKeys.rsaKeyPair();
    private static ProviderSandbox server;
    private static ServerToServer s2s;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        server = ProviderSandbox.start(0);
        s2s = server.engine().serverToServer();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void clearFaults() {
        server.engine().clearFaults();
    }

    @Test
    void salesforceJwtBearerAtMyDomainSurvivesAnInjectedFaultAndQueriesTheInstance() throws Exception {
        String myDomain = s2s.registerSalesforceMyDomain("acme-http");
        s2s.registerSalesforceJwtApp("3MVG9-http", SandboxKeys.selfSignedCertificatePem(APP_KEY, "conduit"),
                Set.of("api"), Set.of(Accounts.SALESFORCE_ADA.username()));
        server.engine().injectFault(Provider.SALESFORCE, Endpoint.TOKEN, Fault.serverError(), 1);
        int mints = server.engine().mints(Provider.SALESFORCE, ServerToServer.JWT_BEARER);
        int calls = server.engine().tokenCalls(Provider.SALESFORCE, ServerToServer.JWT_BEARER);
        assertThat(myDomain).isEqualTo(server.salesforceLoginHost() + "/my/acme-http");
        Map<String, String> form = Map.of("grant_type", ServerToServer.JWT_BEARER, "assertion",
                SandboxKeys.signRs256(APP_KEY.getPrivate(), Map.of(), Map.of("iss", "3MVG9-http",
                        "sub", Accounts.SALESFORCE_ADA.username(), "aud", myDomain,
                        "exp", Instant.now().getEpochSecond() + 170)));

        HttpResponse<String> faulted = post(myDomain + "/services/oauth2/token", form, null);
        HttpResponse<String> answered = post(myDomain + "/services/oauth2/token", form, null);

        assertThat(faulted.statusCode()).isEqualTo(503);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(server.engine().mints(Provider.SALESFORCE, ServerToServer.JWT_BEARER)).isEqualTo(mints + 1);
        assertThat(server.engine().tokenCalls(Provider.SALESFORCE, ServerToServer.JWT_BEARER)).isEqualTo(calls + 2);
        String instance = json(answered.body()).path("instance_url").asText();
        HttpResponse<String> query = get(instance + "/services/data/v62.0/query?q="
                + URLEncoder.encode("SELECT Id,Name,Email FROM Contact", StandardCharsets.UTF_8),
                json(answered.body()).path("access_token").asText());
        assertThat(query.statusCode()).as(query.body()).isEqualTo(200);
    }

    @Test
    void salesforceClientCredentialsWithBasicAtMyDomainOnly() throws Exception {
        String myDomain = s2s.registerSalesforceMyDomain("acme-cc");
        s2s.registerSalesforceClientCredentialsApp("3MVG9-http-cc", "secret-http", Accounts.SALESFORCE_CHARLES.username(),
                Set.of("api"));
        String basic = "Basic " + Base64.getEncoder().encodeToString("3MVG9-http-cc:secret-http"
                .getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> generic = post(server.salesforceLoginHost() + "/services/oauth2/token",
                Map.of("grant_type", "client_credentials"), basic);
        HttpResponse<String> mine = post(myDomain + "/services/oauth2/token", Map.of("grant_type", "client_credentials"),
                basic);

        assertThat(generic.statusCode()).isEqualTo(400);
        assertThat(json(generic.body()).path("error_description").asText()).isEqualTo(ServerToServer.SF_NOT_ON_THIS_DOMAIN);
        assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
    }

    @Test
    void googleServiceAccountTokenReadsTheSubjectsCalendar() throws Exception {
        GoogleServiceAccount account = s2s.registerGoogleServiceAccount("acme-http", "sync", "acme.example",
                Set.of("https://www.googleapis.com/auth/calendar.readonly"));
        long now = Instant.now().getEpochSecond();
        assertThat(json(account.jsonKeyFile()).path("token_uri").asText()).isEqualTo(server.googleBaseUrl() + "/token");
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", account.clientEmail());
        claims.put("sub", Accounts.GOOGLE_ADA.email());
        claims.put("scope", "https://www.googleapis.com/auth/calendar.readonly");
        claims.put("aud", account.tokenUri());
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        server.engine().injectFault(Provider.GOOGLE, Endpoint.TOKEN, Fault.rateLimited(1), 1);
        Map<String, String> form = Map.of("grant_type", ServerToServer.JWT_BEARER, "assertion",
                SandboxKeys.signRs256(account.privateKey(), Map.of("kid", account.privateKeyId()), claims));

        assertThat(post(account.tokenUri(), form, null).statusCode()).isEqualTo(429);
        HttpResponse<String> answered = post(account.tokenUri(), form, null);

        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        HttpResponse<String> events = get(server.googleBaseUrl() + "/calendar/v3/calendars/primary/events",
                json(answered.body()).path("access_token").asText());
        assertThat(events.statusCode()).as(events.body()).isEqualTo(200);
        assertThat(json(events.body()).path("summary").asText()).isEqualTo(Accounts.GOOGLE_ADA.email());
    }

    @Test
    void hubspotPrivateAppTokenIsABearerOnContacts() throws Exception {
        String token = s2s.createHubSpotPrivateApp(Accounts.HUBSPOT_HUB, Set.of("crm.objects.contacts.read"));

        HttpResponse<String> health = get(server.hubspotApiBaseUrl() + "/crm/v3/objects/contacts?limit=1", token);

        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    }

    private static HttpResponse<String> post(String url, Map<String, String> form, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&"))));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + bearer).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
