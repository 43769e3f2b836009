package dev.conduit.exchange.narrow;

import java.util.List;

import dev.conduit.exchange.support.ConnectionBinding;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.AccessToken;

/**
 * Writes the {@code conduit_connection} claim into tokens that Conduit's narrowing exchange issues (and only
 * those: other tokens of the client are left alone). Add it to every client that narrows tokens.
 */
public final class ConnectionClaimMapper extends AbstractOIDCProtocolMapper implements OIDCAccessTokenMapper {

    public static final String PROVIDER_ID = "conduit-connection-claim";
    /** Session attribute the narrowing exchange sets for the token being issued. */
    static final String SESSION_ATTRIBUTE = "conduit.narrowed-connection";

    @Override
    public AccessToken transformAccessToken(AccessToken token, ProtocolMapperModel mappingModel, KeycloakSession session,
            UserSessionModel userSession, ClientSessionContext clientSessionCtx) {
        Object binding = session.getAttribute(SESSION_ATTRIBUTE);
        if (binding instanceof ConnectionBinding connection) {
            token.getOtherClaims().put(ConnectionBinding.CLAIM, connection.toClaim());
        }
        return token;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "Conduit connection binding";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Marks tokens issued by Conduit's narrowing token exchange with the one upstream connection they may use "
                + "(claim conduit_connection), so that exchanging them again reaches no other connection.";
    }
}
