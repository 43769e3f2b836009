package dev.conduit.broker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import dev.conduit.broker.grant.UpstreamClient;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

class UpstreamClientsTest {

    @Test
    void salesforceRefreshesAndRevokesAtItsLoginHostAndLivesAsLongAsTheSession() {
        UpstreamClient client = UpstreamClients.of(model("conduit-salesforce", Map.of(
                "loginHost", "https://acme.my.salesforce.com/", "sessionLifetimeSeconds", "3600",
                "clientId", "consumer-key", "clientSecret", "${vault.salesforce-client-secret}"))).orElseThrow();

        assertThat(client.tokenUrl()).isEqualTo("https://acme.my.salesforce.com/services/oauth2/token");
        assertThat(client.revocationUrl()).isEqualTo("https://acme.my.salesforce.com/services/oauth2/revoke");
        assertThat(client.revocation()).isEqualTo(UpstreamClient.Revocation.POST_FORM);
        assertThat(client.lifetimeWithoutExpiresIn()).isEqualTo(3600);
        assertThat(client.toString()).doesNotContain("vault.salesforce-client-secret");
    }

    @Test
    void hubspotUsesItsConfiguredTokenPathAndDeletesRefreshTokensByPath() {
        UpstreamClient client = UpstreamClients.of(model("conduit-hubspot", Map.of(
                "apiBaseUrl", "https://api.hubapi.com", "tokenPath", "/oauth/2026-03/token"))).orElseThrow();

        assertThat(client.tokenUrl()).isEqualTo("https://api.hubapi.com/oauth/2026-03/token");
        assertThat(client.revocation()).isEqualTo(UpstreamClient.Revocation.DELETE_PATH);
        assertThat(client.revocationUrl()).isEqualTo("https://api.hubapi.com/oauth/v1/refresh-tokens/");
    }

    @Test
    void googleRevokesTheWholeGrantBesideItsTokenEndpoint() {
        UpstreamClient defaults = UpstreamClients.of(model("conduit-google", Map.of())).orElseThrow();
        assertThat(defaults.tokenUrl()).isEqualTo("https://oauth2.googleapis.com/token");
        assertThat(defaults.revocationUrl()).isEqualTo("https://oauth2.googleapis.com/revoke");
        assertThat(defaults.revocation()).isEqualTo(UpstreamClient.Revocation.POST_FORM_WHOLE_GRANT);

        UpstreamClient sandbox = UpstreamClients.of(model("conduit-google", Map.of("tokenUrl", "http://localhost:8089/google/token")))
                .orElseThrow();
        assertThat(sandbox.revocationUrl()).isEqualTo("http://localhost:8089/google/revoke");
    }

    @Test
    void otherIdentityProvidersAreNotConduitBrokers() {
        assertThat(UpstreamClients.of(model("oidc", Map.of()))).isEmpty();
        assertThat(UpstreamClients.of(null)).isEmpty();
    }

    private static IdentityProviderModel model(String providerId, Map<String, String> config) {
        IdentityProviderModel model = new IdentityProviderModel();
        model.setProviderId(providerId);
        model.setAlias(providerId.replace("conduit-", ""));
        model.setConfig(new HashMap<>(config));
        return model;
    }
}
