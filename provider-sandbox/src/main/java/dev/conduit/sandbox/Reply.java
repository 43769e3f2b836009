package dev.conduit.sandbox;

import java.util.Map;

/** A sandbox answer before it is turned into an HTTP response. */
public record Reply(int status, String contentType, String body, Map<String, String> headers) {

    public static Reply json(int status, String body) {
        return new Reply(status, "application/json;charset=UTF-8", body, Map.of("Cache-Control", "no-store"));
    }

    public static Reply html(int status, String body) {
        return new Reply(status, "text/html;charset=UTF-8", body, Map.of());
    }

    public static Reply redirect(String location) {
        return new Reply(302, "text/plain", "", Map.of("Location", location));
    }

    public static Reply empty(int status) {
        return new Reply(status, "text/plain", "", Map.of());
    }
}
