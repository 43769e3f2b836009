package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.Config;

/** An operator upgrading with the vault's settings under their old name keeps a working server and is told the new name. */
class RenamedSettingsTest {

    private static final String KEY = "k1:c2VjcmV0LWtleS1tYXRlcmlhbC1vZi0zMi1ieXRlcyE=";

    private final List<String> warnings = new ArrayList<>();

    private Config.Scope settings(Map<String, String> current, Map<String, String> deprecated) {
        return new RenamedSettings(new MapScope(current), new MapScope(deprecated), warnings::add);
    }

    @Test
    void aSettingUnderItsNewNameIsReadWithoutWarning() {
        Config.Scope settings = settings(Map.of("keys", KEY), Map.of());

        assertThat(settings.get("keys")).isEqualTo(KEY);
        assertThat(warnings).isEmpty();
    }

    @Test
    void aSettingOnlyUnderTheOldNameIsUsedWithOneWarningNamingBothOptionsButNotTheValue() {
        Config.Scope settings = settings(Map.of(), Map.of("keys", KEY, "read-timeout-millis", "2000"));

        assertThat(settings.get("keys")).isEqualTo(KEY);
        assertThat(settings.get("keys")).isEqualTo(KEY);
        assertThat(settings.getInt("read-timeout-millis", 10000)).isEqualTo(2000);

        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0))
                .contains("--spi-conduit-upstream-grant-handover--conduit-vault--keys")
                .contains("KC_SPI_CONDUIT_UPSTREAM_GRANT_HANDOVER__CONDUIT_VAULT__KEYS")
                .contains("--spi-conduit-vault--keys").contains("KC_SPI_CONDUIT_VAULT__KEYS")
                .contains("deprecated")
                .doesNotContain(KEY).doesNotContain(KEY.substring(3, 15));
        assertThat(warnings.get(1)).contains("--spi-conduit-vault--read-timeout-millis").doesNotContain("2000");
    }

    @Test
    void underBothNamesTheNewOneWinsWithOneWarning() {
        Config.Scope settings = settings(Map.of("keys", KEY), Map.of("keys", "old:b2xkLWtleQ=="));

        assertThat(settings.get("keys")).isEqualTo(KEY);
        assertThat(settings.get("keys")).isEqualTo(KEY);

        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("--spi-conduit-upstream-grant-handover--conduit-vault--keys")
                .contains("--spi-conduit-vault--keys").contains("wins")
                .doesNotContain(KEY).doesNotContain("b2xkLWtleQ");
    }

    @Test
    void aSettingUnderNeitherNameTakesItsDefault() {
        Config.Scope settings = settings(Map.of(), Map.of());

        assertThat(settings.get("active-key")).isNull();
        assertThat(settings.getInt("refresh-threads", 4)).isEqualTo(4);
        assertThat(warnings).isEmpty();
    }

    @Test
    void theVaultStartsOnKeysGivenOnlyUnderTheOldName() {
        VaultSettings fromOld = VaultSettings.from(settings(Map.of(), Map.of("refusal-spacing-seconds", "5",
                "refresh-threads", "2")));

        assertThat(fromOld.operationalInfo()).containsEntry("refusal-spacing-seconds", "5").containsEntry("refresh-threads", "2");
    }
}
