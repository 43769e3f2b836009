package dev.conduit.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class AfterCommitTest {

    @Test
    void theActionRunsOnceTheTransactionCommitted() {
        AtomicInteger runs = new AtomicInteger();
        AfterCommit committed = new AfterCommit(runs::incrementAndGet);
        committed.begin();
        assertThat(runs).as("nothing runs inside the transaction").hasValue(0);
        committed.commit();
        assertThat(runs).hasValue(1);
    }

    @Test
    void aRolledBackTransactionRunsNothing() {
        AtomicInteger runs = new AtomicInteger();
        AfterCommit rolledBack = new AfterCommit(runs::incrementAndGet);
        rolledBack.begin();
        rolledBack.rollback();
        assertThat(runs).hasValue(0);
    }
}
