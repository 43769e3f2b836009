package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.KeycloakProcess;
import dev.conduit.it.support.Ports;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.SoftHsmTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An operator puts the key-encryption key in an HSM (SoftHSM2, made as docs/operations.md says) and chooses the
 * {@code pkcs11} key provider (issue 16): Keycloak starts with it and server info shows it, never the PIN; with the
 * library path wrong, Keycloak refuses to start with a message naming the library, never the PIN. A copy of the
 * distribution of its own, on H2, started per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyProviderIT {

    private Path home;
    private SoftHsmTokens hsm;
    private SoftHsmTokens.Token token;

    @BeforeAll
    void distributionAndToken() {
        Path distribution = Path.of(System.getProperty("keycloak.home", "target/keycloak-26.7.3")).toAbsolutePath();
        home = distribution.resolveSibling(distribution.getFileName() + "-key-provider");
        KeycloakProcess.copyDistribution(distribution, home, relative -> false);
        hsm = SoftHsmTokens.in(home.resolve("softhsm"));
        token = hsm.tokenWithKey("conduit-kek", "kek-2026-12");
    }

    @Test
    void withTheKekInTheHsmKeycloakStartsAndServerInfoShowsThePkcs11ProviderNeverThePin() throws IOException {
        int port = Ports.free();
        String adminPassword = Secrets.generate();
        KeycloakProcess keycloak = start(port, adminPassword, SoftHsmTokens.LIBRARY.toString(), "started.log");
        try {
            keycloak.awaitReady(URI.create("http://localhost:" + port + "/realms/master/.well-known/openid-configuration"),
                    Duration.ofMinutes(6));
            HttpResponse<String> info = new AdminApi("http://localhost:" + port, adminPassword).serverInfo();

            assertThat(info.statusCode()).isEqualTo(200);
            JsonNode providers = AdminApi.mapper().readTree(info.body()).path("providers").path("conduit-key-provider").path("providers");
            assertThat(AdminApi.mapper().convertValue(providers.path("pkcs11").path("operationalInfo"), Map.class))
                    .containsEntry("provider", "pkcs11").containsEntry("active-kek", "kek-2026-12").containsEntry("kek-ids", "kek-2026-12");
            assertThat(providers.has("config")).as("only the chosen provider is loaded").isFalse();
            assertThat(info.body()).doesNotContain(token.pin());
            assertThat(Files.readString(keycloak.log())).contains("Conduit key provider 'pkcs11': wrapping with KEK 'kek-2026-12'")
                    .doesNotContain(token.pin());
        } finally {
            keycloak.stop();
        }
    }

    @Test
    void withTheLibraryPathWrongKeycloakRefusesToStartNamingItNeverThePin() throws Exception {
        KeycloakProcess keycloak = start(Ports.free(), Secrets.generate(), "/opt/hsm/libmissing-pkcs11.so", "refused.log");
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            while (keycloak.alive() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertThat(keycloak.alive()).as("Keycloak has stopped").isFalse();
            String log = Files.readString(keycloak.log());
            assertThat(log).contains("PKCS#11 library /opt/hsm/libmissing-pkcs11.so does not exist or cannot be read")
                    .doesNotContain(token.pin());
            assertThat(log).as("it never became ready").doesNotContain("Listening on:");
        } finally {
            keycloak.stop();
        }
    }

    private KeycloakProcess start(int port, String adminPassword, String library, String logName) {
        List<String> options = new ArrayList<>(List.of("--http-port=" + port, "--http-management-port=" + Ports.free(),
                "--spi-conduit-key-provider--provider=pkcs11"));
        // no vault keys: with pkcs11 the HSM's KEK is the only key material (Pkcs11OnlyIT serves with it)
        return KeycloakProcess.in(home).named("keycloak-key-provider").command("start-dev").options(options)
                .environment(Map.of("SOFTHSM2_CONF", hsm.conf().toString(),
                        "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__LIBRARY", library,
                        "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__SLOT", Long.toString(token.slot()),
                        "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__PIN", token.pin(),
                        "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__KEY_LABELS", token.keyLabel()))
                .bootstrapAdmin(adminPassword).log(home.resolve(logName)).start();
    }
}
