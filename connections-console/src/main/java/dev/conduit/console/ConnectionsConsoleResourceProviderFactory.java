package dev.conduit.console;

import java.util.List;
import java.util.Map;

import dev.conduit.api.support.AfterCommit;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/**
 * Serves the connections console at {@code /realms/{realm}/conduit-console/} and makes sure every realm has the
 * public client it signs in with ({@code provision-client}, default true). The master realm gets it only when the
 * operator asks ({@code provision-master-client}, default false): a client there reaches every realm. The clients
 * created here have full scope off and only {@link ConsoleClient#ADMIN_ROLES} in scope.
 */
public final class ConnectionsConsoleResourceProviderFactory implements RealmResourceProviderFactory,
        ServerInfoAwareProviderFactory {

    public static final String ID = "conduit-console";
    private static final Logger LOG = Logger.getLogger(ConnectionsConsoleResourceProviderFactory.class);
    private static final String PROVISION_CLIENT = "provision-client";
    private static final String PROVISION_MASTER_CLIENT = "provision-master-client";

    private boolean provisionClient = true;
    private boolean provisionMasterClient;

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
        provisionClient = config.getBoolean(PROVISION_CLIENT, true);
        provisionMasterClient = config.getBoolean(PROVISION_MASTER_CLIENT, false);
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name(PROVISION_CLIENT).type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(true)
                .helpText("Create the console's public client '" + ConsoleClient.CLIENT_ID + "' in every realm "
                        + "(except master) that lacks it.").add()
                .property().name(PROVISION_MASTER_CLIENT).type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(false)
                .helpText("Create it in the master realm too: a client there reaches every realm.").add()
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of(PROVISION_CLIENT, Boolean.toString(provisionClient),
                PROVISION_MASTER_CLIENT, Boolean.toString(provisionMasterClient));
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
                KeycloakSession session = created.getKeycloakSession();
                RealmModel realm = created.getCreatedRealm();
                provision(session, realm);
                String realmId = realm.getId();
                // the master console's scope is widened once the realm exists: a scope mapping added to it inside the
                // realm's own creation was lost when the master console had been used before (seen on 26.7.3: the
                // mapping showed in that transaction and was gone from the admin API afterwards)
                session.getTransactionManager().enlistAfterCompletion(new AfterCommit(() -> widenMasterConsole(factory, realmId)));
            }
        });
    }

    /** In a transaction of its own: the master's console client may manage this realm too (when it is ours). */
    private static void widenMasterConsole(KeycloakSessionFactory factory, String realmId) {
        try {
            KeycloakModelUtils.runJobInTransaction(factory, session -> {
                RealmModel realm = session.realms().getRealm(realmId);
                RealmModel master = session.realms().getRealmByName(Config.getAdminRealm());
                if (realm == null || master == null || master.getId().equals(realmId)) {
                    return;
                }
                ClientModel masterConsole = master.getClientByClientId(ConsoleClient.CLIENT_ID);
                if (masterConsole != null && "true".equals(masterConsole.getAttribute(ConsoleClient.PROVISIONED_ATTRIBUTE))) {
                    addScope(masterConsole, realm.getMasterAdminClient());
                }
            });
        } catch (ModelException e) {
            LOG.warnf("The master realm's %s client could not be given the admin roles of realm id %s (%s): it cannot "
                    + "manage that realm until the next restart", ConsoleClient.CLIENT_ID, realmId, e.getClass().getSimpleName());
        }
    }

    private void provision(KeycloakSession session, RealmModel realm) {
        RealmModel master = session.realms().getRealmByName(Config.getAdminRealm());
        boolean isMaster = master != null && master.getId().equals(realm.getId());
        if (!isMaster && master != null) {
            // a realm the master's console client does not reach yet (at start: one created while Conduit was not installed)
            ClientModel masterConsole = master.getClientByClientId(ConsoleClient.CLIENT_ID);
            if (masterConsole != null && "true".equals(masterConsole.getAttribute(ConsoleClient.PROVISIONED_ATTRIBUTE))) {
                addScope(masterConsole, realm.getMasterAdminClient());
            }
        }
        if (isMaster && !provisionMasterClient) {
            return;
        }
        if (realm.getClientByClientId(ConsoleClient.CLIENT_ID) != null) {
            return;
        }
        ClientModel client = ClientManager.createClient(session, realm, ConsoleClient.representation(realm.getName()));
        if (isMaster) {
            session.realms().getRealmsStream().forEach(each -> addScope(client, each.getMasterAdminClient()));
        } else {
            addScope(client, realm.getClientByClientId(Constants.REALM_MANAGEMENT_CLIENT_ID));
        }
        addScope(client, realm.getClientByClientId(Constants.ACCOUNT_MANAGEMENT_CLIENT_ID), ConsoleClient.ACCOUNT_ROLES);
        LOG.infof("Created client %s in realm %s for the connections console (full scope off; scope: %s, account %s)",
                ConsoleClient.CLIENT_ID, realm.getName(), String.join(", ", ConsoleClient.ADMIN_ROLES),
                String.join(", ", ConsoleClient.ACCOUNT_ROLES));
    }

    /** Puts the console's admin roles of this realm-admin client into the console client's scope. */
    private static void addScope(ClientModel consoleClient, ClientModel adminClient) {
        addScope(consoleClient, adminClient, ConsoleClient.ADMIN_ROLES);
    }

    private static void addScope(ClientModel consoleClient, ClientModel roleClient, List<String> roles) {
        if (roleClient == null) {
            return;
        }
        for (String name : roles) {
            RoleModel role = roleClient.getRole(name);
            if (role != null && !consoleClient.hasDirectScope(role)) {
                consoleClient.addScopeMapping(role);
            }
        }
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
