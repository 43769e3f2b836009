package dev.conduit.broker.hubspot;

import java.util.List;
import java.util.Map;

import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.broker.support.IncrementalScopes;
import dev.conduit.broker.support.ConduitBrokerFactory;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/** Registers the HubSpot broker. HubSpot OAuth: https://developers.hubspot.com/docs/api/oauth-quickstart-guide */
public final class HubSpotIdentityProviderFactory extends ConduitBrokerFactory<HubSpotIdentityProvider, HubSpotIdentityProviderConfig> {

    public static final String PROVIDER_ID = "conduit-hubspot";
    private static final List<ServerGrantKind> KINDS = List.of(new HubSpotPrivateApp());

    public HubSpotIdentityProviderFactory() {
        super(PROVIDER_ID, "HubSpot (Conduit)",
                "Log in and link accounts with HubSpot; Conduit keeps the portal (hub id) of each connection.",
                HubSpotIdentityProvider::new, HubSpotIdentityProviderConfig::new, HubSpotIdentityProviderConfig::new);
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name("defaultScope")
                .label("Required scopes")
                .helpText("Space-separated scopes sent as 'scope'. The install fails if the portal's tier lacks one. "
                        + "Default: 'oauth'.")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(HubSpotIdentityProvider.DEFAULT_SCOPES).add()
                .property().name(HubSpotIdentityProviderConfig.OPTIONAL_SCOPES)
                .label("Optional scopes")
                .helpText("Space-separated scopes sent as optional; HubSpot drops those the portal cannot grant, and "
                        + "Conduit reads the granted scopes back from the access-token info.")
                .type(ProviderConfigProperty.STRING_TYPE).add()
                .property().name(HubSpotIdentityProviderConfig.OPTIONAL_SCOPE_PARAMETER)
                .label("Optional scope parameter name")
                .helpText("'optional_scope' (current HubSpot docs) or 'optional_scopes' (older docs).")
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(HubSpotIdentityProviderConfig.DEFAULT_OPTIONAL_SCOPE_PARAMETER).add()
                .property(IncrementalScopes.extraScopesAllowedProperty())
                .property().name("authorizationUrl")
                .label("Authorization URL")
                .helpText("Default " + HubSpotIdentityProviderConfig.DEFAULT_AUTHORIZATION_URL)
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(HubSpotIdentityProviderConfig.DEFAULT_AUTHORIZATION_URL).add()
                .property().name(HubSpotIdentityProviderConfig.API_BASE_URL)
                .label("API base URL")
                .helpText("Default " + HubSpotIdentityProviderConfig.DEFAULT_API_BASE_URL
                        + "; the token, access-token info and revocation endpoints hang off it.")
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(HubSpotIdentityProviderConfig.DEFAULT_API_BASE_URL).add()
                .property().name(HubSpotIdentityProviderConfig.TOKEN_PATH)
                .label("Token endpoint path")
                .helpText("Default " + HubSpotIdentityProviderConfig.DEFAULT_TOKEN_PATH
                        + " (the v1 form endpoint sunsets on 2027-02-16; '/oauth/2026-03/token' is the dated successor).")
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(HubSpotIdentityProviderConfig.DEFAULT_TOKEN_PATH).add()
                .build();
    }

    /** Conduit's permissions in HubSpot scopes (shared/providers.md): one CRM object scope each; every grant has {@code oauth} and a refresh token. */
    @Override
    public Map<String, String> seedScopes() {
        return Map.of("crm.contacts.read", "crm.objects.contacts.read", "crm.contacts.write", "crm.objects.contacts.write",
                "crm.deals.read", "crm.objects.deals.read", "crm.deals.write", "crm.objects.deals.write",
                "crm.activity.read", "crm.objects.contacts.read", "offline", "oauth");
    }

    @Override
    public String productName() {
        return "HubSpot";
    }

    /** From shared/providers.md: what ends a refresh token at HubSpot. */
    @Override
    public String refusedGrantCause() {
        return "the app was uninstalled from the HubSpot account";
    }

    @Override
    public String providerType() {
        return "hubspot";
    }

    /** HubSpot takes the client secret in the form and revokes with a DELETE on the refresh token's URL. */
    @Override
    public UpstreamClient upstreamClient(IdentityProviderModel model) {
        var config = new HubSpotIdentityProviderConfig(model);
        return new UpstreamClient(model.getProviderId(), model.getAlias(),
                config.getApiBaseUrl() + config.getTokenPath(), config.getClientId(), config.getClientSecret(),
                false, UpstreamClient.Revocation.DELETE_PATH, config.getRefreshTokenRevocationUrl(), 1800);
    }

    /** HubSpot calls its organization a portal, {@code hub_id}. */
    @Override
    public String organizationIdName() {
        return "hub_id";
    }

    @Override
    public List<ServerGrantKind> serverGrantKinds() {
        return KINDS;
    }
}
