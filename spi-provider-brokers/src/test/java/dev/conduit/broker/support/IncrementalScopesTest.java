package dev.conduit.broker.support;

import dev.conduit.broker.google.GoogleIdentityProviderFactory;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderFactory;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderFactory;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IncrementalScopesTest {

    private static final Map<String, Map<String, String>> REALM = Map.of(
            "crm.deals.write", Map.of("conduit.scopes.hubspot", "crm.objects.deals.write"),
            "it.drive", Map.of("conduit.scopes.google", "https://www.googleapis.com/auth/drive.readonly"));

    @Test
    void onlyScopesTheVocabularyMapsForThatProviderAreAdded() {
        assertThat(IncrementalScopes.permitted(Set.of("full", "api"), new SalesforceIdentityProviderFactory().vocabulary(), REALM, Set.of())).containsExactly("api");
        assertThat(IncrementalScopes.permitted(Set.of("https://mail.google.com/", "https://www.googleapis.com/auth/drive.readonly"),
                new GoogleIdentityProviderFactory().vocabulary(), REALM, Set.of())).containsExactly("https://www.googleapis.com/auth/drive.readonly");
        // a scope mapped for another provider is not this one's
        assertThat(IncrementalScopes.permitted(Set.of("crm.objects.deals.write"), new SalesforceIdentityProviderFactory().vocabulary(), REALM, Set.of())).isEmpty();
        assertThat(IncrementalScopes.permitted(Set.of("crm.objects.deals.write"), new HubSpotIdentityProviderFactory().vocabulary(), REALM, Set.of()))
                .containsExactly("crm.objects.deals.write");
    }

    @Test
    void theAdministratorsAllowlistAddsScopes() {
        assertThat(IncrementalScopes.permitted(Set.of("full", "chatter_api"), new SalesforceIdentityProviderFactory().vocabulary(), REALM, Set.of("full")))
                .containsExactly("full");
    }

    @Test
    void malformedOrExcessScopesAreDroppedAndDuplicatesCollapse() {
        assertThat(IncrementalScopes.extra(" api  api \"quoted\" refresh_token")).containsExactly("api", "refresh_token");
        assertThat(IncrementalScopes.extra(null)).isEmpty();
        String many = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "s" + i).collect(java.util.stream.Collectors.joining(" "));
        assertThat(IncrementalScopes.extra(many)).hasSize(20);
    }
}
