package dev.conduit.vault.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conduit.api.permission.HeldPermissions.Permission;
import dev.conduit.api.permission.Vocabulary;
import dev.conduit.api.vault.LastError;
import dev.conduit.vault.service.ConnectionStatus;
import dev.conduit.vault.store.ConnectionEntity;
import org.junit.jupiter.api.Test;

class OwnConnectionTest {

    private static final String STORED = LastError.of("invalid_grant (HTTP 400): the provider refused the refresh token;"
            + " an earlier refresh never stored its answer", "that refresh started at 2026-12-01T10:00:00Z on node kc-a.internal:4242");

    /** A slice of Salesforce's vocabulary, as its broker declares it. */
    private static final Vocabulary SALESFORCE_WORDS = new Vocabulary("salesforce",
            Map.of("crm.contacts.read", "api", "offline", "refresh_token"));

    private static final OwnConnection.ProviderFacts SALESFORCE_AS_NAMED_BY_ITS_BROKER = new OwnConnection.ProviderFacts(
            SALESFORCE_WORDS, "Salesforce", "the app's access was revoked");

    private static ConnectionEntity salesforceRow() {
        ConnectionEntity row = new ConnectionEntity();
        row.setId("c1");
        row.setProviderAlias("salesforce");
        row.setProviderId("conduit-salesforce");
        row.setAccountId("0055g00000RosFrEAA");
        row.setAccountName("Rosalind Franklin");
        row.setAccountEmail("rosalind@acme.example");
        row.setScopes("refresh_token openid api");
        row.setAccessToken("v1.k1.sealed-access-ciphertext");
        row.setRefreshToken("v1.k1.sealed-refresh-ciphertext");
        row.setStatus("RECONNECT_REQUIRED");
        row.setLastError("invalid_grant (HTTP 400): the provider refused the refresh token");
        return row;
    }

    @Test
    void aPersonSeesTheAccountThePermissionsAndWhatToDoBesideTheVaultsWords() {
        Map<String, Map<String, String>> realm = Map.of("crm.contacts.read", Map.of("consent.screen.text", "Read CRM contacts",
                "conduit.scopes.salesforce", "api"));
        OwnConnection own = OwnConnection.of(salesforceRow(), SALESFORCE_AS_NAMED_BY_ITS_BROKER, realm, 0);

        assertThat(own.providerName()).isEqualTo("Salesforce");
        assertThat(own.providerType()).isEqualTo("salesforce");
        assertThat(own.accountName()).isEqualTo("Rosalind Franklin");
        assertThat(own.accountEmail()).isEqualTo("rosalind@acme.example");
        assertThat(own.accountId()).isEqualTo("0055g00000RosFrEAA");
        assertThat(own.scopes()).containsExactly("refresh_token", "openid", "api");
        assertThat(own.permissions()).startsWith(new Permission("crm.contacts.read", "Read CRM contacts"))
                .contains(new Permission("offline", "Keep access while you are away"));
        assertThat(own.summary()).startsWith("Salesforce stopped accepting this connection on ")
                .endsWith(" (the app's access was revoked). Reconnect to continue.");
        assertThat(own.action()).isEqualTo("reconnect");
        assertThat(own.statusSince()).isNotNull();
    }

    @Test
    void itsJsonCarriesNoTokenNotEvenSealed() throws Exception {
        String json = new ObjectMapper().writeValueAsString(OwnConnection.of(salesforceRow(),
                new OwnConnection.ProviderFacts(SALESFORCE_WORDS, "Acme Salesforce", ""), Map.of(), 0));
        assertThat(json).contains("\"providerName\":\"Acme Salesforce\"").contains("\"accountName\":\"Rosalind Franklin\"")
                .contains("\"permissions\":[{\"name\":\"crm.contacts.read\",\"label\":\"Read contacts\"}")
                .doesNotContain("ciphertext").doesNotContain("accessToken").doesNotContain("refreshToken");
    }

    @Test
    void aUsersOwnConnectionPageShowsTheReasonWithoutTheNode() {
        ConnectionEntity row = new ConnectionEntity();
        row.setId("c1");
        row.setProviderAlias("salesforce");
        row.setStatus(ConnectionStatus.RECONNECT_REQUIRED.name());
        row.setLastError(STORED);
        OwnConnection own = OwnConnection.of(row, new OwnConnection.ProviderFacts(Vocabulary.unknown(null), "salesforce", ""),
                Map.of(), 0);
        assertThat(own.reason()).startsWith("invalid_grant (HTTP 400)").doesNotContain("kc-a.internal");
        assertThat(own.summary()).doesNotContain("kc-a.internal").doesNotContain("admin detail");
    }
}
