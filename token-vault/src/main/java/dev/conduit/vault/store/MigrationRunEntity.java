package dev.conduit.vault.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A realm's stored-token migration of one identity provider, as every node sees it (changelog 0011): who runs it
 * ({@code runId}, {@code node}), its state and heartbeat (epoch seconds), its counts and the cursor of the last identity
 * a committed batch handled. One row per realm and alias, kept after the run. Never a token.
 */
@Entity
@Table(name = "CONDUIT_MIGRATION_RUN")
public class MigrationRunEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "PROVIDER_ALIAS", nullable = false)
    private String providerAlias;
    @Column(name = "RUN_ID", length = 36, nullable = false)
    private String runId;
    @Column(name = "NODE", nullable = false)
    private String node;
    @Column(name = "STATE", length = 16, nullable = false)
    private String state;
    @Column(name = "STARTED_AT", nullable = false)
    private long startedAt;
    @Column(name = "HEARTBEAT_AT", nullable = false)
    private long heartbeatAt;
    @Column(name = "FINISHED_AT")
    private Long finishedAt;
    @Column(name = "TAKEOVERS", nullable = false)
    private int takeovers;
    @Column(name = "MIGRATED", nullable = false)
    private long migrated;
    @Column(name = "SKIPPED", nullable = false)
    private long skipped;
    @Column(name = "UNPARSEABLE", nullable = false)
    private long unparseable;
    @Column(name = "REMAINING", nullable = false)
    private long remaining;
    @Column(name = "AFTER_USER_ID", nullable = false)
    private String afterUserId;
    /** Why a run failed: what failed and the exception's class, never a message that could hold data. */
    @Column(name = "REASON")
    private String reason;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getProviderAlias() { return providerAlias; }
    public void setProviderAlias(String providerAlias) { this.providerAlias = providerAlias; }
    public String getRunId() { return runId; }
    public void setRunId(String runId) { this.runId = runId; }
    public String getNode() { return node; }
    public void setNode(String node) { this.node = node; }
    public String getState() { return state; }
    public void setState(String state) { this.state = state; }
    public long getStartedAt() { return startedAt; }
    public void setStartedAt(long startedAt) { this.startedAt = startedAt; }
    public long getHeartbeatAt() { return heartbeatAt; }
    public void setHeartbeatAt(long heartbeatAt) { this.heartbeatAt = heartbeatAt; }
    public Long getFinishedAt() { return finishedAt; }
    public void setFinishedAt(Long finishedAt) { this.finishedAt = finishedAt; }
    public int getTakeovers() { return takeovers; }
    public void setTakeovers(int takeovers) { this.takeovers = takeovers; }
    public long getMigrated() { return migrated; }
    public void setMigrated(long migrated) { this.migrated = migrated; }
    public long getSkipped() { return skipped; }
    public void setSkipped(long skipped) { this.skipped = skipped; }
    public long getUnparseable() { return unparseable; }
    public void setUnparseable(long unparseable) { this.unparseable = unparseable; }
    public long getRemaining() { return remaining; }
    public void setRemaining(long remaining) { this.remaining = remaining; }
    public String getAfterUserId() { return afterUserId; }
    public void setAfterUserId(String afterUserId) { this.afterUserId = afterUserId; }
    public String getReason() { return reason; }
    public void setReason(String reason) {
        this.reason = reason == null || reason.length() <= 255 ? reason : reason.substring(0, 255);
    }
}
