package dev.conduit.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's server-to-server apps: registered in the sandbox, their request bodies in an owner-only file. */
class DemoServerAppsTest {

    @TempDir
    Path dir;

    @Test
    void writesTheFourConnectionsOfAcmeToAFileOnlyItsOwnerReads() throws Exception {
        SandboxEngine engine = new SandboxFixture().engine;
        Path file = dir.resolve("server-connections.json");
        Files.writeString(file, "left from an earlier start");
        DemoServerApps.register(engine.serverToServer(), file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        JsonNode connections = new ObjectMapper().readTree(Files.readString(file));
        assertThat(connections).hasSize(4);
        assertThat(connections.findValuesAsText("kind")).containsExactly("salesforce-jwt-bearer",
                "salesforce-client-credentials", "google-service-account", "hubspot-private-app");
        assertThat(connections.findValuesAsText("alias")).containsExactly("salesforce", "salesforce-sync", "google", "hubspot");
        assertThat(connections.get(0).at("/input/private_key").asText()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(connections.get(0).at("/input/username").asText()).isEqualTo(DemoServerApps.INTEGRATION_USER.username());
        assertThat(connections.get(1).at("/input/consumer_secret").asText()).hasSizeGreaterThan(20);
        assertThat(new ObjectMapper().readTree(connections.get(2).at("/input/service_account_key").asText()).path("client_email").asText())
                .isEqualTo("acme-sync@conduit-demo.iam.gserviceaccount.com");
        String token = connections.get(3).at("/input/access_token").asText();
        assertThat(engine.accessTokenActive(token)).as("the private app's token").isTrue();
    }
}
