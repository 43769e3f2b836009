package dev.conduit.broker.google;

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

/** Registers the Google broker. Google OIDC: https://developers.google.com/identity/openid-connect/openid-connect */
public final class GoogleIdentityProviderFactory extends ConduitBrokerFactory<GoogleIdentityProvider, GoogleIdentityProviderConfig> {

    public static final String PROVIDER_ID = "conduit-google";
    private static final List<ServerGrantKind> KINDS = List.of(new GoogleDelegation());

    public GoogleIdentityProviderFactory() {
        super(PROVIDER_ID, "Google (Conduit)",
                "Log in and link accounts with Google; Conduit keeps a refresh token and the Workspace domain.",
                GoogleIdentityProvider::new, GoogleIdentityProviderConfig::new, GoogleIdentityProviderConfig::newWithIssuer);
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

    /** Conduit's permissions in Google scopes (shared/providers.md): calendar and mail; no CRM, and lasting access is {@code access_type=offline}, not a scope. */
    @Override
    public Map<String, String> seedScopes() {
        return Map.of("calendar.read", "https://www.googleapis.com/auth/calendar.readonly",
                "mail.send", "https://www.googleapis.com/auth/gmail.send");
    }

    @Override
    public String productName() {
        return "Google";
    }

    /** From shared/providers.md: what ends a refresh token at Google. */
    @Override
    public String refusedGrantCause() {
        return "access was removed in the Google account, it went unused for months, or the password changed";
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

    @Override
    public List<ServerGrantKind> serverGrantKinds() {
        return KINDS;
    }
}
