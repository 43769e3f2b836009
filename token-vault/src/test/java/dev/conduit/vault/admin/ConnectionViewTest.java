package dev.conduit.vault.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conduit.vault.store.ConnectionEntity;
import org.junit.jupiter.api.Test;

class ConnectionViewTest {

    private static ConnectionEntity row() {
        ConnectionEntity row = new ConnectionEntity();
        row.setId("c-1");
        row.setRealmId("realm-1");
        row.setOwnerKind("USER");
        row.setOwnerId("ada");
        row.setProviderAlias("hubspot");
        row.setStatus("HEALTHY");
        row.setIssuedAt(1_700_000_000L);
        row.setExpiresAt(1_700_001_800L);
        row.setScopes("oauth crm.objects.contacts.read");
        row.setRefreshToken("v1.k1.sealed");
        return row;
    }

    @Test
    void showsTheStoredStatusAndWhenTheTokensWereIssued() {
        ConnectionView view = ConnectionView.of(row(), true);

        assertThat(view.status()).isEqualTo("HEALTHY");
        assertThat(view.issuedAt()).isEqualTo(1_700_000_000L);
        assertThat(view.expiresAt() - view.issuedAt()).isEqualTo(1800);
        assertThat(view.hasRefreshToken()).isTrue();
        assertThat(view.scopes()).containsExactlyInAnyOrder("oauth", "crm.objects.contacts.read");
    }

    @Test
    void aRowWhoseTokensDoNotOpenIsListedAsUndecryptable() {
        ConnectionView view = ConnectionView.of(row(), false);

        assertThat(view.status()).isEqualTo(ConnectionView.UNDECRYPTABLE);
        assertThat(view.id()).isEqualTo("c-1");
        assertThat(view.issuedAt()).isEqualTo(1_700_000_000L);
    }
}
