package dev.conduit.vault.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A revocation that outlives its connection's identity provider or realm: the connection's sealed token columns,
 * copied as they were with the realm, owner and alias they are bound to (so they open without that realm), and the
 * {@link RevocationClientEntity} to send them with. Never a token in clear.
 */
@Entity
@Table(name = "CONDUIT_PENDING_REVOCATION")
public class PendingRevocationEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "CLIENT_ID", length = 36, nullable = false)
    private String clientId;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "OWNER_KIND", length = 16, nullable = false)
    private String ownerKind;
    @Column(name = "OWNER_ID", length = 36, nullable = false)
    private String ownerId;
    @Column(name = "PROVIDER_ALIAS", nullable = false)
    private String providerAlias;
    @Column(name = "ACCESS_TOKEN", length = 8192)
    private String accessToken;
    @Column(name = "REFRESH_TOKEN", length = 8192)
    private String refreshToken;
    @Column(name = "KEY_ID", length = 64)
    private String keyId;
    /** provider_removed or realm_removed. */
    @Column(name = "WHY", length = 32, nullable = false)
    private String why;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;
    @Column(name = "NEXT_ATTEMPT_AT", nullable = false)
    private long nextAttemptAt;
    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;
    /** Why the last attempt failed: a status and an error code, never a token or a body. */
    @Column(name = "LAST_ERROR", length = 512)
    private String lastError;
    @Column(name = "LEASE_OWNER", length = 128)
    private String leaseOwner;
    @Column(name = "LEASE_UNTIL", nullable = false)
    private long leaseUntil;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getClientId() { return clientId; }
    public void setClientId(String clientId) { this.clientId = clientId; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getOwnerKind() { return ownerKind; }
    public void setOwnerKind(String ownerKind) { this.ownerKind = ownerKind; }
    public String getOwnerId() { return ownerId; }
    public void setOwnerId(String ownerId) { this.ownerId = ownerId; }
    public String getProviderAlias() { return providerAlias; }
    public void setProviderAlias(String providerAlias) { this.providerAlias = providerAlias; }
    public String getAccessToken() { return accessToken; }
    public void setAccessToken(String accessToken) { this.accessToken = accessToken; }
    public String getRefreshToken() { return refreshToken; }
    public void setRefreshToken(String refreshToken) { this.refreshToken = refreshToken; }
    public String getKeyId() { return keyId; }
    public void setKeyId(String keyId) { this.keyId = keyId; }
    public String getWhy() { return why; }
    public void setWhy(String why) { this.why = why; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long createdAt) { this.createdAt = createdAt; }
    public long getNextAttemptAt() { return nextAttemptAt; }
    public void setNextAttemptAt(long nextAttemptAt) { this.nextAttemptAt = nextAttemptAt; }
    public int getAttempts() { return attempts; }
    public void setAttempts(int attempts) { this.attempts = attempts; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) {
        this.lastError = lastError == null || lastError.length() <= 512 ? lastError : lastError.substring(0, 512);
    }
    public String getLeaseOwner() { return leaseOwner; }
    public void setLeaseOwner(String leaseOwner) { this.leaseOwner = leaseOwner; }
    public long getLeaseUntil() { return leaseUntil; }
    public void setLeaseUntil(long leaseUntil) { this.leaseUntil = leaseUntil; }
}
