package dev.conduit.vault.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostPersist;
import jakarta.persistence.PostRemove;
import jakarta.persistence.PostUpdate;
import jakarta.persistence.Table;

/**
 * A data key as stored (changelog 0012): its scope (a realm, or one organization of it), the key wrapped by a KEK of
 * the key provider ({@code WrappedKey}'s stored form) and that KEK's id, ACTIVE or RETIRED, and while ACTIVE its scope
 * in {@code activeScope}, unique, so a scope has at most one ACTIVE key. Never key material in clear.
 */
@Entity
@Table(name = "CONDUIT_DATA_KEY")
public class DataKeyEntity {

    public static final String ACTIVE = "ACTIVE";
    public static final String RETIRED = "RETIRED";

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "ORGANIZATION_ID", length = 36)
    private String organizationId;
    @Column(name = "WRAPPED", length = 1024, nullable = false)
    private String wrapped;
    @Column(name = "KEK_ID", nullable = false)
    private String kekId;
    @Column(name = "STATE", length = 16, nullable = false)
    private String state;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;
    @Column(name = "ACTIVE_SCOPE", length = 80)
    private String activeScope;

    /** Every write through the entity manager (rewrap, retire, destroy): the row caches drop the key on every node. */
    @PostPersist
    @PostUpdate
    @PostRemove
    void written() {
        RowChanges.dataKey(id);
    }

    /** The unique value of an ACTIVE key's scope. */
    public static String scope(String realmId, String organizationId) {
        return organizationId == null ? realmId : realmId + "/" + organizationId;
    }

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getOrganizationId() { return organizationId; }
    public void setOrganizationId(String organizationId) { this.organizationId = organizationId; }
    public String getWrapped() { return wrapped; }
    public void setWrapped(String wrapped) { this.wrapped = wrapped; }
    public String getKekId() { return kekId; }
    public void setKekId(String kekId) { this.kekId = kekId; }
    public String getState() { return state; }
    public void setState(String state) { this.state = state; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long createdAt) { this.createdAt = createdAt; }
    public String getActiveScope() { return activeScope; }
    public void setActiveScope(String activeScope) { this.activeScope = activeScope; }
}
