package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a parked row's last error says: why it was parked and by whom (the send after the commit: AfterCommitTest). */
class ParkedForTest {

    @Test
    void aDisconnectsParkKeepsWhyAndTheOwnerForTheSendsEvents() {
        String reason = ParkedFor.reason("unlink", "USER", "6f1c2a90-0000-4000-8000-000000000001");
        assertThat(reason).isEqualTo("parked: unlink by USER 6f1c2a90-0000-4000-8000-000000000001");
        assertThat(ParkedFor.of(reason)).isEqualTo(new ParkedFor("unlink", "USER", "6f1c2a90-0000-4000-8000-000000000001"));
        assertThat(ParkedFor.of(ParkedFor.reason("disconnect", "ORGANIZATION", "org-1")))
                .isEqualTo(new ParkedFor("disconnect", "ORGANIZATION", "org-1"));
    }

    @Test
    void aRemovalsParkHasNoOwnerAndAFailedSendIsARetry() {
        assertThat(ParkedFor.of(ParkedFor.reason("user_removed"))).isEqualTo(new ParkedFor("user_removed", null, null));
        assertThat(ParkedFor.of("HTTP 503 from the provider")).isEqualTo(ParkedFor.RETRY);
        assertThat(ParkedFor.of("parked: ")).isEqualTo(ParkedFor.RETRY);
        assertThat(ParkedFor.of(null)).isEqualTo(ParkedFor.RETRY);
        assertThat(ParkedFor.of("parked: unlink by USER")).isEqualTo(new ParkedFor("unlink", null, null));
        assertThat(ParkedFor.of("parked:  by USER x")).isEqualTo(ParkedFor.RETRY);
    }
}
