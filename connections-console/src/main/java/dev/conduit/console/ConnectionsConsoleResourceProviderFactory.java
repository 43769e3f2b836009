package dev.conduit.console;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/**
 * Serves the connections console at {@code /realms/{realm}/conduit-console/} and makes sure every realm has the
 * public client it signs in with ({@code provision-client}, default true).
 */
public final class ConnectionsConsoleResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String ID = "conduit-console";
    private static final Logger LOG = Logger.getLogger(ConnectionsConsoleResourceProviderFactory.class);

    private boolean provisionClient = true;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new ConnectionsConsoleResource(session);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void init(Config.Scope config) {
        provisionClient = config.getBoolean("provision-client", true);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        if (!provisionClient) {
            return;
        }
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                KeycloakModelUtils.runJobInTransaction(factory,
                        session -> session.realms().getRealmsStream().toList().forEach(realm -> provision(session, realm)));
            } else if (event instanceof RealmModel.RealmPostCreateEvent created) {
                provision(created.getKeycloakSession(), created.getCreatedRealm());
            }
        });
    }

    private static void provision(KeycloakSession session, RealmModel realm) {
        if (realm.getClientByClientId(ConsoleClient.CLIENT_ID) != null) {
            return;
        }
        ClientManager.createClient(session, realm, ConsoleClient.representation(realm.getName()));
        LOG.infof("Created client %s in realm %s for the connections console", ConsoleClient.CLIENT_ID, realm.getName());
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
