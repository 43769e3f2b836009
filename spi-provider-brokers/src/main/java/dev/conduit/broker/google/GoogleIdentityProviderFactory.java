package dev.conduit.broker.google;

import java.util.List;

import dev.conduit.api.grant.ConduitBroker;
import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.broker.support.IncrementalScopes;
import org.keycloak.broker.provider.AbstractIdentityProviderFactory;
import org.keycloak.broker.social.SocialIdentityProviderFactory;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/** Registers the Google broker. Google OIDC: https://developers.google.com/identity/openid-connect/openid-connect */
public final class GoogleIdentityProviderFactory extends AbstractIdentityProviderFactory<GoogleIdentityProvider>
        implements SocialIdentityProviderFactory<GoogleIdentityProvider>, ConduitBroker {

    public static final String PROVIDER_ID = "conduit-google";

    @Override
    public String getName() {
        return "Google (Conduit)";
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public GoogleIdentityProvider create(KeycloakSession session, IdentityProviderModel model) {
        return new GoogleIdentityProvider(session, new GoogleIdentityProviderConfig(model));
    }

    @Override
    public GoogleIdentityProviderConfig createConfig() {
        GoogleIdentityProviderConfig config = new GoogleIdentityProviderConfig();
        config.getConfig().put(IdentityProviderModel.ISSUER, GoogleIdentityProviderConfig.ISSUER_URL);
        return config;
    }

    @Override
    public String getHelpText() {
        return "Log in and link accounts with Google; Conduit keeps a refresh token and the Workspace domain.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name("defaultScope").label("Scopes")
                .helpText("Space-separated scopes; default 'openid email profile'. Further scopes are added "
                        + "incrementally (include_granted_scopes) when an app needs them.")
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(GoogleIdentityProvider.DEFAULT_SCOPES).add()
                .property().name(GoogleIdentityProviderConfig.HOSTED_DOMAIN).label("Workspace domain")
                .helpText("Comma-separated Google Workspace domains allowed to log in ('*' = any Workspace account). "
                        + "Sent as the 'hd' hint and enforced on the id token's 'hd' claim.")
                .type(ProviderConfigProperty.STRING_TYPE).add()
                .property().name(GoogleIdentityProviderConfig.OFFLINE_ACCESS).label("Request refresh token")
                .helpText("Send access_type=offline so Google issues a refresh token; when Conduit holds none for the "
                        + "account, consent is asked again (prompt=consent). On by default.")
                .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("true").add()
                .property().name(GoogleIdentityProviderConfig.INCLUDE_GRANTED_SCOPES).label("Incremental authorization")
                .helpText("Send include_granted_scopes=true so a new grant keeps the scopes granted before.")
                .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("true").add()
                .property(IncrementalScopes.extraScopesAllowedProperty())
                .property().name("prompt").label("Prompt")
                .helpText("Fixed 'prompt' value (none, consent, select_account). Empty: Conduit asks for consent only "
                        + "when it holds no refresh token.")
                .type(ProviderConfigProperty.STRING_TYPE).add()
                .property().name("authorizationUrl").label("Authorization URL")
                .helpText("Default " + GoogleIdentityProviderConfig.AUTH_URL)
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(GoogleIdentityProviderConfig.AUTH_URL).add()
                .property().name("tokenUrl").label("Token URL")
                .helpText("Default " + GoogleIdentityProviderConfig.TOKEN_URL)
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(GoogleIdentityProviderConfig.TOKEN_URL).add()
                .property().name("userInfoUrl").label("Userinfo URL")
                .helpText("Default " + GoogleIdentityProviderConfig.USERINFO_URL)
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(GoogleIdentityProviderConfig.USERINFO_URL).add()
                .property().name("jwksUrl").label("JWKS URL")
                .helpText("Default " + GoogleIdentityProviderConfig.JWKS_URL_DEFAULT)
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(GoogleIdentityProviderConfig.JWKS_URL_DEFAULT).add()
                .property().name("issuer").label("Issuer")
                .helpText("Expected 'iss' of id tokens and of authorization responses. Default "
                        + GoogleIdentityProviderConfig.ISSUER_URL)
                .type(ProviderConfigProperty.STRING_TYPE).defaultValue(GoogleIdentityProviderConfig.ISSUER_URL).add()
                .build();
    }

    @Override
    public String providerType() {
        return "google";
    }

    /** Google's revocation ends the whole grant of the account and client. */
    @Override
    public UpstreamClient upstreamClient(IdentityProviderModel model) {
        var config = new GoogleIdentityProviderConfig(model);
        String tokenUrl = config.getTokenUrl() == null || config.getTokenUrl().isBlank()
                ? GoogleIdentityProviderConfig.TOKEN_URL : config.getTokenUrl();
        return new UpstreamClient(model.getProviderId(), model.getAlias(), tokenUrl, config.getClientId(),
                config.getClientSecret(), ConduitBroker.isBasic(config.getClientAuthMethod()),
                UpstreamClient.Revocation.POST_FORM_WHOLE_GRANT, config.getRevocationUrl(), 3600);
    }
}
