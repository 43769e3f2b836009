package dev.conduit.api.permission;

import dev.conduit.broker.google.GoogleIdentityProviderFactory;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderFactory;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderFactory;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import dev.conduit.api.permission.HeldPermissions.Permission;
import org.junit.jupiter.api.Test;

class HeldPermissionsTest {

    @Test
    void aHubSpotConnectionHoldsThePermissionsItsScopesCoverInPeoplesWords() {
        assertThat(HeldPermissions.of(new HubSpotIdentityProviderFactory().vocabulary(), Set.of("oauth", "crm.objects.contacts.read"), Map.of())).containsExactly(
                new Permission("crm.contacts.read", "Read contacts"),
                new Permission("crm.activity.read", "Read activity"),
                new Permission("offline", "Keep access while you are away"));
    }

    @Test
    void salesforcesCoarseApiScopeCoversEveryCrmPermissionAndRefreshTokenTheOfflineOne() {
        assertThat(HeldPermissions.of(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("api", "refresh_token", "openid"), Map.of()))
                .extracting(Permission::name).containsExactly("crm.contacts.read", "crm.contacts.write", "crm.deals.read",
                        "crm.deals.write", "crm.activity.read", "offline");
        assertThat(HeldPermissions.of(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("openid", "id"), Map.of())).isEmpty();
    }

    @Test
    void theRealmsConsentTextIsTheLabelAndItsMappingDecidesWhatIsHeld() {
        Map<String, Map<String, String>> realm = Map.of(
                "calendar.read", Map.of("consent.screen.text", "Read your calendars",
                        "conduit.scopes.google", "https://www.googleapis.com/auth/calendar.readonly"),
                "mail.send", Map.of("consent.screen.text", "${mailSendConsent}"),
                "it.drive", Map.of("consent.screen.text", "Read Drive files",
                        "conduit.scopes.google", "https://www.googleapis.com/auth/drive.readonly"),
                "profile", Map.of("consent.screen.text", "User profile"));
        Set<String> granted = Set.of("openid", "email", "https://www.googleapis.com/auth/calendar.readonly",
                "https://www.googleapis.com/auth/gmail.send", "https://www.googleapis.com/auth/drive.readonly");

        assertThat(HeldPermissions.of(new GoogleIdentityProviderFactory().vocabulary(), granted, realm)).containsExactly(
                new Permission("calendar.read", "Read your calendars"),
                new Permission("mail.send", "Send mail"),
                new Permission("it.drive", "Read Drive files"));
    }

    @Test
    void aPermissionNeedsEveryScopeItMapsTo() {
        Map<String, Map<String, String>> realm = Map.of("crm.deals.write",
                Map.of("conduit.scopes.salesforce", "api custom_permissions"));
        assertThat(HeldPermissions.of(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("api"), realm)).extracting(Permission::name)
                .doesNotContain("crm.deals.write").contains("crm.deals.read");
        assertThat(HeldPermissions.of(new SalesforceIdentityProviderFactory().vocabulary(), Set.of("api", "custom_permissions"), realm)).extracting(Permission::name)
                .contains("crm.deals.write");
    }

    @Test
    void noProviderTypeOrNoScopesHoldNothing() {
        assertThat(HeldPermissions.of(null, Set.of("api"), Map.of())).isEmpty();
        assertThat(HeldPermissions.of(new SalesforceIdentityProviderFactory().vocabulary(), Set.of(), Map.of())).isEmpty();
    }
}
