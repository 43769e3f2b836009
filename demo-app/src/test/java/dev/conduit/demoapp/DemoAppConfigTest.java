package dev.conduit.demoapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoAppConfigTest {

    @Test
    void readsTheSecretFromItsFileAndNeverShowsIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "very-secret-value\n");
        DemoAppConfig config = DemoAppConfig.fromArguments(new String[] {"--internal-client-secret-file=" + file,
                "--port=0", "--sandbox-url=http://localhost:9999/"}, Map.of());
        assertThat(config.internalClientSecret()).isEqualTo("very-secret-value");
        assertThat(config.toString()).doesNotContain("very-secret-value");
        assertThat(config.keycloakUrl()).hasToString("http://localhost:8080");
        assertThat(config.hubspotApiUrl()).hasToString("http://localhost:9999/hubspot");
        assertThat(config.googleApiUrl()).hasToString("http://localhost:9999/google");
        assertThat(config.port()).isZero();
    }

    @Test
    void takesTheSecretFileFromTheEnvironmentToo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "from-env");
        DemoAppConfig config = DemoAppConfig.fromArguments(new String[0], Map.of(DemoAppConfig.SECRET_FILE_ENV, file.toString()));
        assertThat(config.internalClientSecret()).isEqualTo("from-env");
        assertThat(config.port()).isEqualTo(8090);
    }

    @Test
    void refusesASecretOnTheCommandLine() {
        assertThatThrownBy(() -> DemoAppConfig.fromArguments(new String[] {"--internal-client-secret=oops"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("oops")
                .hasMessageContaining("--internal-client-secret-file");
    }

    @Test
    void refusesUnknownOptionsAndAMissingSecret(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> DemoAppConfig.fromArguments(new String[0], Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("required");
        Path file = Files.writeString(dir.resolve("secret"), "x");
        assertThatThrownBy(() -> DemoAppConfig.fromArguments(new String[] {"--internal-client-secret-file=" + file,
                "--prot=1"}, Map.of())).hasMessageContaining("--prot");
        Path empty = Files.writeString(dir.resolve("empty"), "  ");
        assertThatThrownBy(() -> DemoAppConfig.fromArguments(new String[] {"--internal-client-secret-file=" + empty}, Map.of()))
                .hasMessageContaining("empty");
    }
}
