package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.ConduitEnvironment;
import org.junit.jupiter.api.Test;

/**
 * An operator opens the admin console's server info (the admin API's serverinfo) and sees, for each Conduit
 * provider with settings (GET /admin/serverinfo), the values the server runs with: those ConduitEnvironment started it with, the defaults
 * otherwise, and of the vault's keys (and the key provider's KEKs) only their ids.
 */
class ServerInfoIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();

    @Test
    void conduitProvidersShowTheSettingsTheServerWasStartedWith() {
        JsonNode providers = serverInfo().path("providers");

        Map<String, String> vault = operationalInfo(providers, "conduit-vault", "conduit-vault");
        assertThat(vault).containsEntry("key-ids", "it1,it0").containsEntry("active-key", "it1")
                .containsEntry("read-timeout-millis", "2000")
                .containsEntry("refresh-interval-seconds", "3600")
                .containsEntry("refusal-spacing-seconds", "5")
                .containsEntry("connect-timeout-millis", "5000")
                .containsEntry("refresh-threads", "4")
                .containsEntry("keep-alive-days", "7");
        assertThat(operationalInfo(providers, "realm-restapi-extension", "conduit-console"))
                .containsEntry("provision-client", "true").containsEntry("provision-master-client", "true");
        assertThat(operationalInfo(providers, "realm-restapi-extension", "conduit-test-notes"))
                .containsEntry("enabled", "true");
        assertThat(operationalInfo(providers, "oauth2-token-exchange", "conduit-test-floor"))
                .containsEntry("enabled", "true");
        // issue 16: the key provider SPI loads only its chosen provider, config by default, with today's vault keys as KEKs
        assertThat(operationalInfo(providers, "conduit-key-provider", "config"))
                .containsExactly(Map.entry("provider", "config"), Map.entry("active-kek", "it1"), Map.entry("kek-ids", "it1,it0"));
        assertThat(providers.path("conduit-key-provider").path("providers").has("pkcs11")).isFalse();
        assertThat(providers.path("conduit-key-provider").path("providers").has("keystore")).isFalse();
        // the default: Conduit's request guards leave every other Keycloak endpoint as stock Keycloak answers it
        assertThat(operationalInfo(providers, "oauth2-token-exchange", "conduit-upstream-token"))
                .containsEntry("keycloak-wide-guards", "false");
    }

    @Test
    void aVaultSettingGivenUnderItsDeprecatedNameStillTakesEffectAndTheLogNamesTheNewOne() throws java.io.IOException {
        JsonNode providers = serverInfo().path("providers");

        // ConduitEnvironment passes refusal-spacing-seconds=5 only as --spi-conduit-upstream-grant-handover--conduit-vault--...
        assertThat(operationalInfo(providers, "conduit-vault", "conduit-vault")).containsEntry("refusal-spacing-seconds", "5");
        assertThat(providers.has("conduit-upstream-grant-handover")).as("the old SPI is gone").isFalse();
        List<String> warnings = java.nio.file.Files.readAllLines(env.logFile()).stream()
                .filter(line -> line.contains("--spi-conduit-upstream-grant-handover--conduit-vault--refusal-spacing-seconds"))
                .toList();
        assertThat(warnings).as("one WARN for the deprecated option").hasSize(1);
        assertThat(warnings.get(0)).contains("WARN").contains("--spi-conduit-vault--refusal-spacing-seconds")
                .contains("KC_SPI_CONDUIT_VAULT__REFUSAL_SPACING_SECONDS");
    }

    @Test
    void theServerInfoShowsNoKeyMaterial() {
        String body = serverInfoResponse().body();

        List<String> forms = new ArrayList<>();
        for (String entry : env.vaultKeys().split(",")) {
            String base64 = entry.substring(entry.indexOf(':') + 1);
            byte[] key = Base64.getDecoder().decode(base64);
            forms.add(base64);
            forms.add(base64.substring(0, 16));
            forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(key));
            forms.add(HexFormat.of().formatHex(key));
        }
        for (String form : forms) {
            // the message names no key: a failure here must not print the key it found
            assertThat(body.contains(form)).as("a form of a vault key appears in the server info").isFalse();
        }
        assertThat(body).contains("\"key-ids\":\"it1,it0\"");
    }

    private HttpResponse<String> serverInfoResponse() {
        HttpResponse<String> response = env.admin().serverInfo();
        assertThat(response.statusCode()).as("GET /admin/serverinfo").isEqualTo(200);
        return response;
    }

    private JsonNode serverInfo() {
        try {
            return AdminApi.mapper().readTree(serverInfoResponse().body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> operationalInfo(JsonNode providers, String spi, String id) {
        JsonNode info = providers.path(spi).path("providers").path(id).path("operationalInfo");
        assertThat(info.isObject()).as("operationalInfo of %s in spi %s", id, spi).isTrue();
        return AdminApi.mapper().convertValue(info, new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {
        });
    }
}
