package dev.conduit.broker.organization;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectConfirmationTest {

    private static final long NOW = 1_800_000_000L;

    private final String token = ConnectConfirmation.newToken();
    private final ConnectConfirmation confirmation = new ConnectConfirmation("org-1", "salesforce", "user-1",
            "annie (account 005)", null, ConnectConfirmation.hash(token), NOW);

    @Test
    void acceptsItsOwnTokenFromItsOwnUserWithinTheLifetime() {
        assertThat(confirmation.accepts(token, "user-1", NOW)).isTrue();
        assertThat(confirmation.accepts(token, "user-1", NOW + ConnectConfirmation.LIFETIME_SECONDS)).isTrue();
    }

    @Test
    void refusesAMissingWrongOrForeignToken() {
        assertThat(confirmation.accepts(null, "user-1", NOW)).isFalse();
        assertThat(confirmation.accepts("", "user-1", NOW)).isFalse();
        assertThat(confirmation.accepts(ConnectConfirmation.newToken(), "user-1", NOW)).isFalse();
        assertThat(confirmation.accepts(token + "x", "user-1", NOW)).isFalse();
        assertThat(confirmation.accepts("x".repeat(10_000), "user-1", NOW)).isFalse();
    }

    @Test
    void refusesAnotherUserAndAnExpiredOrFuturePage() {
        assertThat(confirmation.accepts(token, "user-2", NOW)).isFalse();
        assertThat(confirmation.accepts(token, null, NOW)).isFalse();
        assertThat(confirmation.accepts(token, "user-1", NOW + ConnectConfirmation.LIFETIME_SECONDS + 1)).isFalse();
        assertThat(confirmation.accepts(token, "user-1", NOW - 1)).isFalse();
    }

    @Test
    void keepsOnlyTheHashOfTheToken() {
        assertThat(confirmation.tokenHash()).hasSize(64).doesNotContain(token);
        assertThat(confirmation.toString()).doesNotContain(token);
        assertThat(ConnectConfirmation.newToken()).isNotEqualTo(token).hasSize(43);
    }
}
