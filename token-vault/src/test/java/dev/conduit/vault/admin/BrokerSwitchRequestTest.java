package dev.conduit.vault.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BrokerSwitchRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void theBodyGivesTheBrokerAndItsSettingsAsText() throws Exception {
        BrokerSwitchRequest request = BrokerSwitchRequest.parse(json(
                "{\"providerId\":\" conduit-salesforce \",\"config\":{\"loginHost\":\"https://login.salesforce.com\","
                        + "\"sessionLifetimeSeconds\":3600,\"pkceEnabled\":true,\"gone\":null}}"));

        assertThat(request.providerId()).isEqualTo("conduit-salesforce");
        assertThat(request.config()).containsExactlyInAnyOrderEntriesOf(Map.of("loginHost", "https://login.salesforce.com",
                "sessionLifetimeSeconds", "3600", "pkceEnabled", "true"));
    }

    @Test
    void aBadBodyIsRefusedNamingTheField() throws Exception {
        assertThatThrownBy(() -> BrokerSwitchRequest.parse(json("[]"))).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> BrokerSwitchRequest.parse(null)).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> BrokerSwitchRequest.parse(json("{\"config\":{}}"))).hasMessageContaining("providerId");
        assertThatThrownBy(() -> BrokerSwitchRequest.parse(json("{\"providerId\":7}"))).hasMessageContaining("providerId");
        assertThatThrownBy(() -> BrokerSwitchRequest.parse(json("{\"providerId\":\"p\",\"config\":\"x\"}")))
                .hasMessageContaining("config must be");
        assertThatThrownBy(() -> BrokerSwitchRequest.parse(json("{\"providerId\":\"p\",\"config\":{\"a\":{\"b\":1}}}")))
                .hasMessageContaining("config.a");
    }

    @Test
    void theAppRegistrationAndOrganizationSettingsAreKeptWhenLeftOutOrMasked() {
        Map<String, String> old = Map.of("clientId", "old-id", "clientSecret", "old-secret", "kc.org.domain", "acme.example",
                "authorizationUrl", "https://idp.example/auth", "issuer", "https://idp.example");

        Map<String, String> left = new BrokerSwitchRequest("conduit-salesforce", Map.of("loginHost", "https://x.example"))
                .configOver(old);
        assertThat(left).containsExactlyInAnyOrderEntriesOf(Map.of("loginHost", "https://x.example", "clientId", "old-id",
                "clientSecret", "old-secret", "kc.org.domain", "acme.example"));

        Map<String, String> masked = new BrokerSwitchRequest("conduit-salesforce",
                Map.of("clientId", "new-id", "clientSecret", BrokerSwitchRequest.MASKED)).configOver(old);
        assertThat(masked).containsEntry("clientId", "new-id").containsEntry("clientSecret", "old-secret")
                .doesNotContainKeys("authorizationUrl", "issuer");

        Map<String, String> replaced = new BrokerSwitchRequest("conduit-salesforce",
                Map.of("clientSecret", "${vault.salesforce-client-secret}")).configOver(old);
        assertThat(replaced).containsEntry("clientSecret", "${vault.salesforce-client-secret}");
    }

    @Test
    void noClientIdAnywhereIsRefused() {
        assertThatThrownBy(() -> new BrokerSwitchRequest("conduit-hubspot", Map.of()).configOver(Map.of("clientSecret", "s")))
                .hasMessageContaining("config.clientId");
        assertThatThrownBy(() -> new BrokerSwitchRequest("conduit-hubspot", Map.of("clientId", " ")).configOver(null))
                .hasMessageContaining("config.clientId");
    }
}
