package dev.conduit.broker.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.api.grant.Scopes;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.broker.support.BrokerHardening;
import dev.conduit.broker.support.GrantCarrier;
import dev.conduit.broker.support.UpstreamHttp;
import dev.conduit.broker.support.ConduitOAuth2Broker;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.vault.VaultStringSecret;

/**
 * Salesforce broker: authorization code with PKCE S256, identity from the signed token response's
 * {@code id} URL plus userinfo, and the connection's org id, user id and {@code instance_url} kept.
 */
public final class SalesforceIdentityProvider extends ConduitOAuth2Broker<SalesforceIdentityProviderConfig> {

    public static final String DEFAULT_SCOPES = "api refresh_token openid";

    public SalesforceIdentityProvider(KeycloakSession session, SalesforceIdentityProviderConfig config) {
        super(session, config);
        config.deriveEndpointsFromLoginHost();
        config.setPkceEnabled(true);
        config.setPkceMethod("S256");
        BrokerHardening.apply(config);
    }

    @Override
    protected String getDefaultScopes() {
        return DEFAULT_SCOPES;
    }

    @Override
    public BrokeredIdentityContext getFederatedIdentity(String response) {
        JsonNode token = BrokerHardening.parseTokenResponse(response);
        String accessToken = BrokerHardening.requiredText(token, "access_token");
        String idUrl = BrokerHardening.requiredText(token, "id");
        String issuedAtMillis = BrokerHardening.requiredText(token, "issued_at");
        String instanceUrl = BrokerHardening.requiredText(token, "instance_url");

        if (!SalesforceSignature.verify(idUrl, issuedAtMillis, token.path("signature").asText(null), consumerSecret())) {
            throw new IdentityBrokerException("Salesforce token response signature does not verify");
        }
        SalesforceIdentityUrl identity;
        long issuedAt;
        try {
            identity = SalesforceIdentityUrl.parse(idUrl);
            issuedAt = Long.parseLong(issuedAtMillis) / 1000;
        } catch (IllegalArgumentException e) {
            throw new IdentityBrokerException("Salesforce token response is malformed: " + e.getMessage());
        }

        JsonNode userInfo = UpstreamHttp.getJson(session, getConfig().getUserInfoUrl(), accessToken, "Salesforce userinfo");
        if (!identity.userId().equals(userInfo.path("user_id").asText())
                || !identity.organizationId().equals(userInfo.path("organization_id").asText())) {
            throw new IdentityBrokerException("Salesforce userinfo does not describe the user of the token response");
        }

        BrokeredIdentityContext context = new BrokeredIdentityContext(identity.userId(), getConfig());
        context.setUsername(userInfo.path("preferred_username").asText(null));
        context.setEmail(userInfo.path("email").asText(null));
        context.setFirstName(userInfo.path("given_name").asText(null));
        context.setLastName(userInfo.path("family_name").asText(null));
        context.setBrokerUserId(identity.userId());

        long lifetime = token.hasNonNull("expires_in") ? token.get("expires_in").asLong()
                : getConfig().getSessionLifetimeSeconds();
        GrantCarrier.attach(context, new UpstreamGrant(SalesforceIdentityProviderFactory.PROVIDER_ID,
                getConfig().getAlias(), identity.userId(), identity.organizationId(), instanceUrl, accessToken,
                token.path("refresh_token").asText(null), issuedAt, issuedAt + lifetime,
                Scopes.parse(token.path("scope").asText(null)),
                userInfo.path("name").asText(userInfo.path("display_name").asText(null)),
                userInfo.path("email").asText(null)));
        return context;
    }

    private String consumerSecret() {
        try (VaultStringSecret secret = session.vault().getStringSecret(getConfig().getClientSecret())) {
            return secret.get().orElse(getConfig().getClientSecret());
        }
    }
}
