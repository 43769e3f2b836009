package dev.conduit.exchange.upstream;

import java.util.List;
import java.util.Map;

import dev.conduit.api.support.FactorySetting;
import dev.conduit.exchange.guard.HookScope;
import org.keycloak.Config;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.protocol.oidc.TokenExchangeProviderFactory;
import org.keycloak.utils.KeycloakSessionUtil;

/**
 * Ordered above Keycloak's standard exchange (10) and its legacy V1 so it sees requests first, and supports only
 * those naming a Conduit connection: every other exchange goes on to Keycloak. Its one setting,
 * {@value HookScope#OPTION}, is read by the exchange jar's request guards ({@link HookScope}); it is declared and
 * reported here, the provider the option is named after. Holds the node's memory of client ids a realm lacks
 * ({@link ClientIdMisses}), dropped for a realm when a client is created or renamed in it (before and after the
 * change commits) or the realm is removed.
 */
public final class UpstreamTokenExchangeProviderFactory implements TokenExchangeProviderFactory, ServerInfoAwareProviderFactory {

    public static final String PROVIDER_ID = "conduit-upstream-token";
    /** How long this node trusts a "no such client" answer that no change on this node has dropped. */
    static final long CLIENT_ID_MISS_TTL_MILLIS = 10_000;
    private static final int CLIENT_ID_MISSES = 10_000;

    static final FactorySetting KEYCLOAK_WIDE_GUARDS = FactorySetting.bool(HookScope.OPTION, false,
            "Whether the exchange jar's request guards (NUL credentials refused before Keycloak's lookups; a lost database"
                    + " answered 503 temporarily_unavailable) act on every Keycloak endpoint instead of Conduit's own requests only.");

    private final ClientIdMisses clientIdMisses = new ClientIdMisses(CLIENT_ID_MISSES, CLIENT_ID_MISS_TTL_MILLIS,
            System::currentTimeMillis);

    @Override
    public TokenExchangeProvider create(KeycloakSession session) {
        return new UpstreamTokenExchangeProvider(clientIdMisses);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(this::onEvent);
    }

    private void onEvent(ProviderEvent event) {
        if (event instanceof ClientModel.ClientCreationEvent created) {
            clientIdsChanged(created.getCreatedClient().getRealm().getId(), KeycloakSessionUtil.getKeycloakSession());
        } else if (event instanceof ClientModel.ClientIdChangeEvent renamed) {
            clientIdsChanged(renamed.getUpdatedClient().getRealm().getId(), renamed.getKeycloakSession());
        } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
            clientIdMisses.invalidate(removed.getRealm().getId());
        }
    }

    /** Drops the realm's answers now, and again once the change has committed (a lookup in between read the old state). */
    private void clientIdsChanged(String realmId, KeycloakSession session) {
        clientIdMisses.invalidate(realmId);
        if (session != null && session.getTransactionManager().isActive()) {
            session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
                @Override
                protected void commitImpl() {
                    clientIdMisses.invalidate(realmId);
                }

                @Override
                protected void rollbackImpl() {
                    clientIdMisses.invalidate(realmId);
                }
            });
        }
    }

    @Override
    public void close() {
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return FactorySetting.metadata(List.of(KEYCLOAK_WIDE_GUARDS));
    }

    /** The guards' scope in effect, as the guards read it. */
    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of(HookScope.OPTION, Boolean.toString(HookScope.configured().keycloakWide()));
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
