package dev.conduit.exchange;

import dev.conduit.broker.google.GoogleIdentityProviderFactory;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderFactory;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderFactory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;

class PermissionVocabularyTest {

    @Test
    void hubspotPermissionsMapToTheirOwnObjectScopes() {
        assertThat(PermissionVocabulary.upstreamScopes(new HubSpotIdentityProviderFactory().vocabulary(), Set.of("crm.contacts.read", "crm.deals.write")))
                .containsExactlyInAnyOrder("crm.objects.contacts.read", "crm.objects.deals.write");
    }

    @Test
    void salesforceCoarseApiScopeCoversEveryCrmPermission() {
        assertThat(PermissionVocabulary.upstreamScopes(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("crm.contacts.read", "crm.deals.write")))
                .containsExactly("api");
    }

    @Test
    void aPermissionTheProviderCannotExpressIsRefusedByName() {
        assertThatThrownBy(() -> PermissionVocabulary.upstreamScopes(new GoogleIdentityProviderFactory().vocabulary(), Set.of("crm.deals.read")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("crm.deals.read");
    }

    @Test
    void missingListsOnlyPermissionsWhoseScopeWasNotGranted() {
        Set<String> granted = Set.of("oauth", "crm.objects.contacts.read");
        assertThat(PermissionVocabulary.missing(new HubSpotIdentityProviderFactory().vocabulary(), Set.of("crm.contacts.read", "crm.deals.read"), granted))
                .containsExactly("crm.deals.read");
    }
}
