package dev.conduit.vault.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** The last round of a scheduled task that some node claimed (see {@link ProactiveRefreshTask}). */
@Entity
@Table(name = "CONDUIT_VAULT_ROUND")
@NamedQuery(name = "conduitClaimRound", query = "update RoundEntity r set r.lastRound = :round, r.node = :node,"
        + " r.claimedAt = :now where r.task = :task and r.lastRound < :round")
public class RoundEntity {

    @Id
    @Column(name = "TASK", length = 64)
    private String task;

    @Column(name = "LAST_ROUND", nullable = false)
    private long lastRound;

    @Column(name = "NODE")
    private String node;

    @Column(name = "CLAIMED_AT", nullable = false)
    private long claimedAt;

    public String getTask() { return task; }
    public void setTask(String task) { this.task = task; }
    public long getLastRound() { return lastRound; }
    public void setLastRound(long lastRound) { this.lastRound = lastRound; }
    public String getNode() { return node; }
    public void setNode(String node) { this.node = node; }
    public long getClaimedAt() { return claimedAt; }
    public void setClaimedAt(long claimedAt) { this.claimedAt = claimedAt; }
}
