package dev.conduit.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;

class ConsoleClientTest {

    @Test
    void theConsoleClientIsPublicCodeWithPkceOnlyAndRedirectsOnlyToItsPage() {
        ClientRepresentation client = ConsoleClient.representation("acme-prod");
        assertThat(client.isPublicClient()).isTrue();
        assertThat(client.isStandardFlowEnabled()).isTrue();
        assertThat(client.isImplicitFlowEnabled()).isFalse();
        assertThat(client.isDirectAccessGrantsEnabled()).isFalse();
        assertThat(client.isServiceAccountsEnabled()).isFalse();
        assertThat(client.getAttributes()).containsEntry("pkce.code.challenge.method", "S256");
        assertThat(client.getRedirectUris()).containsExactly("/realms/acme-prod/conduit-console/*");
        assertThat(client.getBaseUrl()).isEqualTo("/realms/acme-prod/conduit-console/");
    }

    @Test
    void theConsoleClientHasNoFullScopeAndOnlyTheAdminRolesThePageUses() {
        ClientRepresentation client = ConsoleClient.representation("acme-prod");
        assertThat(client.isFullScopeAllowed()).isFalse();
        assertThat(client.getAttributes()).containsEntry(ConsoleClient.PROVISIONED_ATTRIBUTE, "true");
        assertThat(ConsoleClient.ADMIN_ROLES).contains("view-identity-providers", "manage-identity-providers")
                .doesNotContain("realm-admin", "admin", "manage-realm", "manage-users", "impersonation", "manage-clients");
        assertThat(ConsoleClient.ACCOUNT_ROLES).containsExactly("manage-account-links");
    }

    @Test
    void placeholdersAreEscaped() {
        assertThat(ConsolePage.render("<body data-realm=\"{{realm}}\" data-client=\"{{clientId}}\">", "a\"<b>&'", "c", "p"))
                .isEqualTo("<body data-realm=\"a&quot;&lt;b&gt;&amp;&#39;\" data-client=\"c\">");
    }
}
