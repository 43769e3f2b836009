package dev.conduit.exchange.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HookScopeTest {

    private static final String TOKEN = "/realms/conduit-demo/protocol/openid-connect/token";
    private static final String EXCHANGE = HookScope.TOKEN_EXCHANGE_GRANT;

    private final HookScope conduitOnly = new HookScope(false);
    private final HookScope keycloakWide = new HookScope(true);

    @Test
    void byDefaultOnlyTokenExchangesHaveTheirCredentialsGuarded() {
        assertThat(conduitOnly.inspects(TOKEN)).isTrue();
        assertThat(conduitOnly.inspects(TOKEN + "/")).isTrue();
        assertThat(conduitOnly.guardsCredentials(TOKEN, EXCHANGE)).isTrue();
        assertThat(conduitOnly.guardsCredentials(TOKEN, "client_credentials")).isFalse();
        assertThat(conduitOnly.guardsCredentials(TOKEN, "password")).isFalse();
        assertThat(conduitOnly.guardsCredentials(TOKEN, null)).isFalse();
        assertThat(conduitOnly.inspects("/realms/r/protocol/openid-connect/token/introspect")).isFalse();
        assertThat(conduitOnly.inspects("/realms/r/protocol/openid-connect/revoke")).isFalse();
        assertThat(conduitOnly.inspects("/realms/r/protocol/openid-connect/ext/par/request")).isFalse();
        assertThat(conduitOnly.inspects("/admin/realms/r/users")).isFalse();
    }

    @Test
    void keycloakWideGuardsEveryFormEndpointWhateverTheGrant() {
        assertThat(keycloakWide.inspects("/realms/r/protocol/openid-connect/token/introspect")).isTrue();
        assertThat(keycloakWide.guardsCredentials("/realms/r/protocol/openid-connect/revoke", null)).isTrue();
        assertThat(keycloakWide.guardsCredentials(TOKEN, "client_credentials")).isTrue();
        assertThat(keycloakWide.inspects("/realms/r/protocol/openid-connect/auth")).isFalse();
        assertThat(keycloakWide.inspects("/admin/realms/r/users")).isFalse();
    }

    @Test
    void byDefaultTheOutageAnswerIsForConduitsRequestsOnly() {
        assertThat(conduitOnly.mapsOutage(TOKEN, EXCHANGE)).isTrue();
        assertThat(conduitOnly.mapsOutage("/realms/conduit-demo/conduit-vault/connections", null)).isTrue();
        assertThat(conduitOnly.mapsOutage("/admin/realms/conduit-demo/conduit-vault/refresh-due", null)).isTrue();
        assertThat(conduitOnly.mapsOutage("/admin/realms/conduit-demo/conduit-connections", null)).isTrue();
        assertThat(conduitOnly.mapsOutage("/realms/conduit-demo/conduit-console/", null)).isTrue();

        assertThat(conduitOnly.mapsOutage(TOKEN, "password")).isFalse();
        assertThat(conduitOnly.mapsOutage(TOKEN, null)).isFalse();
        assertThat(conduitOnly.mapsOutage("/admin/realms/conduit-demo/users", null)).isFalse();
        assertThat(conduitOnly.mapsOutage("/realms/conduit-vault/account", null)).as("a realm named conduit-vault").isFalse();
        assertThat(conduitOnly.mapsOutage("/admin/realms/conduit-x", null)).isFalse();
        assertThat(conduitOnly.mapsOutage("/other/realms/r/conduit-vault", null)).isFalse();
        assertThat(conduitOnly.mapsOutage(null, null)).isFalse();
    }

    @Test
    void keycloakWideMapsTheOutageEverywhere() {
        assertThat(keycloakWide.mapsOutage(TOKEN, "password")).isTrue();
        assertThat(keycloakWide.mapsOutage("/admin/realms/conduit-demo/users", null)).isTrue();
    }

    @Test
    void grantTypeIsReadFromTheFormBody() {
        assertThat(StorableCredentials.grantType("a=1&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"))
                .isEqualTo(EXCHANGE);
        assertThat(StorableCredentials.grantType("grant_type=client_credentials")).isEqualTo("client_credentials");
        assertThat(StorableCredentials.grantType("xgrant_type=password")).isNull();
        assertThat(StorableCredentials.grantType("grant_type=%zz")).isNull();
        assertThat(StorableCredentials.grantType(null)).isNull();
    }
}
