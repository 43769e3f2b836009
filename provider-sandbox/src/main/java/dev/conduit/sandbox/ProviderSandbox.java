package dev.conduit.sandbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * Salesforce, HubSpot and Google OAuth endpoints on one WireMock server, under {@code /salesforce},
 * {@code /hubspot} and {@code /google}. WireMock serves HTTP, keeps its request journal and applies faults;
 * {@link SandboxEngine} holds the providers' behaviour.
 */
public final class ProviderSandbox implements AutoCloseable {

    private static final String TRANSFORMER = "conduit-provider-sandbox";
    /** A slow body comes in this many pieces (fewer if it is shorter), evenly spread over the fault's time. */
    private static final int SLOW_BODY_PIECES = 20;

    private final WireMockServer server;
    private final SandboxEngine engine;

    private ProviderSandbox(WireMockServer server, SandboxEngine engine) {
        this.server = server;
        this.engine = engine;
    }

    /** Starts on {@code port} (0 = any free port) on the loopback interface. */
    public static ProviderSandbox start(int port) {
        SandboxEngine engine = new SandboxEngine(Clock.systemUTC());
        WireMockServer server = new WireMockServer(options()
                .port(port)
                .bindAddress("127.0.0.1")
                .containerThreads(32)
                .disableRequestJournal()
                // an answer is sent as written: a slow body's pieces are not held back by a compressor
                .gzipDisabled(true)
                .extensions(new Transformer(engine)));
        server.start();
        engine.baseUrl("http://localhost:" + server.port());
        server.stubFor(any(urlPathMatching("/(salesforce|hubspot|google)/.*"))
                .willReturn(aResponse().withTransformers(TRANSFORMER)));
        return new ProviderSandbox(server, engine);
    }

    public SandboxEngine engine() {
        return engine;
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return "http://localhost:" + server.port();
    }

    public String salesforceLoginHost() {
        return baseUrl() + "/salesforce";
    }

    public String hubspotAuthorizationUrl() {
        return baseUrl() + "/hubspot/oauth/authorize";
    }

    public String hubspotApiBaseUrl() {
        return baseUrl() + "/hubspot";
    }

    public String googleBaseUrl() {
        return baseUrl() + "/google";
    }

    public WireMockServer wireMock() {
        return server;
    }

    @Override
    public void close() {
        server.stop();
    }

    /** Routes every provider request to the engine, and applies an injected fault if one is queued. */
    private static final class Transformer implements ResponseDefinitionTransformerV2 {
        private final SandboxEngine engine;

        Transformer(SandboxEngine engine) {
            this.engine = engine;
        }

        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            Request request = serveEvent.getRequest();
            URI uri = URI.create(request.getUrl());
            String path = uri.getRawPath();
            String prefix = path.substring(1, path.indexOf('/', 1));
            Provider provider = Provider.valueOf(prefix.toUpperCase());
            String rest = path.substring(prefix.length() + 1);
            Endpoint endpoint = SandboxEngine.classify(provider, request.getMethod().getName(), rest);

            Map<String, String> headers = new LinkedHashMap<>();
            for (HttpHeader header : request.getHeaders().all()) {
                headers.put(header.key().toLowerCase(), header.firstValue());
            }
            String contentType = headers.getOrDefault("content-type", "");
            Map<String, String> form = contentType.startsWith("application/x-www-form-urlencoded")
                    ? parse(request.getBodyAsString()) : Map.of();
            Fault fault = engine.takeFault(provider, endpoint);
            if (fault != null && !fault.answersForReal()) {
                engine.countReceived(provider, endpoint, form.get("grant_type"));
                return faultResponse(fault);
            }
            Reply reply = engine.handle(provider, request.getMethod().getName(), rest, parse(uri.getRawQuery()),
                    form, headers);
            ResponseDefinitionBuilder response = ResponseDefinitionBuilder.responseDefinition()
                    .withStatus(reply.status())
                    .withHeader("Content-Type", reply.contentType())
                    .withBody(reply.body());
            reply.headers().forEach(response::withHeader);
            if (fault != null && fault.kind() == Fault.Kind.DELAY) {
                response.withFixedDelay((int) fault.delayMillis());
            } else if (fault != null) {
                response.withChunkedDribbleDelay(SLOW_BODY_PIECES, (int) fault.delayMillis());
            }
            return response.build();
        }

        private static ResponseDefinition faultResponse(Fault fault) {
            ResponseDefinitionBuilder response = ResponseDefinitionBuilder.responseDefinition();
            switch (fault.kind()) {
                case CONNECTION_RESET -> response.withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER);
                case EMPTY_RESPONSE -> response.withFault(com.github.tomakehurst.wiremock.http.Fault.EMPTY_RESPONSE);
                default -> {
                    response.withStatus(fault.status())
                            .withHeader("Content-Type", "application/json")
                            .withBody(fault.body() == null ? "" : fault.body());
                    if (fault.retryAfterSeconds() > 0) {
                        response.withHeader("Retry-After", String.valueOf(fault.retryAfterSeconds()));
                    }
                }
            }
            return response.build();
        }

        private static Map<String, String> parse(String raw) {
            Map<String, String> values = new LinkedHashMap<>();
            if (raw == null || raw.isEmpty()) {
                return values;
            }
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(key, value);
            }
            return values;
        }
    }

}
