package dev.conduit.vault.server;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conduit.api.server.ServerCredential;

/**
 * How a {@link ServerCredential} is kept in a row: {@code SHOWN} holds {@code {"shown":{...},"scopes":[...]}} in
 * clear (nothing secret), {@code CREDENTIAL} holds the {@code sealed} map as JSON, which the caller seals
 * ({@code RowSeal#sealCredential}) and never writes in clear.
 */
public final class ServerCredentials {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> FIELDS = new TypeReference<>() {
    };

    private ServerCredentials() {
    }

    /** The row's SHOWN column. */
    public static String shownJson(ServerCredential credential) {
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("shown", credential.shown());
        shown.put("scopes", credential.scopes());
        return write(shown);
    }

    /** What goes into the row's CREDENTIAL column, once sealed. */
    public static String sealedJson(ServerCredential credential) {
        return write(new LinkedHashMap<>(credential.sealed()));
    }

    /** The credential read back from the row's SHOWN column and its opened CREDENTIAL column. */
    public static ServerCredential read(String kind, String shownJson, String openedSealedJson) {
        try {
            var shownNode = JSON.readTree(shownJson == null ? "{}" : shownJson);
            Map<String, String> shown = shownNode.has("shown") ? JSON.convertValue(shownNode.get("shown"), FIELDS) : Map.of();
            Set<String> scopes = new LinkedHashSet<>();
            if (shownNode.has("scopes")) {
                shownNode.get("scopes").forEach(scope -> scopes.add(scope.asText()));
            }
            Map<String, String> sealed = openedSealedJson == null ? Map.of() : JSON.readValue(openedSealedJson, FIELDS);
            return new ServerCredential(kind, shown, sealed, scopes);
        } catch (IOException e) {
            // the columns are only ever written by this class: unreadable means altered
            throw new IllegalStateException("a server connection's stored credential does not read back as JSON", e);
        }
    }

    /** The shown fields alone, for the admin API (never the sealed ones). */
    public static Map<String, String> shown(String shownJson) {
        return read(null, shownJson, null).shown();
    }

    /** The credential's scopes from the row's SHOWN column. */
    public static Set<String> scopes(String shownJson) {
        return read(null, shownJson, null).scopes();
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a credential as JSON", e);
        }
    }
}
