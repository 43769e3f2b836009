package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class RevocationsAfterCommitTest {

    @Test
    void theRevocationIsSentOnlyOnceTheRequestCommitted() {
        AtomicInteger sent = new AtomicInteger();
        Revocations.AfterCommit committed = new Revocations.AfterCommit(sent::incrementAndGet);
        committed.begin();
        assertThat(sent).as("nothing sent inside the request").hasValue(0);
        committed.commit();
        assertThat(sent).hasValue(1);
    }

    @Test
    void aRolledBackDisconnectSendsNothing() {
        AtomicInteger sent = new AtomicInteger();
        Revocations.AfterCommit rolledBack = new Revocations.AfterCommit(sent::incrementAndGet);
        rolledBack.begin();
        rolledBack.rollback();
        assertThat(sent).hasValue(0);
    }

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
