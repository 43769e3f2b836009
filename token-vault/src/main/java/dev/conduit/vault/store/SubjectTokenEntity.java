package dev.conduit.vault.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A per-user server connection's token for one subject (a Workspace user's e-mail): a cache of its connection's mints,
 * the token sealed ({@code RowSeal#sealSubjectToken}), with a lease of its own (changelog 0010).
 */
@Entity
@Table(name = "CONDUIT_SUBJECT_TOKEN")
public class SubjectTokenEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "CONNECTION_ID", length = 36, nullable = false)
    private String connectionId;
    @Column(name = "SUBJECT", length = 320, nullable = false)
    private String subject;
    @Column(name = "ACCESS_TOKEN", length = 8192)
    private String accessToken;
    @Column(name = "KEY_ID", length = 64)
    private String keyId;
    @Column(name = "SCOPES", length = 4000)
    private String scopes;
    @Column(name = "EXPIRES_AT")
    private long expiresAt;
    @Column(name = "LEASE_OWNER", length = 128)
    private String leaseOwner;
    @Column(name = "LEASE_UNTIL")
    private long leaseUntil;
    @Column(name = "LAST_ERROR", length = 512)
    private String lastError;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getConnectionId() { return connectionId; }
    public void setConnectionId(String connectionId) { this.connectionId = connectionId; }
    public String getSubject() { return subject; }
    public void setSubject(String subject) { this.subject = subject; }
    public String getAccessToken() { return accessToken; }
    public void setAccessToken(String accessToken) { this.accessToken = accessToken; }
    public String getKeyId() { return keyId; }
    public void setKeyId(String keyId) { this.keyId = keyId; }
    public String getScopes() { return scopes; }
    public void setScopes(String scopes) { this.scopes = scopes; }
    public long getExpiresAt() { return expiresAt; }
    public void setExpiresAt(long expiresAt) { this.expiresAt = expiresAt; }
    public String getLeaseOwner() { return leaseOwner; }
    public void setLeaseOwner(String leaseOwner) { this.leaseOwner = leaseOwner; }
    public long getLeaseUntil() { return leaseUntil; }
    public void setLeaseUntil(long leaseUntil) { this.leaseUntil = leaseUntil; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) {
        this.lastError = lastError == null || lastError.length() <= 512 ? lastError : lastError.substring(0, 512);
    }
}
