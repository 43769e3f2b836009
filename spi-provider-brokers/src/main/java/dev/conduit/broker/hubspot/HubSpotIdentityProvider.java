package dev.conduit.broker.hubspot;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.broker.support.BrokerHardening;
import dev.conduit.broker.support.GrantCarrier;
import dev.conduit.broker.support.UpstreamHttp;
import jakarta.ws.rs.core.UriBuilder;
import dev.conduit.broker.support.ConduitOAuth2Broker;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;

/**
 * HubSpot broker: plain OAuth 2.0 (no OIDC). Identity and portal ({@code hub_id}) come from the
 * access-token info endpoint; the granted scopes are read back from it because optional scopes the
 * portal's tier lacks are dropped silently.
 */
public final class HubSpotIdentityProvider extends ConduitOAuth2Broker<HubSpotIdentityProviderConfig> {

    public static final String DEFAULT_SCOPES = "oauth";

    public HubSpotIdentityProvider(KeycloakSession session, HubSpotIdentityProviderConfig config) {
        super(session, config);
        config.applyEndpointDefaults();
        BrokerHardening.apply(config);
    }

    @Override
    protected String getDefaultScopes() {
        return DEFAULT_SCOPES;
    }

    /** HubSpot's optional scopes: those the portal's tier lacks are dropped, not refused. */
    @Override
    protected void addAuthorizationParameters(UriBuilder uri) {
        String optional = getConfig().getOptionalScopes();
        if (optional != null && !optional.isBlank()) {
            uri.queryParam(getConfig().getOptionalScopeParameter(), optional.trim());
        }
    }

    @Override
    public BrokeredIdentityContext getFederatedIdentity(String response) {
        JsonNode token = BrokerHardening.parseTokenResponse(response);
        String accessToken = BrokerHardening.requiredText(token, "access_token");
        JsonNode info = UpstreamHttp.getJson(session,
                getConfig().getAccessTokenInfoUrl() + URLEncoder.encode(accessToken, StandardCharsets.UTF_8), null,
                "HubSpot access-token info");

        String userId = info.path("user_id").asText("");
        String hubId = info.path("hub_id").asText("");
        if (userId.isBlank() || hubId.isBlank()) {
            throw new IdentityBrokerException("HubSpot access-token info has no user_id or hub_id");
        }
        String email = info.path("user").asText(null);

        BrokeredIdentityContext context = new BrokeredIdentityContext(userId, getConfig());
        context.setUsername(email);
        context.setEmail(email);
        context.setBrokerUserId(userId);

        Set<String> scopes = new LinkedHashSet<>();
        info.path("scopes").forEach(s -> scopes.add(s.asText()));
        long now = Time.currentTime();
        long expiresIn = token.hasNonNull("expires_in") ? token.get("expires_in").asLong()
                : info.path("expires_in").asLong(1800);
        GrantCarrier.attach(context, new UpstreamGrant(HubSpotIdentityProviderFactory.PROVIDER_ID,
                getConfig().getAlias(), userId, hubId, null, accessToken, token.path("refresh_token").asText(null),
                now, now + expiresIn, scopes, null, email));
        return context;
    }
}
