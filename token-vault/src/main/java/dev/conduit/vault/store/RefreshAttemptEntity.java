package dev.conduit.vault.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** An upstream refresh in flight (see {@link RefreshAttempts}). */
@Entity
@Table(name = "CONDUIT_REFRESH_ATTEMPT")
@NamedQuery(name = "conduitFinishRefreshAttempt", query = "delete from RefreshAttemptEntity a where a.connectionId = :id")
public class RefreshAttemptEntity {

    @Id
    @Column(name = "CONNECTION_ID", length = 36)
    private String connectionId;

    @Column(name = "NODE")
    private String node;

    @Column(name = "STARTED_AT", nullable = false)
    private long startedAt;

    public String getConnectionId() { return connectionId; }
    public void setConnectionId(String connectionId) { this.connectionId = connectionId; }
    public String getNode() { return node; }
    public void setNode(String node) { this.node = node; }
    public long getStartedAt() { return startedAt; }
    public void setStartedAt(long startedAt) { this.startedAt = startedAt; }
}
