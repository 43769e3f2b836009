package dev.conduit.exchange.guard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds request text that Keycloak would pass to its database but PostgreSQL cannot hold: a NUL character.
 * Stock Keycloak looks up the client id from HTTP Basic or the form before it checks anything else, and PostgreSQL
 * answers such a lookup with an error that reaches the caller as a 500. These checks let the token endpoint refuse
 * the request with a standard error first. Text that cannot be decoded is left to Keycloak, which refuses it itself.
 */
public final class StorableCredentials {

    /** What is wrong with a request, as an RFC 6749 error code and a description safe to show. */
    public record Refusal(String error, String description) {
    }

    private StorableCredentials() {
    }

    /** The endpoints that authenticate a client from a form (RFC 6749, RFC 7009, RFC 7662, RFC 9126). */
    public static boolean guardedPath(String path) {
        if (path == null) {
            return false;
        }
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.endsWith("/protocol/openid-connect/token")
                || trimmed.endsWith("/protocol/openid-connect/token/introspect")
                || trimmed.endsWith("/protocol/openid-connect/revoke")
                || trimmed.endsWith("/protocol/openid-connect/ext/par/request");
    }

    /** Refuses an HTTP Basic header whose client id or secret would carry a NUL once decoded. */
    public static Optional<Refusal> checkAuthorization(String header) {
        if (header == null || header.length() < 6 || !header.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        String credentials = new String(decoded, StandardCharsets.UTF_8);
        if (credentials.indexOf('\0') >= 0 || credentials.contains("%00")) {
            return Optional.of(new Refusal("invalid_client", "Client credentials must not contain a NUL character"));
        }
        return Optional.empty();
    }

    /**
     * Refuses an {@code application/x-www-form-urlencoded} body with a parameter that decodes to a NUL. A body that
     * holds no NUL at all is passed over without decoding; a pair that does not decode is left to Keycloak.
     */
    public static Optional<Refusal> checkFormBody(String body) {
        if (body == null || (body.indexOf('\0') < 0 && !body.contains("%00"))) {
            return Optional.empty();
        }
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (name != null && value != null) {
                form.computeIfAbsent(name, ignored -> new ArrayList<>()).add(value);
            }
        }
        return checkForm(form);
    }

    /** Refuses a decoded form ({@code application/x-www-form-urlencoded}) with a name or value holding a NUL. */
    public static Optional<Refusal> checkForm(Map<String, ? extends List<String>> form) {
        if (form == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, ? extends List<String>> parameter : form.entrySet()) {
            String name = parameter.getKey();
            if (name != null && name.indexOf('\0') >= 0) {
                return Optional.of(new Refusal("invalid_request", "Parameter names must not contain a NUL character"));
            }
            for (String value : parameter.getValue() == null ? List.<String>of() : parameter.getValue()) {
                if (value != null && value.indexOf('\0') >= 0) {
                    String error = name != null && name.startsWith("client_") ? "invalid_client" : "invalid_request";
                    return Optional.of(new Refusal(error, "Parameter " + printable(String.valueOf(name)) + " must not contain a NUL character"));
                }
            }
        }
        return Optional.empty();
    }

    /** The {@code grant_type} of a form body, or null when there is none (or it does not decode). */
    public static String grantType(String body) {
        if (body == null) {
            return null;
        }
        for (String pair : body.split("&")) {
            if (pair.startsWith("grant_type=")) {
                return decode(pair.substring("grant_type=".length()));
            }
        }
        return null;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** A parameter name as it may appear in an error description: short, visible ASCII only. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < 40; i++) {
            char c = name.charAt(i);
            out.append(c >= 0x21 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
        }
        return out.toString();
    }
}
