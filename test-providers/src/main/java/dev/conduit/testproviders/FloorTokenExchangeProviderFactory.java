package dev.conduit.testproviders;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.protocol.oidc.TokenExchangeProviderFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

/**
 * Test only, never shipped: the token endpoint's floor, the least an RFC 8693 exchange on Keycloak's token endpoint
 * can do, for {@code ExchangeBenchmarkIT} to measure in the same run as Conduit's exchange and Keycloak's own
 * endpoints. It takes only an exchange with {@code audience=}{@value #PROVIDER_ID}, verifies the subject token with
 * Conduit's own check ({@code ExchangeChecks.subject}: confidential client, signature, expiry, issuer, active
 * session, requester its azp or in its aud), records the {@code TOKEN_EXCHANGE} event as a success and answers a value
 * generated once per server start. Ordered above Conduit's exchange (100) so it is asked first; it declines every
 * other exchange, and every exchange at all unless the server was started with
 * {@code --spi-oauth2-token-exchange--conduit-test-floor--enabled=true}.
 */
public final class FloorTokenExchangeProviderFactory implements TokenExchangeProviderFactory,
        ServerInfoAwareProviderFactory {

    public static final String PROVIDER_ID = "conduit-test-floor";
    private boolean enabled;
    private String token;

    @Override
    public TokenExchangeProvider create(KeycloakSession session) {
        return new FloorTokenExchangeProvider(enabled, token);
    }

    @Override
    public void init(Config.Scope config) {
        enabled = config.getBoolean("enabled", false);
        token = FloorRequest.generateToken(new SecureRandom());
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("enabled").type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(false)
                .helpText("Take exchanges with audience=" + PROVIDER_ID + " at all (test servers only).").add()
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of("enabled", Boolean.toString(enabled));
    }

    @Override
    public int order() {
        return 200;
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
