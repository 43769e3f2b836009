package dev.conduit.broker.salesforce;

import java.util.List;
import java.util.Map;

import dev.conduit.api.grant.ConduitBroker;
import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.broker.support.IncrementalScopes;
import dev.conduit.broker.support.ConduitBrokerFactory;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Registers the Salesforce broker. Salesforce OAuth: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 */
public final class SalesforceIdentityProviderFactory extends ConduitBrokerFactory<SalesforceIdentityProvider, SalesforceIdentityProviderConfig> {

    public static final String PROVIDER_ID = "conduit-salesforce";
    private static final List<ServerGrantKind> KINDS = List.of(new SalesforceJwtBearer(), new SalesforceClientCredentials());

    public SalesforceIdentityProviderFactory() {
        super(PROVIDER_ID, "Salesforce (Conduit)",
                "Log in and link accounts with Salesforce; Conduit keeps the connection's org id and instance URL.",
                SalesforceIdentityProvider::new, SalesforceIdentityProviderConfig::new, SalesforceIdentityProviderConfig::new);
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name(SalesforceIdentityProviderConfig.LOGIN_HOST)
                .label("Login host")
                .helpText("Where users log in: https://login.salesforce.com (production), https://test.salesforce.com "
                        + "(sandbox orgs) or a My Domain URL such as https://acme.my.salesforce.com. The authorize, token, "
                        + "userinfo and revoke endpoints are derived from it.")
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(SalesforceIdentityProviderConfig.DEFAULT_LOGIN_HOST).add()
                .property().name("defaultScope")
                .label("Scopes")
                .helpText("Space-separated Salesforce scopes. The default asks the minimum: 'api refresh_token openid'. "
                        + "'full' grants all data and is never asked unless you put it here.")
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(SalesforceIdentityProvider.DEFAULT_SCOPES).add()
                .property().name(SalesforceIdentityProviderConfig.SESSION_LIFETIME)
                .label("Access token lifetime (seconds)")
                .helpText("Salesforce sends no expires_in; set the org's session timeout here (default 7200).")
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(String.valueOf(SalesforceIdentityProviderConfig.DEFAULT_SESSION_LIFETIME_SECONDS)).add()
                .property(IncrementalScopes.extraScopesAllowedProperty())
                .build();
    }

    /** Conduit's permissions in Salesforce scopes (shared/providers.md): everything CRM is {@code api}; lasting access is {@code refresh_token}. */
    @Override
    public Map<String, String> seedScopes() {
        return Map.of("crm.contacts.read", "api", "crm.contacts.write", "api", "crm.deals.read", "api",
                "crm.deals.write", "api", "crm.activity.read", "api", "offline", "refresh_token");
    }

    @Override
    public String productName() {
        return "Salesforce";
    }

    /** From shared/providers.md: what ends a refresh token at Salesforce. */
    @Override
    public String refusedGrantCause() {
        return "the app's access was revoked, or it expired under your Salesforce organization's policy";
    }

    @Override
    public String providerType() {
        return "salesforce";
    }

    /** Salesforce answers a refresh without {@code expires_in}: the token lives for the org's session timeout. */
    @Override
    public UpstreamClient upstreamClient(IdentityProviderModel model) {
        var config = new SalesforceIdentityProviderConfig(model);
        return new UpstreamClient(model.getProviderId(), model.getAlias(),
                config.getLoginHost() + "/services/oauth2/token", config.getClientId(), config.getClientSecret(),
                ConduitBroker.isBasic(config.getClientAuthMethod()), UpstreamClient.Revocation.POST_FORM,
                config.getRevocationUrl(), config.getSessionLifetimeSeconds());
    }

    @Override
    public List<ServerGrantKind> serverGrantKinds() {
        return KINDS;
    }
}
