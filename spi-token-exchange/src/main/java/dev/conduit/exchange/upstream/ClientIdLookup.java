package dev.conduit.exchange.upstream;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Whether a realm has no client of a given client id, asked without touching the request's transaction. Keycloak's
 * realm cache keeps clients it found, not the answer "none": asked in the request's transaction, that lookup would
 * query the database and keep the request's pooled connection until the request ends, which for an exchange means
 * the whole wait for the vault's refresh (issue 13). Asked here, in a short transaction of its own, the connection
 * goes back to the pool at once; and the answer "none" is kept on this node for a few seconds ({@link ClientIdMisses}),
 * so the exchanges that name a provider by {@code audience} do not ask the database each time (issue 17).
 */
final class ClientIdLookup {

    private ClientIdLookup() {
    }

    static boolean noClient(KeycloakSession session, RealmModel realm, String clientId, ClientIdMisses misses) {
        String realmId = realm.getId();
        if (misses.knownMissing(realmId, clientId)) {
            return true;
        }
        long generation = misses.generation(realmId);
        boolean none = KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(),
                own -> own.clients().getClientByClientId(own.realms().getRealm(realmId), clientId) == null);
        if (none) {
            misses.recordMiss(realmId, clientId, generation);
        }
        return none;
    }
}
