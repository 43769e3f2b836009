package dev.conduit.exchange.narrow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Looks, without verifying, whether a JWT says it is bound to a connection, only to route the request to the
 * narrowing exchange (which then verifies it fully). Anything unreadable is "not bound".
 */
final class BoundTokenPeek {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKEN = 16_384;

    private BoundTokenPeek() {
    }

    static boolean isBound(String token) {
        if (token == null || token.length() > MAX_TOKEN) {
            return false;
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        try {
            JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return claims != null && claims.has("conduit_connection");
        } catch (IllegalArgumentException | IOException e) {
            return false;
        }
    }
}
