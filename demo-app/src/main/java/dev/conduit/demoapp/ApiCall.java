package dev.conduit.demoapp;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One call to a provider's API with an upstream token, as the page shows it: the request line, the Authorization
 * header masked, the status, and the body (bounded). {@code failure} says why there was no answer.
 */
public record ApiCall(String method, URI uri, String maskedAuthorization, int status, String body, String failure) {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    /** Bodies beyond this are cut: a provider's answer is untrusted. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    /** GETs {@code uri} with {@code Authorization: Bearer <token>}; never follows a redirect (it would carry the token). */
    static ApiCall get(HttpClient http, URI uri, String accessToken) {
        String masked = "Bearer " + Text.mask(accessToken);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + accessToken).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
                String body = new String(bytes, 0, Math.min(bytes.length, MAX_BODY_BYTES), StandardCharsets.UTF_8);
                return new ApiCall("GET", uri, masked, response.statusCode(), body,
                        bytes.length > MAX_BODY_BYTES ? "the answer was longer than 1 MiB and was cut" : null);
            }
        } catch (IOException e) {
            return new ApiCall("GET", uri, masked, 0, null, "no answer: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ApiCall("GET", uri, masked, 0, null, "interrupted");
        }
    }

    /** What the page shows of the request. */
    String requestText() {
        return method + " " + uri + "\nAuthorization: " + maskedAuthorization;
    }

    @Override
    public String toString() {
        return "ApiCall[" + method + " " + uri + " -> " + status + "]";
    }
}
