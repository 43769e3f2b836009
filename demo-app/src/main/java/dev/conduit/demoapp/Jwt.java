package dev.conduit.demoapp;

import java.io.IOException;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the claims of a JWT that this app received straight from Keycloak's token endpoint (the back channel), as
 * OpenID Connect Core §3.1.3.7 allows for ID tokens obtained that way; the access token's claims are read only to
 * show which organizations the person belongs to. Nothing here decides access: Keycloak checks every token the app
 * sends back to it.
 */
final class Jwt {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Jwt() {
    }

    /** The payload's claims; an empty object when the value is not a readable JWT. */
    static JsonNode claims(String jwt) {
        if (jwt == null) {
            return JSON.createObjectNode();
        }
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return claims != null && claims.isObject() ? claims : JSON.createObjectNode();
        } catch (IllegalArgumentException | IOException e) {
            return JSON.createObjectNode();
        }
    }
}
