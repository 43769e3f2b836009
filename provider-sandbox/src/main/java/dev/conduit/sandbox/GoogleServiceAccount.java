package dev.conduit.sandbox;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One key of a Google service account registered in the sandbox ({@link ServerToServer#registerGoogleServiceAccount}):
 * the names a Google console shows and the key pair, with {@link #jsonKeyFile()} the JSON key file a real console
 * downloads. {@link #toString()} never shows the private key.
 */
public record GoogleServiceAccount(String projectId, String clientEmail, String clientId, String privateKeyId,
        KeyPair keyPair, String tokenUri) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /** The JSON key file: type, project_id, private_key_id, private_key (PKCS#8 PEM), client_email, client_id, URIs. */
    public String jsonKeyFile() {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("type", "service_account");
        file.put("project_id", projectId);
        file.put("private_key_id", privateKeyId);
        file.put("private_key", SandboxKeys.privateKeyPem(keyPair.getPrivate()));
        file.put("client_email", clientEmail);
        file.put("client_id", clientId);
        file.put("auth_uri", "https://accounts.google.com/o/oauth2/auth");
        file.put("token_uri", tokenUri);
        file.put("auth_provider_x509_cert_url", "https://www.googleapis.com/oauth2/v1/certs");
        file.put("client_x509_cert_url", "https://www.googleapis.com/robot/v1/metadata/x509/" + clientEmail.replace("@", "%40"));
        file.put("universe_domain", "googleapis.com");
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "GoogleServiceAccount[" + clientEmail + ", key " + privateKeyId + "]";
    }
}
