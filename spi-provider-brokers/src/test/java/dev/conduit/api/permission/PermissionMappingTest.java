package dev.conduit.api.permission;

import dev.conduit.broker.google.GoogleIdentityProviderFactory;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderFactory;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderFactory;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class PermissionMappingTest {

    @Test
    void aPermissionMapsThroughItsClientScopeAttributeElseTheSeed() {
        assertThat(PermissionMapping.upstreamScopes(new HubSpotIdentityProviderFactory().vocabulary(), "crm.deals.write", null)).containsExactly("crm.objects.deals.write");
        assertThat(PermissionMapping.upstreamScopes(new SalesforceIdentityProviderFactory().vocabulary(), "crm.deals.write", Map.of("conduit.scopes.salesforce",
                "api custom_permissions"))).containsExactly("api", "custom_permissions");
        // blank attribute: the provider cannot express it, whatever the seed says
        assertThat(PermissionMapping.upstreamScopes(new SalesforceIdentityProviderFactory().vocabulary(), "crm.deals.write", Map.of("conduit.scopes.salesforce", " "))).isEmpty();
        assertThat(PermissionMapping.upstreamScopes(new GoogleIdentityProviderFactory().vocabulary(), "crm.deals.write", null)).isEmpty();
        assertThat(PermissionMapping.upstreamScopes(new GoogleIdentityProviderFactory().vocabulary(), "no.such.permission", null)).isEmpty();
    }

    @Test
    void theMappedScopesOfAProviderAreTheSeedsPlusTheRealmsClientScopes() {
        Map<String, Map<String, String>> realm = Map.of(
                "it.drive", Map.of("conduit.scopes.google", "https://www.googleapis.com/auth/drive.readonly"),
                "profile", Map.of("include.in.token.scope", "true"));

        assertThat(PermissionMapping.mappedScopes(new GoogleIdentityProviderFactory().vocabulary(), realm)).containsExactlyInAnyOrder(
                "https://www.googleapis.com/auth/calendar.readonly", "https://www.googleapis.com/auth/gmail.send",
                "https://www.googleapis.com/auth/drive.readonly");
        assertThat(PermissionMapping.mappedScopes(new SalesforceIdentityProviderFactory().vocabulary(), Map.of())).containsExactlyInAnyOrder("api", "refresh_token")
                .doesNotContain("full");
    }

    @Test
    void duplicateNamesAreNoError() {
        assertThat(PermissionMapping.split(" api  api refresh_token api ")).containsExactly("api", "refresh_token");
        assertThat(PermissionMapping.split(null)).isEmpty();
        assertThat(PermissionMapping.upstreamScopes(new SalesforceIdentityProviderFactory().vocabulary(), "x", Map.of("conduit.scopes.salesforce", "api api")))
                .containsExactly("api");
    }

    @Test
    void conduitProviderIdsNameTheirType() {
        assertThat(PermissionMapping.providerType("conduit-google")).contains("google");
        assertThat(PermissionMapping.providerType("conduit-")).isEmpty();
        assertThat(PermissionMapping.providerType("google")).isEmpty();
        assertThat(PermissionMapping.providerType(null)).isEmpty();
    }
}
