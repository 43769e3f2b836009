package dev.conduit.vault.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The revocation settings of a removed identity provider (endpoint, method, client id, client secret resolved at the
 * removal), sealed in {@link #getSettings()}, bound to this row's realm, alias and id; read by the pending revocations
 * that name it ({@link PendingRevocationEntity#getClientId()}), deleted with the last of them.
 */
@Entity
@Table(name = "CONDUIT_REVOCATION_CLIENT")
public class RevocationClientEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "PROVIDER_ALIAS", nullable = false)
    private String providerAlias;
    @Column(name = "SETTINGS", length = 8192, nullable = false)
    private String settings;
    @Column(name = "KEY_ID", length = 64)
    private String keyId;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getProviderAlias() { return providerAlias; }
    public void setProviderAlias(String providerAlias) { this.providerAlias = providerAlias; }
    public String getSettings() { return settings; }
    public void setSettings(String settings) { this.settings = settings; }
    public String getKeyId() { return keyId; }
    public void setKeyId(String keyId) { this.keyId = keyId; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long createdAt) { this.createdAt = createdAt; }
}
