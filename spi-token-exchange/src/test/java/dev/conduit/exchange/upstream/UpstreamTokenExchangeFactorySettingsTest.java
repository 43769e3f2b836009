package dev.conduit.exchange.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;

/** The exchange factory declares the request guards' one option and reports the value the guards act on. */
class UpstreamTokenExchangeFactorySettingsTest {

    private final UpstreamTokenExchangeProviderFactory factory = new UpstreamTokenExchangeProviderFactory();

    @Test
    void declaresTheGuardsOptionWithItsDefaultAndReportsTheValueInEffect() {
        List<ProviderConfigProperty> declared = factory.getConfigMetadata();

        assertEquals(1, declared.size());
        assertEquals("keycloak-wide-guards", declared.get(0).getName());
        assertEquals(ProviderConfigProperty.BOOLEAN_TYPE, declared.get(0).getType());
        assertEquals("false", declared.get(0).getDefaultValue());
        // nothing configured in a unit test: the guards act on Conduit's own requests only
        assertEquals("false", factory.getOperationalInfo().get("keycloak-wide-guards"));
    }
}
