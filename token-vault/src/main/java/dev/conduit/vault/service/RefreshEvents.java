package dev.conduit.vault.service;

import dev.conduit.vault.store.ConnectionEntity;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** Where the refresher reports what it did: Keycloak's event store ({@link VaultEvents}) in the server. */
interface RefreshEvents {

    void refreshed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String trigger, boolean rotated);

    void refreshFailed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String trigger, String reason);

    void tokenRefused(KeycloakSession session, RealmModel realm, ConnectionEntity row, String outcome, int refreshesInWindow);

    void healthChanged(KeycloakSession session, RealmModel realm, ConnectionEntity row, String from, String reason);

    RefreshEvents KEYCLOAK = new RefreshEvents() {
        @Override
        public void refreshed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String trigger, boolean rotated) {
            VaultEvents.refreshed(session, realm, row, trigger, rotated);
        }

        @Override
        public void refreshFailed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String trigger, String reason) {
            VaultEvents.refreshFailed(session, realm, row, trigger, reason);
        }

        @Override
        public void tokenRefused(KeycloakSession session, RealmModel realm, ConnectionEntity row, String outcome,
                int refreshesInWindow) {
            VaultEvents.tokenRefused(session, realm, row, outcome, refreshesInWindow);
        }

        @Override
        public void healthChanged(KeycloakSession session, RealmModel realm, ConnectionEntity row, String from, String reason) {
            VaultEvents.healthChanged(session, realm, row, from, reason);
        }
    };
}
