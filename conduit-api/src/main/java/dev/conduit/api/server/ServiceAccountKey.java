package dev.conduit.api.server;

import java.io.IOException;
import java.security.KeyPair;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Google service account's JSON key file, as the Cloud console downloads it: {@code type} "service_account",
 * {@code client_email} (the assertion's {@code iss}), {@code private_key_id} (its {@code kid}), {@code private_key}
 * (PKCS#8 PEM), {@code client_id} (what a Workspace admin authorizes for domain-wide delegation). Everything but the
 * private key may be shown to admins.
 */
public record ServiceAccountKey(String clientEmail, String clientId, String privateKeyId, String projectId, KeyPair keys) {

    /** A key file is about 2.3 KB; 32 KiB leaves room and refuses anything that is not one. */
    public static final int MAX_JSON_CHARS = 32 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ServiceAccountKey parse(String json) throws KeyMaterialException {
        if (json == null || json.isBlank()) {
            throw new KeyMaterialException("no service account key given");
        }
        if (json.length() > MAX_JSON_CHARS) {
            throw new KeyMaterialException("the service account key is larger than " + MAX_JSON_CHARS + " characters");
        }
        JsonNode file;
        try {
            file = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new KeyMaterialException("the service account key is not valid JSON (line "
                    + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new KeyMaterialException("the service account key could not be read");
        }
        if (file == null || !file.isObject()) {
            throw new KeyMaterialException("the service account key is not a JSON object");
        }
        if (file.has("web") || file.has("installed")) {
            throw new KeyMaterialException("this is an OAuth client file, not a service account key (type service_account)");
        }
        if (!"service_account".equals(file.path("type").asText(null))) {
            throw new KeyMaterialException("the key file's type is not service_account");
        }
        String clientEmail = required(file, "client_email");
        if (!clientEmail.contains("@")) {
            throw new KeyMaterialException("client_email is not an e-mail address");
        }
        String clientId = required(file, "client_id");
        String privateKeyId = required(file, "private_key_id");
        KeyPair keys = RsaKeys.parsePrivateKey(required(file, "private_key"));
        return new ServiceAccountKey(clientEmail, clientId, privateKeyId, file.path("project_id").asText(null), keys);
    }

    private static String required(JsonNode file, String field) throws KeyMaterialException {
        JsonNode value = file.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new KeyMaterialException("the service account key has no " + field);
        }
        return value.asText();
    }

    /** Never the private key. */
    @Override
    public String toString() {
        return "ServiceAccountKey[" + clientEmail + ", key " + privateKeyId + "]";
    }
}
