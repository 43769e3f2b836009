package dev.conduit.vault.store;

import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.PostRemove;
import jakarta.persistence.PostUpdate;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;
import org.keycloak.common.util.Time;

/** One upstream connection; token columns hold {@code TokenCipher} output only, never a token in clear. */
@Entity
@Table(name = "CONDUIT_CONNECTION")
@NamedQueries({
        @NamedQuery(name = "conduitConnectionByOwnerAndAlias", query = "select c from ConnectionEntity c where c.realmId = :realmId"
                + " and c.ownerKind = :ownerKind and c.ownerId = :ownerId and c.providerAlias = :alias"),
        @NamedQuery(name = "conduitConnectionsByOwner", query = "select c from ConnectionEntity c where c.realmId = :realmId"
                + " and c.ownerKind = :ownerKind and c.ownerId = :ownerId order by c.providerAlias"),
        @NamedQuery(name = "conduitPurgeRealm", query = "delete from ConnectionEntity c where c.realmId = :realmId"),
        @NamedQuery(name = "conduitPurgeRealmAlias", query = "delete from ConnectionEntity c where c.realmId = :realmId"
                + " and c.providerAlias = :alias"),
        @NamedQuery(name = "conduitConnectionsDue", query = "select c.id from ConnectionEntity c where c.nextRefreshAt <= :due"
                + " order by c.nextRefreshAt"),
        @NamedQuery(name = "conduitConnectionsDueInRealm", query = "select c.id from ConnectionEntity c where c.nextRefreshAt <= :due"
                + " and c.realmId = :realmId order by c.nextRefreshAt"),
        @NamedQuery(name = "conduitConnectionsByRealmAndAlias", query = "select c from ConnectionEntity c where c.realmId = :realmId"
                + " and c.providerAlias = :alias"),
        @NamedQuery(name = "conduitConnectionsByOwnerId", query = "select c from ConnectionEntity c where c.ownerKind = :ownerKind"
                + " and c.ownerId = :ownerId"),
        @NamedQuery(name = "conduitConnectionsByRealm", query = "select c from ConnectionEntity c where c.realmId = :realmId"
                + " order by c.providerAlias, c.ownerKind, c.ownerId"),
        @NamedQuery(name = "conduitConnectionIdsByRealm", query = "select c.id from ConnectionEntity c where c.realmId = :realmId"),
        @NamedQuery(name = "conduitSharesRefreshToken", query = "select c.id from ConnectionEntity c where c.realmId = :realmId"
                + " and c.providerAlias = :alias and c.refreshFingerprint in :fingerprints and c.id <> :id"
                + " and c.status in ('HEALTHY', 'EXPIRING')"),
        @NamedQuery(name = "conduitSharesAccount", query = "select c.id from ConnectionEntity c where c.realmId = :realmId"
                + " and c.providerAlias = :alias and c.accountId = :accountId and c.id <> :id"
                + " and c.status in ('HEALTHY', 'EXPIRING')"),
        @NamedQuery(name = "conduitUnfingerprintedServing", query = "select c from ConnectionEntity c where c.realmId = :realmId"
                + " and c.providerAlias = :alias and c.refreshFingerprint is null and c.refreshToken is not null"
                + " and c.id <> :id and c.status in ('HEALTHY', 'EXPIRING')"),
        @NamedQuery(name = "conduitUnfingerprintedIds", query = "select c.id from ConnectionEntity c where c.refreshFingerprint is null"
                + " and c.refreshToken is not null and c.id > :after order by c.id"),
        @NamedQuery(name = "conduitFillFingerprint", query = "update ConnectionEntity c set c.refreshFingerprint = :fingerprint"
                + " where c.id = :id and c.refreshToken = :sealed and c.refreshFingerprint is null"),
        @NamedQuery(name = "conduitConnectionsHealthDue", query = "select c.id from ConnectionEntity c where c.healthCheckedAt <= :before"
                + " and c.status in ('HEALTHY', 'EXPIRING') order by c.healthCheckedAt")
})
public class ConnectionEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "OWNER_KIND", length = 16, nullable = false)
    private String ownerKind;
    @Column(name = "OWNER_ID", length = 36, nullable = false)
    private String ownerId;
    @Column(name = "PROVIDER_ALIAS", nullable = false)
    private String providerAlias;
    @Column(name = "PROVIDER_ID", nullable = false)
    private String providerId;
    @Column(name = "ACCOUNT_ID")
    private String accountId;
    @Column(name = "ORGANIZATION_ID")
    private String organizationId;
    @Column(name = "INSTANCE_URL", length = 1024)
    private String instanceUrl;
    @Column(name = "ACCESS_TOKEN", length = 8192)
    private String accessToken;
    @Column(name = "REFRESH_TOKEN", length = 8192)
    private String refreshToken;
    @Column(name = "KEY_ID", length = 64)
    private String keyId;
    @Column(name = "SCOPES", length = 4000)
    private String scopes;
    @Column(name = "ISSUED_AT")
    private long issuedAt;
    @Column(name = "EXPIRES_AT")
    private long expiresAt;
    @Column(name = "STATUS", length = 32, nullable = false)
    private String status;
    @Column(name = "CONNECTED_BY", length = 36)
    private String connectedBy;
    @Column(name = "CONNECTED_AT")
    private long connectedAt;
    @Column(name = "LAST_REFRESH_AT")
    private long lastRefreshAt;
    /** When the proactive refresher should pick this row up; null when it never should (reconnect required, revoked). */
    @Column(name = "NEXT_REFRESH_AT")
    private Long nextRefreshAt;
    @Column(name = "FAILURE_COUNT")
    private int failureCount;
    /** Why the last refresh, health check or revocation failed: an error code and a sentence, never a token. */
    @Column(name = "LAST_ERROR", length = 512)
    private String lastError;
    @Column(name = "HEALTH_CHECKED_AT")
    private long healthCheckedAt;
    @Version
    @Column(name = "VERSION")
    private int version;
    /** The upstream account's display name from the provider's identity answer (cleaned, bounded); null when unknown. */
    @Column(name = "ACCOUNT_NAME", length = 255)
    private String accountName;
    /** The upstream account's e-mail from the provider's identity answer (cleaned, bounded); null when unknown. */
    @Column(name = "ACCOUNT_EMAIL", length = 255)
    private String accountEmail;
    /** When {@link #status} last changed (epoch seconds); null for rows from before the column (changelog 0006). */
    @Column(name = "STATUS_CHANGED_AT")
    private Long statusChangedAt;
    /** Refreshes caused by apps reporting a refused access token (RefusalPolicy): since when, how many, the last. */
    @Column(name = "REFUSAL_WINDOW_AT")
    private long refusalWindowAt;
    @Column(name = "REFUSAL_REFRESHES")
    private int refusalRefreshes;
    @Column(name = "REFUSAL_LAST_AT")
    private long refusalLastAt;
    /** Who is refreshing the row right now (node and refresh), until {@link #leaseUntil}; null when nobody (changelog 0007). */
    @Column(name = "LEASE_OWNER", length = 128)
    private String leaseOwner;
    /** Epoch seconds the lease lasts to: a refresher that died leaves one that runs out. */
    @Column(name = "LEASE_UNTIL")
    private long leaseUntil;
    /**
     * Keyed fingerprint of the refresh token ({@code TokenFingerprints}), written with it; null without a refresh token
     * and for rows from before changelog 0008 until they are filled.
     */
    @Column(name = "REFRESH_FINGERPRINT", length = 128)
    private String refreshFingerprint;
    /** A server connection's grant kind ({@code ServerGrantKind#id}); null for a consent connection (changelog 0010). */
    @Column(name = "GRANT_KIND", length = 64)
    private String grantKind;
    /** What admins see of a server connection's credential, as JSON: never a secret. */
    @Column(name = "SHOWN", length = 65536)
    private String shown;
    /** A server connection's secret part (key, secret, static token) as JSON, sealed like the token columns. */
    @Column(name = "CREDENTIAL", length = 65536)
    private String credential;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getOwnerKind() { return ownerKind; }
    public void setOwnerKind(String ownerKind) { this.ownerKind = ownerKind; }
    public String getOwnerId() { return ownerId; }
    public void setOwnerId(String ownerId) { this.ownerId = ownerId; }
    public String getProviderAlias() { return providerAlias; }
    public void setProviderAlias(String providerAlias) { this.providerAlias = providerAlias; }
    public String getProviderId() { return providerId; }
    public void setProviderId(String providerId) { this.providerId = providerId; }
    public String getAccountId() { return accountId; }
    public void setAccountId(String accountId) { this.accountId = accountId; }
    public String getOrganizationId() { return organizationId; }
    public void setOrganizationId(String organizationId) { this.organizationId = organizationId; }
    public String getInstanceUrl() { return instanceUrl; }
    public void setInstanceUrl(String instanceUrl) { this.instanceUrl = instanceUrl; }
    public String getAccessToken() { return accessToken; }
    public void setAccessToken(String accessToken) { this.accessToken = accessToken; }
    public String getRefreshToken() { return refreshToken; }
    public void setRefreshToken(String refreshToken) { this.refreshToken = refreshToken; }
    public String getKeyId() { return keyId; }
    public void setKeyId(String keyId) { this.keyId = keyId; }
    public String getScopes() { return scopes; }
    public void setScopes(String scopes) { this.scopes = scopes; }
    public long getIssuedAt() { return issuedAt; }
    public void setIssuedAt(long issuedAt) { this.issuedAt = issuedAt; }
    public long getExpiresAt() { return expiresAt; }
    public void setExpiresAt(long expiresAt) { this.expiresAt = expiresAt; }
    public String getStatus() { return status; }
    /** Sets the status, and when it differs from the current one, {@link #getStatusChangedAt()} to now. */
    public void setStatus(String status) {
        if (!Objects.equals(this.status, status)) {
            this.statusChangedAt = (long) Time.currentTime();
        }
        this.status = status;
    }
    public String getConnectedBy() { return connectedBy; }
    public void setConnectedBy(String connectedBy) { this.connectedBy = connectedBy; }
    public long getConnectedAt() { return connectedAt; }
    public void setConnectedAt(long connectedAt) { this.connectedAt = connectedAt; }
    public int getVersion() { return version; }
    public long getLastRefreshAt() { return lastRefreshAt; }
    public void setLastRefreshAt(long lastRefreshAt) { this.lastRefreshAt = lastRefreshAt; }
    public Long getNextRefreshAt() { return nextRefreshAt; }
    public void setNextRefreshAt(Long nextRefreshAt) { this.nextRefreshAt = nextRefreshAt; }
    public int getFailureCount() { return failureCount; }
    public void setFailureCount(int failureCount) { this.failureCount = failureCount; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) { this.lastError = lastError == null || lastError.length() <= 512 ? lastError : lastError.substring(0, 512); }
    public long getHealthCheckedAt() { return healthCheckedAt; }
    public void setHealthCheckedAt(long healthCheckedAt) { this.healthCheckedAt = healthCheckedAt; }
    public String getAccountName() { return accountName; }
    public void setAccountName(String accountName) { this.accountName = bounded(accountName, 255); }
    public String getAccountEmail() { return accountEmail; }
    public void setAccountEmail(String accountEmail) { this.accountEmail = bounded(accountEmail, 255); }
    public Long getStatusChangedAt() { return statusChangedAt; }

    private static String bounded(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
    public long getRefusalWindowAt() { return refusalWindowAt; }
    public void setRefusalWindowAt(long refusalWindowAt) { this.refusalWindowAt = refusalWindowAt; }
    public int getRefusalRefreshes() { return refusalRefreshes; }
    public void setRefusalRefreshes(int refusalRefreshes) { this.refusalRefreshes = refusalRefreshes; }
    public long getRefusalLastAt() { return refusalLastAt; }
    public void setRefusalLastAt(long refusalLastAt) { this.refusalLastAt = refusalLastAt; }
    public String getLeaseOwner() { return leaseOwner; }
    public void setLeaseOwner(String leaseOwner) { this.leaseOwner = leaseOwner; }
    public long getLeaseUntil() { return leaseUntil; }
    public void setLeaseUntil(long leaseUntil) { this.leaseUntil = leaseUntil; }
    public String getRefreshFingerprint() { return refreshFingerprint; }
    public void setRefreshFingerprint(String refreshFingerprint) { this.refreshFingerprint = refreshFingerprint; }
    public String getGrantKind() { return grantKind; }
    public void setGrantKind(String grantKind) { this.grantKind = grantKind; }
    public String getShown() { return shown; }
    public void setShown(String shown) { this.shown = shown; }
    public String getCredential() { return credential; }
    public void setCredential(String credential) { this.credential = credential; }
    /** The connection key the row had when loaded (realm, owner kind, owner, alias), so a write that changed it drops the old one too. */
    @Transient
    private String[] loadedKey;

    @PostLoad
    void loaded() {
        loadedKey = new String[] {realmId, ownerKind, ownerId, providerAlias};
    }

    /** Every insert, update and delete through the entity manager: the row caches drop it on every node (RowChanges). */
    @PostPersist
    @PostUpdate
    @PostRemove
    void written() {
        RowChanges.connection(realmId, ownerKind, ownerId, providerAlias);
        if (loadedKey != null && !java.util.Arrays.equals(loadedKey, new String[] {realmId, ownerKind, ownerId, providerAlias})) {
            RowChanges.connection(loadedKey[0], loadedKey[1], loadedKey[2], loadedKey[3]);
        }
    }

    /** A detached copy of every column (the row caches hand out copies, so no caller changes what they hold). */
    public ConnectionEntity copy() {
        ConnectionEntity copy = new ConnectionEntity();
        copy.id = id;
        copy.realmId = realmId;
        copy.ownerKind = ownerKind;
        copy.ownerId = ownerId;
        copy.providerAlias = providerAlias;
        copy.providerId = providerId;
        copy.accountId = accountId;
        copy.organizationId = organizationId;
        copy.instanceUrl = instanceUrl;
        copy.accessToken = accessToken;
        copy.refreshToken = refreshToken;
        copy.keyId = keyId;
        copy.scopes = scopes;
        copy.issuedAt = issuedAt;
        copy.expiresAt = expiresAt;
        copy.status = status;
        copy.connectedBy = connectedBy;
        copy.connectedAt = connectedAt;
        copy.lastRefreshAt = lastRefreshAt;
        copy.nextRefreshAt = nextRefreshAt;
        copy.failureCount = failureCount;
        copy.lastError = lastError;
        copy.healthCheckedAt = healthCheckedAt;
        copy.version = version;
        copy.accountName = accountName;
        copy.accountEmail = accountEmail;
        copy.statusChangedAt = statusChangedAt;
        copy.refusalWindowAt = refusalWindowAt;
        copy.refusalRefreshes = refusalRefreshes;
        copy.refusalLastAt = refusalLastAt;
        copy.leaseOwner = leaseOwner;
        copy.leaseUntil = leaseUntil;
        copy.refreshFingerprint = refreshFingerprint;
        copy.grantKind = grantKind;
        copy.shown = shown;
        copy.credential = credential;
        return copy;
    }

    /** Whether the row is a server connection: its token is minted (or static), never refreshed with a refresh token. */
    public boolean isServer() { return grantKind != null; }
}
