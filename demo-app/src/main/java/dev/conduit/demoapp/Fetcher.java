package dev.conduit.demoapp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conduit.example.ExchangeWire;
import dev.conduit.example.UpstreamToken;
import dev.conduit.example.UpstreamTokenRefusedException;

/**
 * "Fetch my ...": exchanges the person's Keycloak token for the upstream token (RFC 8693, through the example
 * internal app's library), calls the provider's API with it and reads the records. When the provider refuses the
 * token (401: its session ended early, as Salesforce's can), it asks Conduit once for a fresh one in place of the
 * refused one and calls again. Every exchange and call is kept for the page, tokens masked.
 */
final class Fetcher {

    /** The library calls this class makes; {@link LibraryExchanges} in the app, a fake in unit tests. */
    interface Exchanges {
        /** The person's ({@code organization} null) or an organization's upstream token; {@code wire} sees the exchange. */
        UpstreamToken exchange(String subjectToken, String provider, String organization, Consumer<ExchangeWire> wire);

        /** A fresh upstream token for the same connection, in place of {@code refused}, which the provider answered 401. */
        UpstreamToken replacing(String subjectToken, UpstreamToken refused, Consumer<ExchangeWire> wire);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Exchanges exchanges;
    private final String tokenEndpoint;
    private final String clientId;
    private final DemoAppConfig config;
    private final HttpClient http;

    Fetcher(Exchanges exchanges, String tokenEndpoint, DemoAppConfig config, HttpClient http) {
        this.exchanges = exchanges;
        this.tokenEndpoint = tokenEndpoint;
        this.clientId = config.internalClientId();
        this.config = config;
        this.http = http;
    }

    FetchResult fetch(String subjectToken, ProviderApi api, String organization) {
        List<FetchResult.Step> steps = new ArrayList<>();
        ExchangeView first = ExchangeView.request(tokenEndpoint, clientId, subjectToken, api.alias(), organization, null);
        Wires wires = new Wires();
        UpstreamToken token;
        try {
            token = exchanges.exchange(subjectToken, api.alias(), organization, wires);
        } catch (UpstreamTokenRefusedException refusal) {
            steps.add(new FetchResult.Step(wires.view(clientId, first.refused(refusal)), null));
            return refused(api, organization, steps, refusal, "");
        } catch (UncheckedIOException e) {
            steps.add(new FetchResult.Step(wires.view(clientId, first.unanswered("Keycloak did not answer the exchange")), null));
            return result(api, organization, steps, List.of(), FetchResult.Outcome.FAILED,
                    "Keycloak did not answer the token exchange; is it running?", null);
        }
        ApiCall call;
        try {
            call = ApiCall.get(http, api.requestUri(token, config), token.accessToken());
        } catch (IllegalArgumentException e) {
            steps.add(new FetchResult.Step(wires.view(clientId, first.answered(token)), null));
            return result(api, organization, steps, List.of(), FetchResult.Outcome.FAILED,
                    "Cannot call " + api.displayName() + ": " + e.getMessage() + ".", null);
        }
        steps.add(new FetchResult.Step(wires.view(clientId, first.answered(token)), call));
        if (call.status() != 401) {
            return answered(api, organization, steps, call, false);
        }

        // the provider refused a token Conduit considered valid: ask once for a fresh one in its place
        String refusedHash = Text.sha256Base64Url(token.accessToken());
        ExchangeView second = ExchangeView.request(tokenEndpoint, clientId, subjectToken, api.alias(), organization,
                refusedHash);
        String refusedSentence = "The provider refused the token (401); asked Conduit for a fresh one";
        UpstreamToken fresh;
        try {
            fresh = exchanges.replacing(subjectToken, token, wires);
        } catch (UpstreamTokenRefusedException refusal) {
            steps.add(new FetchResult.Step(wires.view(clientId, second.refused(refusal)), null));
            return refused(api, organization, steps, refusal, refusedSentence + ", and Conduit refused: ");
        } catch (UncheckedIOException e) {
            steps.add(new FetchResult.Step(wires.view(clientId, second.unanswered("Keycloak did not answer the exchange")), null));
            return result(api, organization, steps, List.of(), FetchResult.Outcome.FAILED,
                    refusedSentence + ", but Keycloak did not answer.", null);
        }
        ApiCall again = ApiCall.get(http, api.requestUri(fresh, config), fresh.accessToken());
        steps.add(new FetchResult.Step(wires.view(clientId, second.answered(fresh)), again));
        return answered(api, organization, steps, again, true);
    }

    /** The exchanges the library reported as they went over the wire, each taken once for its step. */
    private static final class Wires implements Consumer<ExchangeWire> {
        private final java.util.ArrayDeque<ExchangeWire> seen = new java.util.ArrayDeque<>();

        @Override
        public void accept(ExchangeWire wire) {
            seen.add(wire);
        }

        /** The step's exchange as seen on the wire, or {@code rebuilt} when the library reported none. */
        ExchangeView view(String clientId, ExchangeView rebuilt) {
            ExchangeWire wire = seen.poll();
            return wire == null ? rebuilt : ExchangeView.wire(wire, clientId);
        }
    }

    private FetchResult answered(ProviderApi api, String organization, List<FetchResult.Step> steps, ApiCall call,
            boolean recovered) {
        String prefix = recovered ? "The provider refused the token (401); asked Conduit for a fresh one. " : "";
        if (call.status() == 0) {
            return result(api, organization, steps, List.of(), FetchResult.Outcome.FAILED,
                    prefix + api.displayName() + " did not answer (" + call.failure() + ").", null);
        }
        if (call.status() != 200) {
            return result(api, organization, steps, List.of(), FetchResult.Outcome.API_REFUSED,
                    prefix + api.displayName() + " refused the call (HTTP " + call.status() + ").", null);
        }
        JsonNode body;
        try {
            body = JSON.readTree(call.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            return result(api, organization, steps, List.of(), FetchResult.Outcome.FAILED,
                    prefix + api.displayName() + "'s answer is not the JSON the app expects.", null);
        }
        List<List<String>> rows = api.rows(body);
        String whose = organization == null ? "your" : organization + "'s";
        return result(api, organization, steps, rows,
                recovered ? FetchResult.Outcome.RECOVERED : FetchResult.Outcome.FETCHED,
                prefix + "Fetched " + rows.size() + " of " + whose + " " + api.displayName() + " " + api.recordsName()
                        + " with a token brokered by Conduit.", null);
    }

    private FetchResult refused(ProviderApi api, String organization, List<FetchResult.Step> steps,
            UpstreamTokenRefusedException refusal, String prefix) {
        String name = api.displayName();
        String conduitError = refusal.conduitError();
        Authorization.Purpose fix = null;
        String sentence;
        if (UpstreamTokenRefusedException.NOT_CONNECTED.equals(conduitError)) {
            sentence = organization == null
                    ? "You have not connected " + name + " yet. Connect it, then fetch again."
                    : organization + " has no " + name + " connection yet: one of its Conduit admins connects it.";
            fix = new Authorization.Purpose(Authorization.Purpose.Kind.CONNECT, api.alias(), organization, null);
        } else if (UpstreamTokenRefusedException.RECONNECT_REQUIRED.equals(conduitError)) {
            sentence = name + " no longer accepts the connection Conduit holds"
                    + (organization == null ? "" : " for " + organization) + ". Reconnect it, then fetch again.";
            fix = new Authorization.Purpose(Authorization.Purpose.Kind.RECONNECT, api.alias(), organization, null);
        } else if ("insufficient_scope".equals(conduitError)) {
            String missing = queryParameter(refusal.connectUri(), "conduit_scope");
            sentence = "The " + name + " connection was not granted what this call needs"
                    + (missing == null ? "" : " (" + missing + ")") + ". Grant more access, then fetch again.";
            fix = new Authorization.Purpose(Authorization.Purpose.Kind.GRANT_MORE, api.alias(), organization,
                    missing == null ? api.moreAccessScopes() : missing);
        } else if (refusal.isTemporary()) {
            sentence = name + " cannot refresh the token right now; try again in a minute.";
        } else {
            sentence = "Conduit refused the exchange: " + (refusal.error() == null ? "HTTP " + refusal.httpStatus() : refusal.error())
                    + (refusal.errorDescription() == null ? "" : " (" + refusal.errorDescription() + ")") + ".";
        }
        return result(api, organization, steps, List.of(), FetchResult.Outcome.EXCHANGE_REFUSED, prefix + sentence, fix);
    }

    private static FetchResult result(ProviderApi api, String organization, List<FetchResult.Step> steps,
            List<List<String>> rows, FetchResult.Outcome outcome, String sentence, Authorization.Purpose fix) {
        return new FetchResult(api, organization, List.copyOf(steps), List.copyOf(rows), outcome, sentence, fix);
    }

    /** A query parameter of Conduit's {@code connect_uri} (which ends in unencoded placeholders), or null. */
    static String queryParameter(String uri, String name) {
        if (uri == null || uri.indexOf('?') < 0) {
            return null;
        }
        for (String pair : uri.substring(uri.indexOf('?') + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                try {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
