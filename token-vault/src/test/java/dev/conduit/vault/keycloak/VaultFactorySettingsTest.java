package dev.conduit.vault.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.conduit.vault.service.MapScope;
import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;

/** What the vault's factory declares and reports in the server info: every setting, its effective value, no key. */
class VaultFactorySettingsTest {

    private static final String K1 = randomKey();
    private static final String K0 = randomKey();

    @Test
    void withDefaultsEverySettingReportsItsDeclaredDefault() {
        var factory = started(Map.of("keys", "k1:" + K1));

        Map<String, String> info = factory.getOperationalInfo();
        for (ProviderConfigProperty property : factory.getConfigMetadata()) {
            if (property.getDefaultValue() != null) {
                assertEquals(property.getDefaultValue(), info.get(property.getName()), property.getName());
            }
        }
        assertEquals("k1", info.get("active-key"), "without active-key the first key encrypts");
    }

    @Test
    void reportsTheValuesInEffectAfterTheirLowerBoundsAndNamesOnlyDeclaredSettings() {
        var factory = started(Map.of("keys", "k1:" + K1 + ",k0:" + K0, "active-key", "k0",
                "read-timeout-millis", "2000", "refresh-threads", "0", "refusal-spacing-seconds", "5"));

        Map<String, String> info = factory.getOperationalInfo();
        assertEquals("2000", info.get("read-timeout-millis"));
        assertEquals("1", info.get("refresh-threads"), "refresh-threads is at least 1");
        assertEquals("5", info.get("refusal-spacing-seconds"));
        assertEquals("k1,k0", info.get("key-ids"));
        assertEquals("k0", info.get("active-key"));
        Set<String> declared = factory.getConfigMetadata().stream().map(ProviderConfigProperty::getName)
                .collect(Collectors.toSet());
        info.keySet().stream().filter(name -> !name.equals("key-ids"))
                .forEach(name -> assertEquals(true, declared.contains(name), name + " is declared"));
    }

    @Test
    void neverShowsKeyMaterial() {
        var factory = started(Map.of("keys", "k1:" + K1 + ",k0:" + K0, "active-key", "k1"));

        String shown = factory.getOperationalInfo().toString();
        assertFalse(shown.contains(K1) || shown.contains(K0), "the server info shows a key");
        assertFalse(shown.contains(K1.substring(0, 12)) || shown.contains(K0.substring(0, 12)),
                "the server info shows part of a key");
    }

    /** With a key provider other than config (which refuses to start without keys) the ring is optional. */
    @Test
    void withoutKeysTheVaultStartsWithNoLegacyKeyAndActiveKeyAloneIsRefused() {
        Map<String, String> info = started(Map.of()).getOperationalInfo();
        assertEquals("", info.get("key-ids"));
        assertFalse(info.containsKey("active-key"), "no ring, no active key");

        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> started(Map.of("active-key", "k1")));
        assertEquals(true, refused.getMessage().contains("'active-key' is set but option 'keys' is not"), refused.getMessage());
    }

    private static JpaConduitVaultFactory started(Map<String, String> options) {
        var factory = new JpaConduitVaultFactory();
        factory.start(new MapScope(new HashMap<>(options)));
        return factory;
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
