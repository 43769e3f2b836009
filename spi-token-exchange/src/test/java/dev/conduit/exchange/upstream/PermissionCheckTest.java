package dev.conduit.exchange.upstream;

import dev.conduit.broker.google.GoogleIdentityProviderFactory;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderFactory;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderFactory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PermissionCheckTest {

    private static final Set<String> CLIENT = Set.of("crm.contacts.read", "crm.deals.write", "calendar.read");

    @Test
    void allowedPermissionsMapToTheProvidersScopesThroughTheSeed() {
        var outcome = PermissionCheck.resolve(new HubSpotIdentityProviderFactory().vocabulary(), Set.of("crm.contacts.read", "crm.deals.write"), CLIENT,
                name -> null);
        assertThat(outcome.refused()).isEmpty();
        assertThat(outcome.upstreamScopes()).containsExactlyInAnyOrder("crm.objects.contacts.read", "crm.objects.deals.write");
    }

    @Test
    void aClientScopeAttributeOverridesTheSeed() {
        var outcome = PermissionCheck.resolve(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("crm.contacts.read"), CLIENT,
                name -> Map.of("conduit.scopes.salesforce", "api custom_permissions"));
        assertThat(outcome.upstreamScopes()).containsExactlyInAnyOrder("api", "custom_permissions");
    }

    @Test
    void permissionsTheClientLacksOrTheProviderCannotExpressAreRefused() {
        var outcome = PermissionCheck.resolve(new GoogleIdentityProviderFactory().vocabulary(),
                Set.of("crm.contacts.read", "mail.send", "calendar.read"), CLIENT, name -> null);
        assertThat(outcome.refused()).containsExactlyInAnyOrder("crm.contacts.read", "mail.send");
        assertThat(outcome.upstreamScopes()).containsExactly("https://www.googleapis.com/auth/calendar.readonly");
    }

    @Test
    void missingScopesAreTheNeededOnesNotGranted() {
        assertThat(PermissionCheck.missing(Set.of("api", "refresh_token"), Set.of("refresh_token", "openid"))).containsExactly("api");
    }

    @Test
    void malformedScopeParametersAreRejected() {
        assertThat(PermissionCheck.parse(" crm.contacts.read  calendar.read ")).containsExactly("crm.contacts.read", "calendar.read");
        assertThat(PermissionCheck.parse(null)).isEmpty();
        assertThatThrownBy(() -> PermissionCheck.parse("crm.contacts.read <script>")).isInstanceOf(IllegalArgumentException.class);
        String sixty = java.util.stream.IntStream.range(0, 60).mapToObj(i -> "p" + i).collect(java.util.stream.Collectors.joining(" "));
        assertThatThrownBy(() -> PermissionCheck.parse(sixty)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMappingAttributeNamingAScopeTwiceIsNoError() {
        var outcome = PermissionCheck.resolve(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("crm.contacts.read"), CLIENT,
                name -> Map.of("conduit.scopes.salesforce", "api api  api"));
        assertThat(outcome.refused()).isEmpty();
        assertThat(outcome.upstreamScopes()).containsExactly("api");
    }

    @Test
    void noScopeMeansTheClientsDefaultPermissionsTheProviderCanExpress() {
        Map<String, Map<String, String>> realm = Map.of(
                "crm.contacts.read", Map.of("conduit.scopes.hubspot", "crm.objects.contacts.read"),
                "calendar.read", Map.of("conduit.scopes.google", "https://www.googleapis.com/auth/calendar.readonly"),
                "profile", Map.of("include.in.token.scope", "true"),
                "it.custom", Map.of("conduit.scopes.hubspot", "crm.objects.custom.read"),
                "it.blank", Map.of("conduit.scopes.hubspot", " "));
        Set<String> defaults = Set.of("profile", "crm.contacts.read", "calendar.read", "it.custom", "it.blank", "email");

        assertThat(PermissionCheck.defaults(new HubSpotIdentityProviderFactory().vocabulary(), defaults, realm::get))
                .containsExactly("crm.contacts.read", "it.custom");
        assertThat(PermissionCheck.defaults(new GoogleIdentityProviderFactory().vocabulary(), defaults, realm::get)).containsExactly("calendar.read");
        // a client whose default scopes hold no permission for the provider gets none (and the exchange refuses)
        assertThat(PermissionCheck.defaults(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("profile", "calendar.read"), realm::get)).isEmpty();
    }
}
