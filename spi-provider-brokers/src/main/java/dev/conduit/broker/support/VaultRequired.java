package dev.conduit.broker.support;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import dev.conduit.api.support.UntrustedText;
import dev.conduit.api.vault.ConduitVault;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.ErrorPage;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The token vault a login hands its upstream grant to. Without {@code conduit-token-vault.jar} there is none: the
 * login ends on an error page saying the server keeps no connections, with one log line naming the missing jar,
 * and nothing is kept (never a NullPointerException, never a token held in clear elsewhere).
 */
public final class VaultRequired {

    private static final Logger LOG = Logger.getLogger(VaultRequired.class);
    /** The error page's message, in the brokers' {@code theme-resources/messages}. */
    static final String MISSING_MESSAGE = "conduitVaultMissing";

    private VaultRequired() {
    }

    /** @throws WebApplicationException carrying the error page when no vault is installed */
    public static ConduitVault of(KeycloakSession session, AuthenticationSessionModel authSession, String alias) {
        ConduitVault vault = session.getProvider(ConduitVault.class);
        if (vault != null) {
            return vault;
        }
        LOG.errorf("Refused the login with identity provider '%s': no Conduit token vault is installed to keep its"
                + " upstream grant (put conduit-token-vault.jar into providers/ and run kc.sh build)", UntrustedText.forLog(alias));
        throw new WebApplicationException(ErrorPage.error(session, authSession, Response.Status.SERVICE_UNAVAILABLE,
                MISSING_MESSAGE));
    }
}
