package dev.conduit.demoapp;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.example.ExchangeWire;
import dev.conduit.example.UpstreamToken;
import dev.conduit.example.UpstreamTokenRefusedException;

/**
 * One RFC 8693 exchange as the page shows it, beside the records: the form the library posted to the token endpoint
 * (subject token masked) and Keycloak's answer (tokens masked), as they went over the wire ({@link #wire}); where
 * the wire was not seen (a stand-in for the library in unit tests), rebuilt from what the library was asked and read.
 *
 * @param form   the request's parameters in the order sent
 * @param status the answer's HTTP status; 0 when Keycloak did not answer
 * @param answer the answer's fields as JSON, tokens masked; or why there was none
 */
public record ExchangeView(String endpoint, String clientId, List<Map.Entry<String, String>> form, int status,
        String answer) {

    static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The request {@code UpstreamTokens} sends for the person's ({@code organization} null) or an organization's
     * connection; {@code refusedTokenSha256} is the {@code conduit_refused_token_sha256} of a replacing exchange.
     */
    static ExchangeView request(String endpoint, String clientId, String subjectToken, String provider,
            String organization, String refusedTokenSha256) {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        form.add(new SimpleImmutableEntry<>("grant_type", GRANT));
        form.add(new SimpleImmutableEntry<>("subject_token", Text.mask(subjectToken)));
        form.add(new SimpleImmutableEntry<>("subject_token_type", ACCESS_TOKEN_TYPE));
        form.add(new SimpleImmutableEntry<>("requested_token_type", ACCESS_TOKEN_TYPE));
        form.add(new SimpleImmutableEntry<>("audience", provider));
        if (organization != null) {
            form.add(new SimpleImmutableEntry<>("organization", organization));
        }
        if (refusedTokenSha256 != null) {
            form.add(new SimpleImmutableEntry<>("conduit_refused_token_sha256", refusedTokenSha256));
        }
        return new ExchangeView(endpoint, clientId, List.copyOf(form), 0, null);
    }

    /**
     * The exchange as it went over the wire (what {@link dev.conduit.example.UpstreamTokens#observedBy} saw): the form
     * posted, subject and actor tokens masked, and Keycloak's answer with every token in it masked.
     */
    static ExchangeView wire(ExchangeWire wire, String clientId) {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        for (Map.Entry<String, String> field : wire.form()) {
            boolean token = field.getKey().equals("subject_token") || field.getKey().equals("actor_token");
            form.add(new SimpleImmutableEntry<>(field.getKey(), token ? Text.mask(field.getValue()) : field.getValue()));
        }
        String endpoint = wire.endpoint().toString();
        if (wire.status() == 0 || wire.body() == null) {
            return new ExchangeView(endpoint, clientId, List.copyOf(form), 0, "Keycloak did not answer");
        }
        return new ExchangeView(endpoint, clientId, List.copyOf(form), wire.status(), maskedAnswer(wire.body()));
    }

    /** Keycloak's answer, pretty printed with its tokens masked; what is not a JSON object is shown as it is, bounded. */
    static String maskedAnswer(String body) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            return "(not JSON) " + (body.length() > Text.MAX_SHOWN_LENGTH ? body.substring(0, Text.MAX_SHOWN_LENGTH) + "…" : body);
        }
        ObjectNode answer = (ObjectNode) parsed;
        for (String name : List.of("access_token", "refresh_token", "id_token")) {
            if (answer.hasNonNull(name)) {
                answer.put(name, Text.mask(answer.get(name).asText()));
            }
        }
        return write(answer);
    }

    ExchangeView answered(UpstreamToken token) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("access_token", Text.mask(token.accessToken()));
        answer.put("expires_in", token.expiresIn());
        answer.put("scope", String.join(" ", token.scopes()));
        answer.put("identity_provider", token.provider());
        putIfPresent(answer, "account_id", token.accountId());
        putIfPresent(answer, "instance_url", token.instanceUrl());
        putIfPresent(answer, "hub_id", token.hubId());
        putIfPresent(answer, "organization_id", token.organizationId());
        return new ExchangeView(endpoint, clientId, form, 200, write(answer));
    }

    ExchangeView refused(UpstreamTokenRefusedException refusal) {
        ObjectNode answer = JSON.createObjectNode();
        putIfPresent(answer, "error", refusal.error());
        putIfPresent(answer, "error_description", refusal.errorDescription());
        putIfPresent(answer, "conduit_error", refusal.conduitError());
        putIfPresent(answer, "connect_uri", refusal.connectUri());
        return new ExchangeView(endpoint, clientId, form, refusal.httpStatus(), write(answer));
    }

    ExchangeView unanswered(String why) {
        return new ExchangeView(endpoint, clientId, form, 0, why);
    }

    /** What the page shows of the request: the POST line, the client authentication, the form. */
    String requestText() {
        StringBuilder text = new StringBuilder("POST ").append(endpoint)
                .append("\nAuthorization: Basic (").append(clientId).append(":client secret)\n");
        for (Map.Entry<String, String> field : form) {
            text.append('\n').append(field.getKey()).append('=').append(field.getValue());
        }
        return text.toString();
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
