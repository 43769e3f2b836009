package dev.conduit.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import jakarta.persistence.PersistenceException;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ModelException;

class StorageOutageTest {

    @Test
    void aServerShuttingDownOrAClosedConnectionIsAnOutage() {
        // what PostgreSQL sends on a fast shutdown, and what the driver says of a connection it lost
        assertThat(StorageOutage.causedBy(new ModelException("Database operation failed",
                new PersistenceException(new SQLException("FATAL: terminating connection due to administrator command", "57P01"))))).isTrue();
        assertThat(StorageOutage.causedBy(new RuntimeException(new SQLException("This connection has been closed.", "08003")))).isTrue();
        assertThat(StorageOutage.causedBy(new SQLException("the database system is starting up", "57P03"))).isTrue();
        assertThat(StorageOutage.causedBy(new IllegalStateException(new SQLTransientConnectionException("timeout")))).isTrue();
    }

    @Test
    void aFailedCommitCarriesTheDriversErrorAsASuppressedException() {
        // Narayana's "Could not commit transaction" has no cause; the XA error with PostgreSQL's message is suppressed
        Exception rollback = new Exception("ARJUNA016053: Could not commit transaction.");
        Exception xa = new Exception("Error trying to transactionCommit local transaction",
                new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        rollback.addSuppressed(xa);
        assertThat(StorageOutage.causedBy(new RuntimeException(rollback))).isTrue();
    }

    @Test
    void aRefusedSocketUnderAPersistenceFailureIsAnOutage() {
        assertThat(StorageOutage.causedBy(new ModelException("Database operation failed", new ConnectException("Connection refused")))).isTrue();
    }

    @Test
    void otherFailuresAreNot() {
        // a refused socket with no persistence layer above it: an upstream provider, not the database
        assertThat(StorageOutage.causedBy(new IllegalStateException(new ConnectException("Connection refused")))).isFalse();
        assertThat(StorageOutage.causedBy(new ModelException("Database operation failed",
                new SQLException("duplicate key value violates unique constraint", "23505")))).isFalse();
        assertThat(StorageOutage.causedBy(new ModelException("Cannot parse", new IOException("bad")))).isFalse();
        assertThat(StorageOutage.causedBy(new NullPointerException())).isFalse();
    }

    @Test
    void aCauseCycleEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(StorageOutage.causedBy(a)).isFalse();
    }
}
