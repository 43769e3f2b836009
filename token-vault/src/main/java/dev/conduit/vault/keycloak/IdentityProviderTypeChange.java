package dev.conduit.vault.keycloak;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.jpa.entities.IdentityProviderEntity;

/**
 * The one place Conduit writes Keycloak's own identity-provider storage. Keycloak 26.7's
 * {@code JpaIdentityProviderStorageProvider.update} copies every field of the model onto the row but the provider id,
 * and the admin REST PUT goes through it; deleting the provider deletes its federated identities. So the provider id
 * is set here on Keycloak's JPA entity ({@link IdentityProviderEntity}, keycloak-model-jpa), found by internal id under
 * a row lock in the request's transaction, and everything else goes through Keycloak's own
 * {@code session.identityProviders().update}: its caching layer invalidates the provider's realm-cache entries (by
 * internal id, by alias, the login lists) on every node when the transaction commits, as for an admin PUT.
 * Internal API, checked on every Keycloak upgrade by {@code IdentityProviderSwitchIT}.
 */
public final class IdentityProviderTypeChange {

    private IdentityProviderTypeChange() {
    }

    /**
     * Changes the stored provider id of {@code updated} (same internal id and alias) to {@code updated.getProviderId()}
     * and stores the rest of it, if the row still has {@code expectedProviderId}.
     *
     * @return false when the row is gone or no longer of {@code expectedProviderId} (another switch came first)
     */
    public static boolean apply(KeycloakSession session, RealmModel realm, String expectedProviderId,
            IdentityProviderModel updated) {
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        IdentityProviderEntity row = em.find(IdentityProviderEntity.class, updated.getInternalId(), LockModeType.PESSIMISTIC_WRITE);
        if (row == null || !realm.getId().equals(row.getRealmId()) || !updated.getAlias().equals(row.getAlias())
                || !expectedProviderId.equals(row.getProviderId())) {
            return false;
        }
        row.setProviderId(updated.getProviderId());
        session.identityProviders().update(updated);
        return true;
    }
}
