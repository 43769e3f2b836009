package dev.conduit.vault.keycloak;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.vault.ConnectionUnavailableException;

import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.keys.KeyUnavailableException;
import dev.conduit.vault.service.ConnectionStatus;
import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.service.RevocationSettings;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.MigrationRunStore;
import dev.conduit.vault.store.DataKeyStore;
import dev.conduit.vault.store.VaultStore;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.FederatedIdentityModel;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ProviderEventListener;
import org.keycloak.services.ErrorResponseException;

/**
 * Connections never outlive their owner, and no removal waits on a provider. What each of Keycloak's removals does to
 * the rows, in the removal's own transaction:
 * <ul>
 * <li>unlinking an identity provider from a user: revokes at the provider (a few quick attempts) and deletes the
 * row, or parks it for the scheduled task when the provider does not answer;</li>
 * <li>deleting a user or an organization: each row is parked (REVOKED under a fresh owner, due now) and the scheduled
 * task sends the revocation with its backoff, deciding then whether the token is shared with a connection that still
 * serves;</li>
 * <li>deleting an identity provider: the provider's revocation settings, which the event carries and which are gone
 * after it, are sealed into a pending revocation's settings row (its client secret resolved now), the alias's connections
 * copied into pending revocations in one statement (a shared token once), and the rows purged
 * ({@link dev.conduit.vault.service.PendingRevocations}); the scheduled task sends them;</li>
 * <li>deleting a realm: the same for each provider alias of its connections, in one statement per alias, then the rows
 * purged in one statement. Keycloak deletes the realm's identity providers before {@link RealmModel.RealmRemovedEvent}
 * (a bulk delete, with no {@link RealmModel.IdentityProviderRemovedEvent}), but it deletes the realm's clients before
 * them, one {@link ClientModel.ClientRemovedEvent} each: the first of these in a session reads the settings of the
 * providers the realm's connections name, and the realm's removal later in that transaction parks with them.
 * (JpaRealmProvider.removeRealm in Keycloak 26.x: users, clients, ..., identity providers, the realm, then the event.)
 * Connections of an alias whose provider was no Conduit broker any more are forgotten, not revoked.</li>
 * </ul>
 * A removal that needs a data key the key provider cannot give now is refused whole ({@link #keyProviderUnavailable}).
 */
final class OwnerRemovals implements ProviderEventListener {

    private static final Logger LOG = Logger.getLogger(OwnerRemovals.class);
    /** Session attribute prefix: the revocation settings of a realm's providers, read while its clients are removed. */
    private static final String PROVIDERS_OF = "conduit-vault.revocation-settings.";
    private final ConnectionVault vault;

    OwnerRemovals(ConnectionVault vault) {
        this.vault = vault;
    }

    @Override
    public void onEvent(ProviderEvent event) {
        try {
            dispatch(event);
        } catch (KeyUnavailableException e) {
            throw keyProviderUnavailable(event, e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof KeyUnavailableException unavailable) {
                throw keyProviderUnavailable(event, unavailable);
            }
            throw e;
        }
    }

    /**
     * A removal whose rows need a data key the key provider cannot give now (not in this node's memory, or a new one):
     * the removal is refused whole, 503 {@code temporarily_unavailable} to the admin API, and Keycloak's transaction
     * rolls back, so the user or organization is still there with its connections, and the admin retries once the key
     * provider is back. Completing it instead would leave tokens no one could revoke, or (an organization's) a data key
     * that must be destroyed with it (docs/operations.md, "When the key provider is unreachable").
     */
    private static ErrorResponseException keyProviderUnavailable(ProviderEvent event, KeyUnavailableException e) {
        LOG.warnf("%s refused: the key provider is unreachable (%s)", removal(event), e.getMessage());
        return new ErrorResponseException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                "The key provider is unreachable, so the connections cannot be parked for revocation; nothing was removed."
                        + " Retry shortly", Response.Status.SERVICE_UNAVAILABLE);
    }

    private static String removal(ProviderEvent event) {
        if (event instanceof UserModel.UserRemovedEvent removed) {
            return "Removal of user " + removed.getUser().getId();
        }
        if (event instanceof OrganizationModel.OrganizationRemovedEvent removed) {
            return "Removal of organization " + removed.getOrganization().getId();
        }
        if (event instanceof FederatedIdentityModel.FederatedIdentityRemovedEvent unlinked) {
            return "Unlinking user " + unlinked.getUser().getId() + " from " + unlinked.getFederatedIdentity().getIdentityProvider();
        }
        if (event instanceof RealmModel.IdentityProviderRemovedEvent removed) {
            return "Removal of identity provider " + removed.getRemovedIdentityProvider().getAlias();
        }
        if (event instanceof RealmModel.RealmRemovedEvent removed) {
            return "Removal of realm " + removed.getRealm().getId();
        }
        return "Removal (" + event.getClass().getSimpleName() + ")";
    }

    private void dispatch(ProviderEvent event) {
        if (event instanceof FederatedIdentityModel.FederatedIdentityRemovedEvent unlinked) {
            unlinked(unlinked);
        } else if (event instanceof UserModel.UserRemovedEvent removed) {
            KeycloakSession session = removed.getKeycloakSession();
            park(session, removed.getRealm(), VaultStore.of(session).byOwner(removed.getRealm().getId(),
                    TokenOwner.Kind.USER.name(), removed.getUser().getId()), "user_removed");
        } else if (event instanceof OrganizationModel.OrganizationRemovedEvent removed) {
            KeycloakSession session = removed.getKeycloakSession();
            String organizationId = removed.getOrganization().getId();
            List<ConnectionEntity> rows = VaultStore.of(session).byOwnerId(TokenOwner.Kind.ORGANIZATION.name(), organizationId);
            for (ConnectionEntity row : rows) {
                park(session, session.realms().getRealm(row.getRealmId()), List.of(row), "organization_removed");
            }
            shredOrganization(session, organizationId, rows);
        } else if (event instanceof RealmModel.IdentityProviderRemovedEvent removed) {
            providerRemoved(removed);
        } else if (event instanceof ClientModel.ClientRemovedEvent removed) {
            rememberProviders(removed.getKeycloakSession(), removed.getClient().getRealm());
        } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
            realmRemoved(removed);
        }
    }

    /**
     * Crypto-shredding (issue 16, item 3): the organization's parked rows are under its realm's key now (re-owned as
     * REVOKING by {@link #park}) and its pending revocations under the parked revocations' key; then its data keys are
     * deleted in the removal's transaction, so no copy of its rows (a backup) opens again.
     */
    private void shredOrganization(KeycloakSession session, String organizationId, List<ConnectionEntity> rows) {
        java.util.Set<String> realms = new java.util.LinkedHashSet<>();
        rows.forEach(row -> realms.add(row.getRealmId()));
        if (session.getContext().getRealm() != null) {
            realms.add(session.getContext().getRealm().getId());
        }
        for (String realmId : realms) {
            vault.pendingRevocations().resealParked(session, realmId, organizationId);
        }
        VaultStore.of(session).flush();
        int destroyed = DataKeyStore.of(VaultStore.of(session)).deleteOrganization(organizationId);
        if (destroyed > 0) {
            LOG.infof("Organization %s removed: %d data key(s) destroyed", organizationId, destroyed);
        }
    }

    /**
     * The removed provider's settings are passed along in the event and are gone after it: its connections become
     * pending revocations sent later with those settings, then every row of the alias is purged.
     */
    private void providerRemoved(RealmModel.IdentityProviderRemovedEvent removed) {
        KeycloakSession session = removed.getKeycloakSession();
        RealmModel realm = removed.getRealm();
        IdentityProviderModel model = removed.getRemovedIdentityProvider();
        Optional<RevocationSettings> settings = inRealm(session, realm, () -> ConduitBrokers.client(session, model)
                .flatMap(client -> vault.pendingRevocations().settingsOf(session, client)));
        int parked = settings.map(found -> vault.pendingRevocations().park(session, realm.getId(), found, "provider_removed"))
                .orElse(0);
        int purged = VaultStore.of(session).purgeRealmAlias(realm.getId(), model.getAlias());
        MigrationRunStore.of(session).deleteAlias(realm.getId(), model.getAlias());
        removed(purged, parked, realm.getId(), "provider_removed");
    }

    /**
     * A client of the realm is being removed, perhaps with the realm: reads, once per session, the revocation settings
     * of the providers the realm's connections name, while they still exist (see the class comment).
     */
    private void rememberProviders(KeycloakSession session, RealmModel realm) {
        if (realm == null || session.getAttribute(PROVIDERS_OF + realm.getId()) != null) {
            return;
        }
        Map<String, RevocationSettings> providers = new LinkedHashMap<>();
        for (String alias : VaultStore.of(session).aliasesOfRealm(realm.getId())) {
            inRealm(session, realm, () -> ConduitBrokers.client(session, session.identityProviders().getByAlias(alias))
                    .flatMap(client -> vault.pendingRevocations().settingsOf(session, client)))
                    .ifPresent(found -> providers.put(alias, found));
        }
        session.setAttribute(PROVIDERS_OF + realm.getId(), providers);
    }

    private void realmRemoved(RealmModel.RealmRemovedEvent removed) {
        KeycloakSession session = removed.getKeycloakSession();
        String realmId = removed.getRealm().getId();
        @SuppressWarnings("unchecked")
        Map<String, RevocationSettings> providers = session.getAttribute(PROVIDERS_OF + realmId, Map.class);
        long started = System.nanoTime();
        int parked = 0;
        if (providers != null) {
            for (RevocationSettings settings : providers.values()) {
                parked += vault.pendingRevocations().park(session, realmId, settings, "realm_removed");
            }
            session.removeAttribute(PROVIDERS_OF + realmId);
        }
        // what is still to be revoked outlives the realm's data keys: re-sealed under the parked revocations' key first
        int resealed = vault.pendingRevocations().resealParked(session, realmId, null);
        VaultStore.of(session).flush();
        long parkedAt = System.nanoTime();
        int purged = VaultStore.of(session).purgeRealm(realmId);
        int destroyed = DataKeyStore.of(VaultStore.of(session)).deleteRealm(realmId);
        LOG.debugf("Realm %s: %d pending revocation(s) re-sealed under the parked key, %d data key(s) destroyed", realmId,
                resealed, destroyed);
        MigrationRunStore.of(session).deleteRealm(realmId);
        LOG.debugf("Realm %s: parking took %d ms, purging %d ms", realmId, (parkedAt - started) / 1_000_000,
                (System.nanoTime() - parkedAt) / 1_000_000);
        removed(purged, parked, realmId, "realm_removed");
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

    /** Runs {@code work} with {@code realm} in the session's context (provider lookups, Keycloak's vault). */
    private static <T> T inRealm(KeycloakSession session, RealmModel realm, Supplier<T> work) {
        RealmModel previous = session.getContext().getRealm();
        session.getContext().setRealm(realm);
        try {
            return work.get();
        } finally {
            session.getContext().setRealm(previous);
        }
    }

    private static void removed(int purged, int parked, String realmId, String why) {
        if (purged > 0 || parked > 0) {
            LOG.infof("Removed %d connection(s) of realm %s (%s): %d pending revocation(s) parked for the scheduled task",
                    purged, realmId, why, parked);
        }
    }
}
