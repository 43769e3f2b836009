package dev.conduit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The example client against a local stand-in for Keycloak's token endpoint: the request it sends, the answers it reads. */
class UpstreamTokensTest {

    private static final String SUBJECT = "eyJ.subject.token";
    private static final String UPSTREAM = "00D5g!upstream.token";
    private static final String SECRET = "s3cret/with+chars";

    private HttpServer server;
    private volatile int status = 200;
    private volatile String answer = "{}";
    private volatile String contentType = "application/json";
    private volatile long delayMillis;
    private volatile Map<String, String> form = Map.of();
    private final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();
    /** Answers served in turn before {@link #answer}. */
    private final Queue<String> nextAnswers = new ConcurrentLinkedQueue<>();
    private volatile String authorization;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/realms/conduit-demo/protocol/openid-connect/token", exchange -> {
            form = decode(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            forms.add(form);
            authorization = exchange.getRequestHeaders().getFirst("Authorization");
            pause(delayMillis);
            String next = nextAnswers.poll();
            byte[] body = (next == null ? answer : next).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String keycloakUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private UpstreamTokens tokens() {
        return UpstreamTokens.forRealm(keycloakUrl() + "/", "conduit-demo", "conduit-internal-app", SECRET);
    }

    @Test
    void aUsersSalesforceTokenComesWithTheInstanceUrlAndOrgId() {
        answer = """
                {"access_token":"%s","issued_token_type":"urn:ietf:params:oauth:token-type:access_token",
                 "token_type":"Bearer","expires_in":7140,"scope":"api refresh_token openid",
                 "identity_provider":"salesforce","account_id":"0055g00000AdaLoEAA",
                 "instance_url":"https://acme.my.salesforce.com","organization_id":"00D5g000004AcmeEAA"}""".formatted(UPSTREAM);

        UpstreamToken token = tokens().forUser(SUBJECT, "salesforce");

        assertThat(token.accessToken()).isEqualTo(UPSTREAM);
        assertThat(token.provider()).isEqualTo("salesforce");
        assertThat(token.expiresIn()).isEqualTo(7140);
        assertThat(token.scopes()).containsExactlyInAnyOrder("api", "refresh_token", "openid");
        assertThat(token.accountId()).isEqualTo("0055g00000AdaLoEAA");
        assertThat(token.instanceUrl()).isEqualTo("https://acme.my.salesforce.com");
        assertThat(token.organizationId()).isEqualTo("00D5g000004AcmeEAA");
        assertThat(token.hubId()).isNull();

        assertThat(form).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
                .containsEntry("subject_token", SUBJECT)
                .containsEntry("subject_token_type", "urn:ietf:params:oauth:token-type:access_token")
                .containsEntry("requested_token_type", "urn:ietf:params:oauth:token-type:access_token")
                .containsEntry("audience", "salesforce")
                .doesNotContainKeys("organization", "client_secret", "client_id");
        assertThat(basicCredentials()).isEqualTo("conduit-internal-app:" + SECRET);
    }

    @Test
    void anObserverSeesEachExchangeAsItWentOverTheWireWithoutTheClientSecret() {
        answer = """
                {"access_token":"%s","token_type":"Bearer","expires_in":60,"identity_provider":"salesforce"}""".formatted(UPSTREAM);
        List<ExchangeWire> seen = new CopyOnWriteArrayList<>();

        tokens().observedBy(seen::add).forUser(SUBJECT, "salesforce");

        assertThat(seen).hasSize(1);
        ExchangeWire wire = seen.get(0);
        assertThat(wire.endpoint().toString()).isEqualTo(keycloakUrl() + "/realms/conduit-demo/protocol/openid-connect/token");
        // exactly what the token endpoint received
        assertThat(wire.form()).extracting(Map.Entry::getKey).containsExactlyInAnyOrderElementsOf(form.keySet());
        assertThat(wire.form()).contains(Map.entry("subject_token", SUBJECT), Map.entry("audience", "salesforce"));
        assertThat(wire.status()).isEqualTo(200);
        assertThat(wire.body()).contains(UPSTREAM);
        assertThat(wire.toString()).doesNotContain(SUBJECT).doesNotContain(UPSTREAM);
        assertThat(wire.form()).extracting(Map.Entry::getValue).doesNotContain(SECRET);
    }

    @Test
    void anObserverNeverGetsAClientSecretSentInTheForm() {
        ExchangeWire wire = ExchangeWire.of(URI.create("http://kc/token"),
                "grant_type=x&client_id=app&client_secret=" + SECRET + "&subject_token=" + SUBJECT, 400, "{}");

        assertThat(wire.form()).containsExactly(Map.entry("grant_type", "x"), Map.entry("client_id", "app"),
                Map.entry("client_secret", ExchangeWire.WITHHELD), Map.entry("subject_token", SUBJECT));
    }

    @Test
    void anObserverIsToldOfAnExchangeThatGotNoAnswer() {
        List<ExchangeWire> seen = new CopyOnWriteArrayList<>();
        UpstreamTokens unreachable = UpstreamTokens.forRealm("http://127.0.0.1:1", "conduit-demo", "conduit-internal-app", SECRET)
                .observedBy(seen::add);

        assertThatThrownBy(() -> unreachable.forUser(SUBJECT, "salesforce")).isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(seen).singleElement().satisfies(w -> {
            assertThat(w.status()).isZero();
            assertThat(w.body()).isNull();
        });
    }

    @Test
    void anOrganizationsHubSpotTokenIsAskedForWithTheOrganizationAndComesWithTheHubId() {
        answer = """
                {"access_token":"CKr.hubspot","token_type":"Bearer","expires_in":1700,"scope":"oauth crm.objects.contacts.read",
                 "identity_provider":"hubspot","account_id":"7100101","hub_id":"4242001"}""";

        UpstreamToken token = tokens().forOrganization(SUBJECT, "hubspot", "acme");

        assertThat(form).containsEntry("audience", "hubspot").containsEntry("organization", "acme");
        assertThat(token.hubId()).isEqualTo("4242001");
        assertThat(token.instanceUrl()).isNull();
        assertThat(token.organizationId()).isNull();
    }

    @Test
    void aMissingConnectionIsARefusalThatSaysWhereToSendTheUser() {
        status = 400;
        answer = """
                {"error":"invalid_target","error_description":"No salesforce connection for this user",
                 "conduit_error":"not_connected",
                 "connect_uri":"http://kc/realms/conduit-demo/protocol/openid-connect/auth?client_id=app&kc_action=idp_link%3Asalesforce&redirect_uri={your callback}&state={state}"}""";

        UpstreamTokenRefusedException refused = assertThrows(UpstreamTokenRefusedException.class,
                () -> tokens().forUser(SUBJECT, "salesforce"));

        assertThat(refused.httpStatus()).isEqualTo(400);
        assertThat(refused.error()).isEqualTo("invalid_target");
        assertThat(refused.conduitError()).isEqualTo(UpstreamTokenRefusedException.NOT_CONNECTED);
        assertThat(refused.connectUri()).contains("kc_action=idp_link%3Asalesforce");
        assertThat(refused.needsUser()).isTrue();
        assertThat(refused.isTemporary()).isFalse();
        assertThat(refused.getMessage()).contains("invalid_target", "not_connected").doesNotContain(SUBJECT, SECRET);
    }

    @Test
    void aProviderOutageIsATemporaryRefusalNoPersonCanFix() {
        status = 503;
        answer = "{\"error\":\"temporarily_unavailable\",\"error_description\":\"salesforce did not answer\"}";

        UpstreamTokenRefusedException refused = assertThrows(UpstreamTokenRefusedException.class,
                () -> tokens().forUser(SUBJECT, "salesforce"));

        assertThat(refused.isTemporary()).isTrue();
        assertThat(refused.needsUser()).isFalse();
        assertThat(refused.conduitError()).isNull();
    }

    @Test
    void aProxysErrorPageIsARefusalWithoutAnErrorCode() {
        status = 502;
        contentType = "text/html";
        answer = "<html><body>Bad gateway</body></html>";

        UpstreamTokenRefusedException refused = assertThrows(UpstreamTokenRefusedException.class,
                () -> tokens().forUser(SUBJECT, "google"));

        assertThat(refused.httpStatus()).isEqualTo(502);
        assertThat(refused.error()).isNull();
        assertThat(refused.needsUser()).isFalse();
    }

    @Test
    void aMalformedSuccessAnswerFailsWithoutRepeatingIt() {
        answer = "{\"access_token\":\"" + UPSTREAM + "\"}";

        assertThatThrownBy(() -> tokens().forUser(SUBJECT, "salesforce"))
                .isInstanceOf(IllegalStateException.class)
                .hasNoCause()
                .message().doesNotContain(UPSTREAM);
    }

    @Test
    void aTokenEndpointThatDoesNotAnswerInTimeFailsAfterTheReadTimeout() {
        delayMillis = 2000;
        UpstreamTokens impatient = new UpstreamTokens(
                URI.create(keycloakUrl() + "/realms/conduit-demo/protocol/openid-connect/token"),
                new ClientSecretBasic(new ClientID("conduit-internal-app"), new Secret(SECRET)),
                Duration.ofSeconds(1), Duration.ofMillis(200));

        long started = System.nanoTime();
        assertThrows(UncheckedIOException.class, () -> impatient.forUser(SUBJECT, "salesforce"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void theTokensStringFormNeverShowsTheToken() {
        UpstreamToken token = new UpstreamToken("hubspot", UPSTREAM, 60, null, "7100101", null, "4242001", null, "acme");

        assertThat(token.toString()).doesNotContain(UPSTREAM).contains("hubspot", "4242001", "***");
        assertThat(token.scopes()).isEmpty();
    }

    @Test
    void theCommandLinePrintsWhatCameBackButNotTheToken() {
        answer = """
                {"access_token":"%s","token_type":"Bearer","expires_in":7140,"scope":"api",
                 "identity_provider":"salesforce","account_id":"0055g00000AdaLoEAA",
                 "instance_url":"https://acme.my.salesforce.com","organization_id":"00D5g000004AcmeEAA"}""".formatted(UPSTREAM);
        Map<String, String> env = new HashMap<>(Map.of("KEYCLOAK_URL", keycloakUrl(), "REALM", "conduit-demo",
                "CLIENT_ID", "conduit-internal-app", "CLIENT_SECRET", SECRET, "SUBJECT_TOKEN", SUBJECT,
                "PROVIDER", "salesforce", "ORGANIZATION", "acme"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = FetchUpstreamToken.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(form).containsEntry("organization", "acme");
        assertThat(printed).contains("salesforce", "7140", "https://acme.my.salesforce.com", "00D5g000004AcmeEAA")
                .doesNotContain(UPSTREAM, SUBJECT, SECRET);
    }

    @Test
    void theCommandLineNamesWhatIsMissingAndSendsNothing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = FetchUpstreamToken.run(Map.of("KEYCLOAK_URL", keycloakUrl(), "REALM", "conduit-demo"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(64);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("CLIENT_ID", "CLIENT_SECRET", "SUBJECT_TOKEN", "PROVIDER");
        assertThat(form).isEmpty();
    }

    @Test
    void theRefusedTokensHashIsEncodedAsDpopsAth() {
        // RFC 9449 section 4.3 (example DPoP proof for a protected resource): this access token's ath
        assertThat(UpstreamTokens.refusedTokenSha256("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"))
                .isEqualTo("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }

    @Test
    void aReplacementIsAskedForTheSameConnectionWithTheRefusedTokensHashNotTheToken() {
        answer = tokenAnswer("hubspot", "CKr.hubspot.fresh");
        UpstreamToken refused = new UpstreamToken("hubspot", "CKr.hubspot.refused", 60, null, "7100101", null, "4242001",
                null, "acme");

        UpstreamToken fresh = tokens().replacing(SUBJECT, refused);

        assertThat(fresh.accessToken()).isEqualTo("CKr.hubspot.fresh");
        assertThat(fresh.organization()).isEqualTo("acme");
        assertThat(form).containsEntry("audience", "hubspot").containsEntry("organization", "acme")
                .containsEntry("subject_token", SUBJECT)
                .containsEntry("conduit_refused_token_sha256", UpstreamTokens.refusedTokenSha256("CKr.hubspot.refused"));
        assertThat(form.values()).doesNotContain("CKr.hubspot.refused");
    }

    @Test
    void theUsersOwnTokenHasNoOrganizationAndItsReplacementAsksForNone() {
        answer = tokenAnswer("salesforce", UPSTREAM);
        UpstreamToken first = tokens().forUser(SUBJECT, "salesforce");
        assertThat(first.organization()).isNull();

        tokens().replacing(SUBJECT, first);

        assertThat(form).doesNotContainKey("organization").containsEntry("audience", "salesforce")
                .containsKey("conduit_refused_token_sha256");
    }

    @Test
    void aCallAnswered401IsMadeOnceMoreWithTheReplacementAndItsAnswerReturned() throws Exception {
        nextAnswers.add(tokenAnswer("salesforce", "00D!first"));
        answer = tokenAnswer("salesforce", "00D!second");
        List<String> usedTokens = new CopyOnWriteArrayList<>();

        String body = tokens().call(SUBJECT, "salesforce", null, token -> {
            usedTokens.add(token.accessToken());
            return token.accessToken().equals("00D!first") ? new UpstreamCall.Answer<>(401, "INVALID_SESSION_ID")
                    : new UpstreamCall.Answer<>(200, "contacts");
        });

        assertThat(body).isEqualTo("contacts");
        assertThat(usedTokens).containsExactly("00D!first", "00D!second");
        assertThat(forms).hasSize(2);
        assertThat(forms.get(0)).doesNotContainKey("conduit_refused_token_sha256");
        assertThat(forms.get(1)).containsEntry("conduit_refused_token_sha256", UpstreamTokens.refusedTokenSha256("00D!first"))
                .containsEntry("audience", "salesforce");
    }

    @Test
    void aSecond401IsReturnedAsItIsWithoutAThirdTry() throws Exception {
        answer = tokenAnswer("google", "ya29.refused");
        int[] calls = {0};

        String body = tokens().call(SUBJECT, "google", "acme", token -> {
            calls[0]++;
            return new UpstreamCall.Answer<>(401, "UNAUTHENTICATED " + calls[0]);
        });

        assertThat(body).isEqualTo("UNAUTHENTICATED 2");
        assertThat(calls[0]).isEqualTo(2);
        assertThat(forms).hasSize(2);
        assertThat(forms).allSatisfy(sent -> assertThat(sent).containsEntry("organization", "acme"));
    }

    @Test
    void anAnswerOtherThan401IsReturnedWithoutAskingForAReplacement() throws Exception {
        answer = tokenAnswer("hubspot", "CKr.hubspot");
        int[] calls = {0};

        Integer status = tokens().call(SUBJECT, "hubspot", null, token -> {
            calls[0]++;
            return new UpstreamCall.Answer<>(403, 403);
        });

        assertThat(status).isEqualTo(403);
        assertThat(calls[0]).isOne();
        assertThat(forms).hasSize(1);
    }

    @Test
    void aRefusedReplacementReachesTheCallerAsARefusal() {
        nextAnswers.add(tokenAnswer("salesforce", "00D!first"));
        status = 200;
        int[] calls = {0};
        UpstreamTokens tokens = tokens();

        UpstreamTokenRefusedException refused = assertThrows(UpstreamTokenRefusedException.class,
                () -> tokens.call(SUBJECT, "salesforce", null, token -> {
                    calls[0]++;
                    // from now on the token endpoint refuses: the connection was limited
                    status = 503;
                    answer = "{\"error\":\"temporarily_unavailable\",\"error_description\":\"refused too often\"}";
                    return new UpstreamCall.Answer<>(401, null);
                }));

        assertThat(refused.isTemporary()).isTrue();
        assertThat(calls[0]).isOne();
    }

    private static String tokenAnswer(String provider, String accessToken) {
        return """
                {"access_token":"%s","token_type":"Bearer","expires_in":3600,"scope":"api",
                 "identity_provider":"%s","account_id":"acct"}""".formatted(accessToken, provider);
    }

    private String basicCredentials() {
        assertThat(authorization).startsWith("Basic ");
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        // RFC 6749 2.3.1: both parts are form-encoded before Basic
        return URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8) + ":"
                + URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
    }

    private static Map<String, String> decode(String body) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static void pause(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
