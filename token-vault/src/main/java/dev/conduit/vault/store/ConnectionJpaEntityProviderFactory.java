package dev.conduit.vault.store;

import java.util.List;

import dev.conduit.api.support.LifecycleFreeProviderFactory;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;

/** Registers the vault's tables with Keycloak's JPA layer and its Liquibase changelog. */
public final class ConnectionJpaEntityProviderFactory extends LifecycleFreeProviderFactory<JpaEntityProvider>
        implements JpaEntityProviderFactory {

    public static final String PROVIDER_ID = "conduit-vault-entities";

    @Override
    public JpaEntityProvider create(KeycloakSession session) {
        return new JpaEntityProvider() {
            @Override
            public List<Class<?>> getEntities() {
                return List.of(ConnectionEntity.class, RoundEntity.class, RefreshAttemptEntity.class,
                        PendingRevocationEntity.class, RevocationClientEntity.class, MigrationRunEntity.class,
                        SubjectTokenEntity.class, DataKeyEntity.class);
            }

            @Override
            public String getChangelogLocation() {
                return "META-INF/conduit-vault/changelog-master.xml";
            }

            @Override
            public String getFactoryId() {
                return PROVIDER_ID;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
