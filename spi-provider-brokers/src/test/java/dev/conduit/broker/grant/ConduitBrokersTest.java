package dev.conduit.broker.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import dev.conduit.api.grant.ConduitBroker;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.broker.google.GoogleIdentityProviderFactory;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderFactory;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderFactory;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

class ConduitBrokersTest {

    private static final Map<String, Object> FACTORIES = Map.of(
            "conduit-salesforce", new SalesforceIdentityProviderFactory(),
            "conduit-hubspot", new HubSpotIdentityProviderFactory(),
            "conduit-google", new GoogleIdentityProviderFactory(),
            "oidc", new Object());

    @Test
    void anIdentityProviderKeycloakLinksToAnOrganizationConnectsForThatOrganizationOnly() {
        IdentityProviderModel realmWide = model("conduit-salesforce", Map.of());
        IdentityProviderModel bravos = model("conduit-salesforce", Map.of());
        bravos.setOrganizationId("bravo-id");

        assertThat(ConduitBrokers.servesOrganization(realmWide, "alpha-id")).isTrue();
        assertThat(ConduitBrokers.servesOrganization(bravos, "bravo-id")).isTrue();
        assertThat(ConduitBrokers.servesOrganization(bravos, "alpha-id")).isFalse();
        assertThat(ConduitBrokers.servesOrganization(bravos, null)).isFalse();
    }

    @Test
    void salesforceRefreshesAndRevokesAtItsLoginHostAndLivesAsLongAsTheSession() {
        UpstreamClient client = client(model("conduit-salesforce", Map.of(
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
        UpstreamClient client = client(model("conduit-hubspot", Map.of(
                "apiBaseUrl", "https://api.hubapi.com", "tokenPath", "/oauth/2026-03/token"))).orElseThrow();

        assertThat(client.tokenUrl()).isEqualTo("https://api.hubapi.com/oauth/2026-03/token");
        assertThat(client.revocation()).isEqualTo(UpstreamClient.Revocation.DELETE_PATH);
        assertThat(client.revocationUrl()).isEqualTo("https://api.hubapi.com/oauth/v1/refresh-tokens/");
    }

    @Test
    void googleRevokesTheWholeGrantBesideItsTokenEndpoint() {
        UpstreamClient defaults = client(model("conduit-google", Map.of())).orElseThrow();
        assertThat(defaults.tokenUrl()).isEqualTo("https://oauth2.googleapis.com/token");
        assertThat(defaults.revocationUrl()).isEqualTo("https://oauth2.googleapis.com/revoke");
        assertThat(defaults.revocation()).isEqualTo(UpstreamClient.Revocation.POST_FORM_WHOLE_GRANT);

        UpstreamClient sandbox = client(model("conduit-google", Map.of("tokenUrl", "http://localhost:8089/google/token")))
                .orElseThrow();
        assertThat(sandbox.revocationUrl()).isEqualTo("http://localhost:8089/google/revoke");
    }

    @Test
    void otherIdentityProvidersAreNotConduitBrokers() {
        assertThat(ConduitBrokers.of(model("oidc", Map.of()), FACTORIES::get)).isEmpty();
        assertThat(ConduitBrokers.of(model("conduit-zoho", Map.of()), FACTORIES::get)).isEmpty();
        assertThat(ConduitBrokers.of(null, FACTORIES::get)).isEmpty();
    }

    @Test
    void theListedBrokersAreTheEnabledConduitOnesByAliasNamedByDisplayNameElseProduct() {
        IdentityProviderModel europe = model("conduit-salesforce", Map.of());
        europe.setAlias("sf-eu");
        europe.setDisplayName("Salesforce EU");
        europe.setEnabled(true);
        IdentityProviderModel hubspot = model("conduit-hubspot", Map.of());
        hubspot.setAlias("crm");
        hubspot.setEnabled(true);
        IdentityProviderModel disabled = model("conduit-google", Map.of());
        disabled.setEnabled(false);
        IdentityProviderModel plain = model("oidc", Map.of());
        plain.setEnabled(true);

        assertThat(ConduitBrokers.enabled(java.util.stream.Stream.of(europe, plain, disabled, hubspot), FACTORIES::get))
                .containsExactly(new ConduitBrokers.Listed("crm", "HubSpot", "hubspot"),
                        new ConduitBrokers.Listed("sf-eu", "Salesforce EU", "salesforce"));
    }

    @Test
    void hubspotAnswersWithHubIdTheOthersWithOrganizationId() {
        assertThat(broker("conduit-hubspot").organizationIdName()).isEqualTo("hub_id");
        assertThat(broker("conduit-salesforce").organizationIdName()).isEqualTo("organization_id");
        assertThat(broker("conduit-google").providerType()).isEqualTo("google");
    }

    @Test
    void eachBrokerNamesItsProductAndWhyItsProviderEndsARefreshToken() {
        assertThat(broker("conduit-salesforce").productName()).isEqualTo("Salesforce");
        assertThat(broker("conduit-hubspot").productName()).isEqualTo("HubSpot");
        assertThat(broker("conduit-google").productName()).isEqualTo("Google");
        assertThat(broker("conduit-salesforce").refusedGrantCause()).contains("Salesforce organization's policy");
        assertThat(broker("conduit-hubspot").refusedGrantCause()).isEqualTo("the app was uninstalled from the HubSpot account");
        assertThat(broker("conduit-google").refusedGrantCause()).contains("unused for months");
    }

    private static ConduitBroker broker(String providerId) {
        return ConduitBrokers.of(model(providerId, Map.of()), FACTORIES::get).orElseThrow();
    }

    private static java.util.Optional<UpstreamClient> client(IdentityProviderModel model) {
        return ConduitBrokers.of(model, FACTORIES::get).map(broker -> broker.upstreamClient(model));
    }

    private static IdentityProviderModel model(String providerId, Map<String, String> config) {
        IdentityProviderModel model = new IdentityProviderModel();
        model.setProviderId(providerId);
        model.setAlias(providerId.replace("conduit-", ""));
        model.setConfig(new HashMap<>(config));
        return model;
    }
}
