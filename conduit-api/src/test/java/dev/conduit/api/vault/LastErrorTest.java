package dev.conduit.api.vault;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LastErrorTest {

    private static final String STORED = LastError.of("invalid_grant (HTTP 400): the provider refused the refresh token;"
            + " an earlier refresh never stored its answer", "that refresh started at 2026-12-01T10:00:00Z on node kc-a.internal:4242");

    @Test
    void administratorsKeepTheNodeDetail() {
        assertThat(STORED).contains("kc-a.internal:4242").startsWith("invalid_grant (HTTP 400)");
    }

    @Test
    void appsAndOwnersGetTheReasonWithoutTheNode() {
        assertThat(LastError.forAppsAndOwners(STORED)).isEqualTo("invalid_grant (HTTP 400): the provider refused the refresh token;"
                + " an earlier refresh never stored its answer").doesNotContain("kc-a").doesNotContain("4242");
    }

    @Test
    void aReasonWithoutAdminDetailIsUnchanged() {
        assertThat(LastError.of("timed out", null)).isEqualTo("timed out");
        assertThat(LastError.forAppsAndOwners("timed out")).isEqualTo("timed out");
        assertThat(LastError.forAppsAndOwners(null)).isNull();
    }

    @Test
    void theExceptionAppsReadCannotCarryTheAdminDetail() {
        ConnectionUnavailableException e = new ConnectionUnavailableException(ConnectionUnavailableException.RECONNECT_REQUIRED,
                "The connection must be authorized again (" + STORED + ")");
        assertThat(e.getMessage()).doesNotContain("kc-a.internal").doesNotContain("admin detail");
    }
}
