package dev.conduit.exchange.upstream;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Whether a realm has no client of a given client id, asked without touching the request's transaction. Keycloak's
 * realm cache keeps clients it found, not the answer "none": asked in the request's transaction, that lookup would
 * query the database and keep the request's pooled connection until the request ends, which for an exchange means
 * the whole wait for the vault's refresh (issue 13). Asked here, in a short transaction of its own, the connection
 * goes back to the pool at once. The answer is kept on the request's session, so supports() and exchange() ask once.
 */
final class ClientIdLookup {

    private static final String ATTRIBUTE = ClientIdLookup.class.getName() + ".none:";

    private ClientIdLookup() {
    }

    static boolean noClient(KeycloakSession session, RealmModel realm, String clientId) {
        String key = ATTRIBUTE + realm.getId() + ":" + clientId;
        Boolean known = session.getAttribute(key, Boolean.class);
        if (known != null) {
            return known;
        }
        String realmId = realm.getId();
        boolean none = KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(),
                own -> own.clients().getClientByClientId(own.realms().getRealm(realmId), clientId) == null);
        session.setAttribute(key, none);
        return none;
    }
}
