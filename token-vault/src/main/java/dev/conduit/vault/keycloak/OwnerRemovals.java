package dev.conduit.vault.keycloak;

import java.util.List;

import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.service.ConnectionStatus;
import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import org.jboss.logging.Logger;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ProviderEventListener;

/**
 * Connections never outlive their owner. What each of Keycloak's removals does to the rows, in the removal's
 * own transaction:
 * <ul>
 * <li>unlinking an identity provider from a user: revokes at the provider (a few quick attempts) and deletes the
 * row, or parks it for the scheduled task when the provider does not answer;</li>
 * <li>deleting a user or an organization: database work only, the provider is never called. Each row is parked
 * (REVOKED under a fresh owner, due now) and the scheduled task sends the revocation with its backoff, deciding
 * then whether the token is shared with a connection that still serves;</li>
 * <li>deleting an identity provider: its connections are revoked inline with the removed provider's settings,
 * which the event carries and which are gone after it (so this removal still waits on the provider), then every
 * row of the alias is purged;</li>
 * <li>deleting a realm: the rows are purged in one statement and <b>not revoked upstream</b>. The realm's identity
 * providers go with it, so their settings (revocation endpoint,
 * client id, client secret) are gone, and nothing could authenticate a later revocation; the tokens are forgotten
 * here and expire at the provider (as before this change: the old path found no realm either). Parked rows of
 * the realm are purged too, so no row outlives its realm.</li>
 * </ul>
 */
final class OwnerRemovals implements ProviderEventListener {

    private static final Logger LOG = Logger.getLogger(OwnerRemovals.class);
    private final ConnectionVault vault;

    OwnerRemovals(ConnectionVault vault) {
        this.vault = vault;
    }

    @Override
    public void onEvent(ProviderEvent event) {
        if (event instanceof FederatedIdentityModel.FederatedIdentityRemovedEvent unlinked) {
            unlinked(unlinked);
        } else if (event instanceof UserModel.UserRemovedEvent removed) {
            KeycloakSession session = removed.getKeycloakSession();
            park(session, removed.getRealm(), VaultStore.of(session).byOwner(removed.getRealm().getId(),
                    TokenOwner.Kind.USER.name(), removed.getUser().getId()), "user_removed");
        } else if (event instanceof OrganizationModel.OrganizationRemovedEvent removed) {
            KeycloakSession session = removed.getKeycloakSession();
            List<ConnectionEntity> rows = VaultStore.of(session).byOwnerId(TokenOwner.Kind.ORGANIZATION.name(),
                    removed.getOrganization().getId());
            for (ConnectionEntity row : rows) {
                park(session, session.realms().getRealm(row.getRealmId()), List.of(row), "organization_removed");
            }
        } else if (event instanceof RealmModel.IdentityProviderRemovedEvent removed) {
            providerRemoved(removed);
        } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
            int purged = VaultStore.of(removed.getKeycloakSession()).purgeRealm(removed.getRealm().getId());
            forgotten(purged, removed.getRealm().getId(), "realm_removed");
        }
    }

    /**
     * The removed provider's settings are passed along in the event and are gone after it: its connections are
     * revoked now, inline, with those settings (as before the removals were parked), then every row of the alias is
     * purged, a revocation that failed included (nothing could authenticate its retry later).
     */
    private void providerRemoved(RealmModel.IdentityProviderRemovedEvent removed) {
        KeycloakSession session = removed.getKeycloakSession();
        RealmModel realm = removed.getRealm();
        IdentityProviderModel model = removed.getRemovedIdentityProvider();
        VaultStore store = VaultStore.of(session);
        List<ConnectionEntity> rows = store.byRealmAndAlias(realm.getId(), model.getAlias());
        for (ConnectionEntity row : rows) {
            if (!ConnectionStatus.REVOKED.name().equals(row.getStatus())) {
                vault.revocations().disconnect(session, realm, row, model, "provider_removed");
            }
        }
        store.flush();
        int purged = store.purgeRealmAlias(realm.getId(), model.getAlias());
        forgotten(purged, realm.getId(), "provider_removed");
    }

    private void unlinked(FederatedIdentityModel.FederatedIdentityRemovedEvent unlinked) {
        KeycloakSession session = unlinked.getKeycloakSession();
        RealmModel realm = unlinked.getRealm();
        for (ConnectionEntity row : VaultStore.of(session).find(realm.getId(), TokenOwner.Kind.USER.name(),
                unlinked.getUser().getId(), unlinked.getFederatedIdentity().getIdentityProvider()).stream().toList()) {
            if (!ConnectionStatus.REVOKED.name().equals(row.getStatus())) {
                vault.revocations().disconnect(session, realm, row, null, "unlink");
            }
        }
    }

    private void park(KeycloakSession session, RealmModel realm, List<ConnectionEntity> rows, String why) {
        if (realm == null || rows.isEmpty()) {
            return;
        }
        for (ConnectionEntity row : rows) {
            if (!ConnectionStatus.REVOKED.name().equals(row.getStatus())) {
                vault.revocations().parkForRemoval(session, realm, row, why);
            }
        }
        VaultStore.of(session).flush();
        LOG.debugf("Parked %d connection(s) of realm %s for revocation by the scheduled task (%s)", rows.size(),
                realm.getId(), why);
    }

    private static void forgotten(int purged, String realmId, String why) {
        if (purged > 0) {
            LOG.infof("Forgot %d connection(s) of realm %s without revoking them upstream (%s: the provider's"
                    + " settings are gone)", purged, realmId, why);
        }
    }
}
