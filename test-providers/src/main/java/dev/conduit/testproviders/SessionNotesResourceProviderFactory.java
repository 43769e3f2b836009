package dev.conduit.testproviders;

import java.util.List;
import java.util.Map;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/**
 * Test only, never shipped: {@code /realms/{realm}/conduit-test-notes} shows what a reader of Keycloak's caches
 * sees of a login in progress (every note of the authentication sessions in one root authentication session)
 * and of a user's sessions, and lets a test act as a writer of that cache (replace one auth note). It answers only where the server was started with
 * {@code --spi-realm-restapi-extension--conduit-test-notes--enabled=true}; otherwise 404.
 */
public final class SessionNotesResourceProviderFactory implements RealmResourceProviderFactory,
        ServerInfoAwareProviderFactory {

    public static final String PROVIDER_ID = "conduit-test-notes";
    private boolean enabled;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new SessionNotesResource(session, enabled);
    }

    @Override
    public void init(Config.Scope config) {
        enabled = config.getBoolean("enabled", false);
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("enabled").type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(false)
                .helpText("Answer at all (test servers only); otherwise 404.").add()
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of("enabled", Boolean.toString(enabled));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
