package dev.conduit.demoapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Set;

import com.sun.net.httpserver.HttpServer;
import dev.conduit.example.ExchangeWire;
import dev.conduit.example.UpstreamToken;
import dev.conduit.example.UpstreamTokenRefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fetch flow against a fake provider API (the JDK's HTTP server) and fake exchanges. */
class FetcherTest {

    private static final String SUBJECT = "eyJhbGciOiJSUzI1NiJ9.subject-token-of-ada.signature-part";
    private static final String ENDED = "00D5g000004AcmeEAA!ended-session-token-value";
    private static final String FRESH = "00D5g000004AcmeEAA!fresh-session-token-value";
    private static final String CONTACTS = "{\"totalSize\":2,\"done\":true,\"records\":["
            + "{\"Id\":\"0035g01\",\"Name\":\"Olivia Okafor\",\"Email\":\"olivia@client.example\"},"
            + "{\"Id\":\"0035g02\",\"Name\":\"<img src=x onerror=alert(1)>\",\"Email\":\"x@client.example\"}]}";

    private HttpServer provider;
    private final List<String> authorizations = new ArrayList<>();
    private final List<String> exchanges = new ArrayList<>();
    private DemoAppConfig config;

    @BeforeEach
    void startProvider() throws IOException {
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/salesforce/instance/services/data/v62.0/query", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization);
            boolean live = ("Bearer " + FRESH).equals(authorization);
            byte[] body = (live ? CONTACTS : "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(live ? 200 : 401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        provider.start();
        config = OidcClientTest.CONFIG;
    }

    @AfterEach
    void stopProvider() {
        provider.stop(0);
    }

    private String instanceUrl() {
        return "http://localhost:" + provider.getAddress().getPort() + "/salesforce/instance";
    }

    private UpstreamToken token(String value) {
        return new UpstreamToken("salesforce", value, 7200, Set.of("api"), "0055g00000AdaLoEAA", instanceUrl(), null,
                "00D5g000004AcmeEAA", null);
    }

    private Fetcher fetcher(Fetcher.Exchanges fake) {
        return new Fetcher(fake, "http://localhost:8080/realms/conduit-demo/protocol/openid-connect/token", config,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    @Test
    void theExchangeIsShownAsItWentOverTheWireWithEveryTokenMasked() {
        String answer = "{\"access_token\":\"" + FRESH + "\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\","
                + "\"token_type\":\"Bearer\",\"expires_in\":7199,\"refresh_token\":\"never-sent-but-masked-if-it-were\","
                + "\"identity_provider\":\"salesforce\"}";
        Fetcher fetcher = fetcher(new Fetcher.Exchanges() {
            @Override
            public UpstreamToken exchange(String subjectToken, String alias, String organization, Consumer<ExchangeWire> wire) {
                wire.accept(new ExchangeWire(URI.create("http://localhost:8080/realms/conduit-demo/protocol/openid-connect/token"),
                        List.of(java.util.Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                                java.util.Map.entry("subject_token", subjectToken), java.util.Map.entry("audience", alias)),
                        200, answer));
                return token(FRESH);
            }

            @Override
            public UpstreamToken replacing(String subjectToken, UpstreamToken refused, Consumer<ExchangeWire> wire) {
                throw new AssertionError("not refused");
            }
        });

        FetchResult result = fetcher.fetch(SUBJECT, ProviderApi.SALESFORCE, null);

        ExchangeView shown = result.steps().get(0).exchange();
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.requestText()).contains("subject_token=" + Text.mask(SUBJECT), "audience=salesforce")
                .doesNotContain(SUBJECT).doesNotContain("requested_token_type"); // what was sent, not what the app assumes
        assertThat(shown.answer()).contains("\"issued_token_type\" : \"urn:ietf:params:oauth:token-type:access_token\"",
                "\"token_type\" : \"Bearer\"", Text.mask(FRESH), Text.mask("never-sent-but-masked-if-it-were"))
                .doesNotContain(FRESH).doesNotContain("never-sent-but-masked-if-it-were");
    }

    @Test
    void anAnswerThatIsNotJsonIsShownBoundedAndAsText() {
        String page = "<html>" + "x".repeat(5000) + "</html>";
        assertThat(ExchangeView.maskedAnswer(page)).startsWith("(not JSON) <html>").hasSizeLessThan(Text.MAX_SHOWN_LENGTH + 20);
    }

    @Test
    void aTokenTheProviderRefusesIsReplacedOnceAndTheRecordsAreShown() {
        Fetcher fetcher = fetcher(new Fetcher.Exchanges() {
            @Override
            public UpstreamToken exchange(String subjectToken, String alias, String organization, Consumer<ExchangeWire> wire) {
                exchanges.add("first");
                return token(ENDED);
            }

            @Override
            public UpstreamToken replacing(String subjectToken, UpstreamToken refused, Consumer<ExchangeWire> wire) {
                exchanges.add("replacing " + refused.accessToken().equals(ENDED));
                return token(FRESH);
            }
        });

        FetchResult result = fetcher.fetch(SUBJECT, ProviderApi.SALESFORCE, null);

        assertThat(result.outcome()).isEqualTo(FetchResult.Outcome.RECOVERED);
        assertThat(result.sentence()).startsWith("The provider refused the token (401); asked Conduit for a fresh one");
        assertThat(exchanges).containsExactly("first", "replacing true");
        assertThat(authorizations).containsExactly("Bearer " + ENDED, "Bearer " + FRESH);
        assertThat(result.rows()).extracting(row -> row.get(0)).containsExactly("Olivia Okafor", "<img src=x onerror=alert(1)>");
        assertThat(result.steps()).hasSize(2);
        assertThat(result.steps().get(0).call().status()).isEqualTo(401);
        assertThat(result.steps().get(1).exchange().requestText())
                .contains("conduit_refused_token_sha256=" + Text.sha256Base64Url(ENDED));

        // what the page shows: no token in full anywhere, provider text escaped
        String page = Page.signedIn(new Page.SignedIn(new DemoSession.SignedInPerson("s", "Ada", "ada", List.of()),
                "csrf-value", Connections.read(null), null, List.of(), result, null));
        assertThat(page).doesNotContain(SUBJECT, ENDED, FRESH, "<img src=x");
        assertThat(page).contains("&lt;img src=x onerror=alert(1)&gt;", "id=\"records\"", "class=\"record\"",
                "id=\"exchange\"", "subject_token=" + Text.mask(SUBJECT), Text.mask(FRESH));
    }

    @Test
    void aConnectionNeverMadeSaysSoAndOffersConnect() {
        Fetcher fetcher = fetcher(new Fetcher.Exchanges() {
            @Override
            public UpstreamToken exchange(String subjectToken, String alias, String organization, Consumer<ExchangeWire> wire) {
                throw new UpstreamTokenRefusedException(400, "invalid_target", "No salesforce connection", "not_connected",
                        "http://localhost:8080/realms/conduit-demo/protocol/openid-connect/auth?client_id=conduit-demo-app"
                                + "&kc_action=idp_link:salesforce&redirect_uri={your callback}&state={state}");
            }

            @Override
            public UpstreamToken replacing(String subjectToken, UpstreamToken refused, Consumer<ExchangeWire> wire) {
                throw new AssertionError("nothing to replace");
            }
        });

        FetchResult result = fetcher.fetch(SUBJECT, ProviderApi.SALESFORCE, null);

        assertThat(result.outcome()).isEqualTo(FetchResult.Outcome.EXCHANGE_REFUSED);
        assertThat(result.sentence()).isEqualTo("You have not connected Salesforce yet. Connect it, then fetch again.");
        assertThat(result.fix().kind()).isEqualTo(Authorization.Purpose.Kind.CONNECT);
        assertThat(result.steps()).singleElement().satisfies(step -> {
            assertThat(step.call()).isNull();
            assertThat(step.exchange().status()).isEqualTo(400);
            assertThat(step.exchange().answer()).contains("\"conduit_error\" : \"not_connected\"");
        });
        assertThat(authorizations).as("no API call without a token").isEmpty();
    }

    @Test
    void aMissingPermissionOffersGrantMoreAccessForTheScopesConduitNamed() {
        Fetcher fetcher = fetcher(new Fetcher.Exchanges() {
            @Override
            public UpstreamToken exchange(String subjectToken, String alias, String organization, Consumer<ExchangeWire> wire) {
                throw new UpstreamTokenRefusedException(400, "invalid_scope", "not granted", "insufficient_scope",
                        "http://kc/auth?kc_action=idp_link:hubspot&conduit_scope=crm.objects.contacts.read&redirect_uri={your callback}");
            }

            @Override
            public UpstreamToken replacing(String subjectToken, UpstreamToken refused, Consumer<ExchangeWire> wire) {
                throw new AssertionError("nothing to replace");
            }
        });

        FetchResult result = fetcher.fetch(SUBJECT, ProviderApi.HUBSPOT, "acme");

        assertThat(result.fix()).isEqualTo(new Authorization.Purpose(Authorization.Purpose.Kind.GRANT_MORE, "hubspot",
                "acme", "crm.objects.contacts.read"));
        assertThat(result.sentence()).contains("Grant more access");
        assertThat(result.steps().get(0).exchange().requestText()).contains("organization=acme");
    }

    @Test
    void anInstanceUrlThatIsNotHttpIsNeverCalled() {
        Fetcher fetcher = fetcher(new Fetcher.Exchanges() {
            @Override
            public UpstreamToken exchange(String subjectToken, String alias, String organization, Consumer<ExchangeWire> wire) {
                return new UpstreamToken("salesforce", FRESH, 60, Set.of("api"), null, "file:///etc/passwd", null, null, null);
            }

            @Override
            public UpstreamToken replacing(String subjectToken, UpstreamToken refused, Consumer<ExchangeWire> wire) {
                throw new AssertionError("nothing to replace");
            }
        });
        FetchResult result = fetcher.fetch(SUBJECT, ProviderApi.SALESFORCE, null);
        assertThat(result.outcome()).isEqualTo(FetchResult.Outcome.FAILED);
        assertThat(result.steps().get(0).call()).isNull();
        assertThat(ProviderApi.SALESFORCE.requestUri(token(FRESH), config))
                .isEqualTo(URI.create(instanceUrl() + "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact"));
    }
}
