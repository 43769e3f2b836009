package dev.conduit.example;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One token exchange as it went over the wire, for {@link UpstreamTokens#observedBy}: the form posted to the token
 * endpoint, in the order sent (the client's own credentials are never in it: in the Authorization header, or
 * withheld from a form that carried them), and
 * the answer's status and body. Holds the subject token and the upstream token: mask them before showing or
 * storing anything; {@link #toString()} shows neither.
 *
 * @param status 0 when the token endpoint did not answer (then {@code body} is null)
 */
public record ExchangeWire(URI endpoint, List<Map.Entry<String, String>> form, int status, String body) {

    /** What stands for a client credential sent in the form. */
    public static final String WITHHELD = "(client credential, withheld)";
    private static final java.util.Set<String> CLIENT_CREDENTIALS = java.util.Set.of("client_secret", "client_assertion");

    public ExchangeWire {
        form = List.copyOf(form);
    }

    static ExchangeWire of(URI endpoint, String formBody, int status, String body) {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        if (formBody != null && !formBody.isEmpty()) {
            for (String pair : formBody.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                name = URLDecoder.decode(name, StandardCharsets.UTF_8);
                // a client authenticating in the form (client_secret_post, private_key_jwt): never handed on
                form.add(new SimpleImmutableEntry<>(name, CLIENT_CREDENTIALS.contains(name) ? WITHHELD
                        : URLDecoder.decode(value, StandardCharsets.UTF_8)));
            }
        }
        return new ExchangeWire(endpoint, form, status, body);
    }

    @Override
    public String toString() {
        return "ExchangeWire[" + endpoint + ", " + form.stream().map(Map.Entry::getKey).toList() + ", status=" + status + "]";
    }
}
