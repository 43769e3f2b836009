package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.authParams;
import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The sandbox over real HTTP: routing, form parsing, faults, JWKS, the consent page. */
class ProviderSandboxHttpTest {

    private static final Provider SF = Provider.SALESFORCE;

    private static ProviderSandbox server;
    private static SandboxFixture sandbox;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        server = ProviderSandbox.start(0);
        sandbox = new SandboxFixture(server.engine());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
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
    void injectedServerErrorAnswersOnceAndLeavesTheCodeRedeemable() throws Exception {
        String code = sandbox.code(SF, authParams("api"), Accounts.SALESFORCE_ADA);
        server.engine().injectFault(SF, Endpoint.TOKEN, Fault.serverError(), 1);
        int before = server.engine().tokenCalls(SF, "authorization_code");

        HttpResponse<String> failed = redeemOverHttp(code);
        HttpResponse<String> retried = redeemOverHttp(code);

        assertThat(server.engine().tokenCalls(SF, "authorization_code")).as("the faulted call was received too")
                .isEqualTo(before + 2);

        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(json(failed.body()).path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(json(retried.body()).path("access_token").asText()).isNotEmpty();
    }

    @Test
    void injectedFaultOnlyHitsItsProviderAndEndpoint() throws Exception {
        server.engine().injectFault(Provider.HUBSPOT, Endpoint.TOKEN, Fault.serverError(), 1);
        server.engine().injectFault(SF, Endpoint.IDENTITY, Fault.serverError(), 1);
        String code = sandbox.code(SF, authParams("api"), Accounts.SALESFORCE_ADA);

        assertThat(redeemOverHttp(code).statusCode()).isEqualTo(200);
    }

    @Test
    void injectedConnectionResetFailsTheClientWithAnIOException() throws Exception {
        String code = sandbox.code(SF, authParams("api"), Accounts.SALESFORCE_ADA);
        server.engine().injectFault(SF, Endpoint.TOKEN, Fault.connectionReset(), 1);

        assertThatThrownBy(() -> redeemOverHttp(code)).isInstanceOf(IOException.class);
        assertThat(redeemOverHttp(code).statusCode()).isEqualTo(200);
    }

    @Test
    void injectedMalformedBodyIsA200ThatIsNotJson() throws Exception {
        String code = sandbox.code(SF, authParams("api"), Accounts.SALESFORCE_ADA);
        server.engine().injectFault(SF, Endpoint.TOKEN, Fault.malformedBody(), 1);

        HttpResponse<String> response = redeemOverHttp(code);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isNotEmpty();
        assertThatThrownBy(() -> new ObjectMapper().readTree(response.body()))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void injectedDelayDelaysTheRealAnswer() throws Exception {
        String code = sandbox.code(SF, authParams("api"), Accounts.SALESFORCE_ADA);
        server.engine().injectFault(SF, Endpoint.TOKEN, Fault.delay(500), 1);

        long start = System.nanoTime();
        HttpResponse<String> response = redeemOverHttp(code);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(elapsedMillis).isGreaterThanOrEqualTo(500);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response.body()).path("instance_url").asText()).isEqualTo(server.engine().instanceUrl());
    }

    @Test
    void injectedSlowBodyAnswersHeadersAtOnceAndTheBodyInPiecesOverTheTime() throws Exception {
        String code = sandbox.code(SF, authParams("api"), Accounts.SALESFORCE_ADA);
        server.engine().injectFault(SF, Endpoint.TOKEN, Fault.slowBody(1_000), 1);

        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> response = http.send(formPost(server.salesforceLoginHost()
                + "/services/oauth2/token", redemption(code)).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long headersMillis = (System.nanoTime() - start) / 1_000_000;
        String body;
        try (java.io.InputStream in = response.body()) {
            body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        long bodyMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.statusCode()).as(body).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).as("not compressed").isEmpty();
        assertThat(headersMillis).as("headers at once").isLessThan(500);
        assertThat(bodyMillis).as("body over the time").isGreaterThanOrEqualTo(900);
        assertThat(json(body).path("instance_url").asText()).isEqualTo(server.engine().instanceUrl());
    }

    @Test
    void googleCertsAreAJwksWithOneRsaKey() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(server.googleBaseUrl()
                + "/oauth2/v3/certs")).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        JsonNode keys = json(response.body()).path("keys");
        assertThat(keys.isArray()).isTrue();
        assertThat(keys).hasSize(1);
        JsonNode key = keys.get(0);
        assertThat(key.path("kty").asText()).isEqualTo("RSA");
        assertThat(key.path("alg").asText()).isEqualTo("RS256");
        assertThat(key.path("n").asText()).isNotEmpty();
        assertThat(key.path("e").asText()).isNotEmpty();
        assertThat(key.has("d")).as("no private exponent").isFalse();
    }

    @Test
    void consentPageEscapesTheState() throws Exception {
        String state = "\"><script>alert(1)</script>";
        Map<String, String> params = authParams("api", "state", state);

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(server.salesforceLoginHost()
                + "/services/oauth2/authorize?" + encode(params))).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("<script>").doesNotContain(state)
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void fullFlowOverHttpWithConsentFormAndBasicAuthentication() throws Exception {
        Map<String, String> params = authParams("openid email", "nonce", "n-1");
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(server.googleBaseUrl()
                + "/o/oauth2/v2/auth?" + encode(params))).GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(Accounts.GOOGLE_ADA.userId());

        Map<String, String> form = new LinkedHashMap<>(params);
        form.put("account", Accounts.GOOGLE_ADA.userId());
        form.put("decision", "allow");
        HttpResponse<String> decision = send(formPost(server.googleBaseUrl() + "/o/oauth2/v2/auth", form));
        assertThat(decision.statusCode()).isEqualTo(302);
        Map<String, String> redirect = SandboxFixture.query(
                URI.create(decision.headers().firstValue("Location").orElseThrow()).getRawQuery());
        assertThat(redirect).containsEntry("state", params.get("state"));

        String basic = Base64.getEncoder().encodeToString((SandboxFixture.CLIENT_ID + ":"
                + sandbox.client(Provider.GOOGLE).clientSecret()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> token = send(formPost(server.googleBaseUrl() + "/token", Map.of(
                "grant_type", "authorization_code", "code", redirect.get("code"),
                "redirect_uri", SandboxFixture.REDIRECT_URI)).header("Authorization", "Basic " + basic));
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        JsonNode claims = SandboxFixture.jwtPayload(json(token.body()).path("id_token").asText());
        assertThat(claims.path("sub").asText()).isEqualTo(Accounts.GOOGLE_ADA.userId());
        assertThat(claims.path("iss").asText()).isEqualTo(server.googleBaseUrl());

        HttpResponse<String> userinfo = send(HttpRequest.newBuilder(URI.create(server.googleBaseUrl() + "/v1/userinfo"))
                .header("Authorization", "Bearer " + json(token.body()).path("access_token").asText()).GET());
        assertThat(userinfo.statusCode()).isEqualTo(200);
        assertThat(json(userinfo.body()).path("email").asText()).isEqualTo(Accounts.GOOGLE_ADA.email());
    }

    @Test
    void salesforceQueryOverHttpOnTheInstanceUrlAnswersTheAccountsContacts() throws Exception {
        JsonNode tokens = sandbox.login(SF, authParams("api"), Accounts.SALESFORCE_CHARLES);
        String url = tokens.path("instance_url").asText() + "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact";

        HttpResponse<String> ok = send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + tokens.path("access_token").asText()).GET());
        server.engine().endSession(tokens.path("access_token").asText());
        HttpResponse<String> ended = send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + tokens.path("access_token").asText()).GET());

        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok.body()).path("records").get(0).path("Id").asText())
                .isEqualTo(ProviderApis.contactsOf(Accounts.SALESFORCE_CHARLES).get(0).id());
        assertThat(ended.statusCode()).isEqualTo(401);
        assertThat(ended.body()).isEqualTo("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
    }

    @Test
    void hubspotContactsOverHttpUnderTheApiBaseUrl() throws Exception {
        String token = sandbox.login(Provider.HUBSPOT, authParams("oauth crm.objects.contacts.read"), Accounts.HUBSPOT_BARBARA)
                .path("access_token").asText();
        String url = server.hubspotApiBaseUrl() + "/crm/v3/objects/contacts?limit=10";

        HttpResponse<String> ok = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET());
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer CO-x").GET());

        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok.body()).path("results").get(0).path("id").asText())
                .isEqualTo(ProviderApis.contactsOf(Accounts.HUBSPOT_BARBARA).get(0).id());
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(json(unknown.body()).path("category").asText()).isEqualTo("INVALID_AUTHENTICATION");
    }

    @Test
    void googleEventsOverHttpUnderTheGoogleBaseUrl() throws Exception {
        String token = sandbox.login(Provider.GOOGLE, authParams("https://www.googleapis.com/auth/calendar.readonly"),
                Accounts.GOOGLE_EDSGER).path("access_token").asText();
        String url = server.googleBaseUrl() + "/calendar/v3/calendars/primary/events";

        HttpResponse<String> ok = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET());
        HttpResponse<String> none = send(HttpRequest.newBuilder(URI.create(url)).GET());

        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok.body()).path("kind").asText()).isEqualTo("calendar#events");
        assertThat(json(ok.body()).path("items").get(0).path("id").asText())
                .isEqualTo(ProviderApis.eventsOf(Accounts.GOOGLE_EDSGER).get(0).id());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none.body()).path("error").path("status").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("invalid_token"));
    }

    private HttpResponse<String> redeemOverHttp(String code) throws IOException, InterruptedException {
        return send(formPost(server.salesforceLoginHost() + "/services/oauth2/token", redemption(code)));
    }

    private Map<String, String> redemption(String code) {
        Map<String, String> form = sandbox.clientForm(SF);
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", SandboxFixture.REDIRECT_URI);
        return form;
    }

    private static HttpRequest.Builder formPost(String url, Map<String, String> form) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
