package dev.conduit.api.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

class ServiceAccountKeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KeyPair keys = RsaKeys.generate();

    /** The fields of a key file as Google's Cloud console downloads it. */
    private ObjectNode keyFile() {
        ObjectNode file = JSON.createObjectNode();
        file.put("type", "service_account");
        file.put("project_id", "acme-sync");
        file.put("private_key_id", "4f1d2c7a9b");
        file.put("private_key", RsaKeys.pem(keys.getPrivate()));
        file.put("client_email", "crm-sync@acme-sync.iam.gserviceaccount.com");
        file.put("client_id", "104857600000000000001");
        file.put("auth_uri", "https://accounts.google.com/o/oauth2/auth");
        file.put("token_uri", "https://oauth2.googleapis.com/token");
        return file;
    }

    @Test
    void aKeyFileIsReadWithItsIdentityAndKey() throws Exception {
        ServiceAccountKey key = ServiceAccountKey.parse(keyFile().toString());

        assertThat(key.clientEmail()).isEqualTo("crm-sync@acme-sync.iam.gserviceaccount.com");
        assertThat(key.clientId()).isEqualTo("104857600000000000001");
        assertThat(key.privateKeyId()).isEqualTo("4f1d2c7a9b");
        assertThat(key.projectId()).isEqualTo("acme-sync");
        assertThat(key.keys().getPublic()).isEqualTo(keys.getPublic());
        assertThat(key.toString()).doesNotContain("PRIVATE").contains("crm-sync@");
    }

    @Test
    void whatIsNotAServiceAccountKeyIsRefusedSayingWhy() {
        ObjectNode oauthClient = JSON.createObjectNode();
        oauthClient.putObject("web").put("client_id", "x.apps.googleusercontent.com");

        assertRefused("", "no service account key");
        assertRefused("{\"type\": \"service_account\",", "not valid JSON");
        assertRefused("[1, 2]", "not a JSON object");
        assertRefused(oauthClient.toString(), "an OAuth client file");
        assertRefused(keyFile().put("type", "authorized_user").toString(), "type is not service_account");
        assertRefused(keyFile().put("client_email", "").toString(), "no client_email");
        assertRefused(keyFile().put("client_email", "crm-sync").toString(), "not an e-mail address");
        assertRefused(without("client_id"), "no client_id");
        assertRefused(without("private_key_id"), "no private_key_id");
        assertRefused(without("private_key"), "no private_key");
        assertRefused(keyFile().put("private_key", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----").toString(),
                "a certificate, not a private key");
        assertRefused(keyFile().put("padding", "x".repeat(ServiceAccountKey.MAX_JSON_CHARS)).toString(), "larger than");
    }

    @Test
    void aBrokenFileIsRefusedWithoutRepeatingItsPrivateKey() {
        String broken = keyFile().toString().replace("\"client_id\"", "client_id");

        assertThatThrownBy(() -> ServiceAccountKey.parse(broken)).isInstanceOf(KeyMaterialException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("PRIVATE KEY").doesNotContain("MII"));
    }

    private String without(String field) {
        ObjectNode file = keyFile();
        file.remove(field);
        return file.toString();
    }

    private static void assertRefused(String json, String words) {
        assertThatThrownBy(() -> ServiceAccountKey.parse(json)).isInstanceOf(KeyMaterialException.class)
                .hasMessageContaining(words);
    }
}
