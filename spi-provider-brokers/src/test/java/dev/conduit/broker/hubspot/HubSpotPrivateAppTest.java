package dev.conduit.broker.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.ServerCredential;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

class HubSpotPrivateAppTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private final HubSpotPrivateApp app = new HubSpotPrivateApp();
    private final String token = "pat-na1-" + UUID.randomUUID();

    @Test
    void theTokenIsSealedServedAsItIsAndNeverShown() throws Exception {
        ServerCredential credential = app.accept(provider(), input(token), NOW);

        assertThat(app.staticToken(credential)).contains(token);
        assertThat(app.mintRequest(provider(), credential, null, Set.of(), NOW)).isEmpty();
        assertThat(credential.shown()).containsExactly(Map.entry("region", "na1"));
        assertThat(credential.toString()).doesNotContain(token);
        assertThat(credential.scopes()).containsExactlyInAnyOrder("crm.objects.contacts.read", "crm.objects.deals.read");
        assertThat(app.healthCheckUrl(provider())).contains("http://sandbox.test/hubspot/account-info/v3/details");
    }

    @Test
    void whatIsNotAPrivateAppTokenIsRefusedWithoutRepeatingIt() {
        String oauthToken = "CNq" + UUID.randomUUID();

        assertThatThrownBy(() -> app.accept(provider(), input(oauthToken), NOW)).isInstanceOf(KeyMaterialException.class)
                .hasMessageContaining("not a private app token").hasMessageNotContaining(oauthToken);
        assertThatThrownBy(() -> app.accept(provider(), input("pat-na1-" + "a".repeat(600)), NOW)).hasMessageContaining("longer than");
        assertThatThrownBy(() -> app.accept(provider(), Map.of("access_token", token), NOW)).hasMessageContaining("scopes is required");
    }

    @Test
    void aRefusedTokenNeedsTheAdminAndAnOutageIsRetried() {
        assertThat(app.readRefusal(401, null, null).code()).isEqualTo("token_refused");
        assertThat(app.readRefusal(403, null, null).code()).isEqualTo("missing_scopes");
        assertThat(app.readRefusal(502, null, null).adminAction()).isFalse();
        assertThat(new HubSpotIdentityProviderFactory().serverGrantKinds()).extracting(kind -> kind.id())
                .containsExactly("hubspot-private-app");
    }

    private static Map<String, String> input(String token) {
        return new HashMap<>(Map.of("access_token", token, "scopes", "crm.objects.contacts.read crm.objects.deals.read"));
    }

    private static IdentityProviderModel provider() {
        IdentityProviderModel model = new IdentityProviderModel();
        model.setAlias("hubspot");
        model.setProviderId(HubSpotIdentityProviderFactory.PROVIDER_ID);
        model.setConfig(new HashMap<>(Map.of(HubSpotIdentityProviderConfig.API_BASE_URL, "http://sandbox.test/hubspot")));
        return model;
    }
}
