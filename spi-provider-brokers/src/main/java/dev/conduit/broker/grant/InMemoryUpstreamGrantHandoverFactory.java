package dev.conduit.broker.grant;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.UpstreamGrant;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Keeps grants in this node's memory only: nothing is written to the database, so no token is ever
 * stored in clear there. Lost on restart; the token vault is the persistent, encrypted replacement.
 * A first login's grant is sealed under a key drawn at boot and held in memory: it opens only on this node.
 */
public final class InMemoryUpstreamGrantHandoverFactory implements UpstreamGrantHandoverFactory {

    public static final String PROVIDER_ID = "conduit-in-memory";

    private final Map<String, UpstreamGrant> grants = new ConcurrentHashMap<>();
    private final GrantSeal seal = GrantSeal.withRandomKey();

    @Override
    public UpstreamGrantHandover create(KeycloakSession session) {
        return new InMemoryHandover();
    }

    private static String key(String realmId, String userId, String alias) {
        return realmId + '\n' + userId + '\n' + alias;
    }

    private final class InMemoryHandover implements UpstreamGrantHandover {
        @Override
        public void accept(RealmModel realm, UserModel user, UpstreamGrant grant) {
            grants.merge(key(realm.getId(), user.getId(), grant.providerAlias()), grant,
                    (previous, next) -> next.keepingRefreshTokenOf(previous));
        }

        @Override
        public void acceptForOrganization(RealmModel realm, String organizationId, UserModel connectedBy,
                UpstreamGrant grant) {
            grants.merge(key(realm.getId(), "organization:" + organizationId, grant.providerAlias()), grant,
                    (previous, next) -> next.keepingRefreshTokenOf(previous));
        }

        @Override
        public Optional<UpstreamGrant> find(RealmModel realm, String userId, String providerAlias) {
            return Optional.ofNullable(grants.get(key(realm.getId(), userId, providerAlias)));
        }

        @Override
        public Optional<UpstreamGrant> findForOrganization(RealmModel realm, String organizationId, String providerAlias) {
            return Optional.ofNullable(grants.get(key(realm.getId(), "organization:" + organizationId, providerAlias)))
                    .map(UpstreamGrant::withoutTokens);
        }

        @Override
        public List<UpstreamGrant> findByUser(RealmModel realm, String userId) {
            String prefix = realm.getId() + '\n' + userId + '\n';
            return grants.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(prefix))
                    .map(Map.Entry::getValue)
                    .toList();
        }

        @Override
        public String seal(byte[] content, GrantBinding binding) {
            return seal.seal(content, binding);
        }

        @Override
        public byte[] open(String sealed, GrantBinding binding) {
            return seal.open(sealed, binding);
        }
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
        grants.clear();
    }

    /** The default handover while no persistent one (the token vault, order 10) is installed. */
    @Override
    public int order() {
        return 1;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
