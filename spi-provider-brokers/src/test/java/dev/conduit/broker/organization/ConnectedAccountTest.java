package dev.conduit.broker.organization;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectedAccountTest {

    @Test
    void namesTheLoginTheAccountTheTenantAndTheInstance() {
        assertThat(new ConnectedAccount("005A", "annie@acme.example", "00DA", "https://acme.my.salesforce.com").describe())
                .isEqualTo("annie@acme.example (account 005A, tenant 00DA, https://acme.my.salesforce.com)");
        assertThat(new ConnectedAccount("7100107", null, "hub-1", null).describe()).isEqualTo("account 7100107, tenant hub-1");
        assertThat(new ConnectedAccount(null, null, null, null).describe()).isEqualTo("unknown account");
    }

    @Test
    void boundsAndCleansWhatTheProviderSent() {
        ConnectedAccount account = new ConnectedAccount("1", "evil\n\u0000name" + "x".repeat(500), " ", null);
        assertThat(account.username()).doesNotContain("\n").doesNotContain("\u0000").hasSize(ConnectedAccount.MAX_LENGTH);
        assertThat(account.tenant()).isNull();
    }
}
