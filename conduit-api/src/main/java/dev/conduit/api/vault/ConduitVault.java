package dev.conduit.api.vault;

import java.util.Optional;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;
import dev.conduit.api.grant.UpstreamGrant;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.Provider;

/**
 * The token vault as the other Conduit jars see it ({@code session.getProvider(ConduitVault.class)}, null when
 * {@code conduit-token-vault.jar} is not installed): where a broker hands the upstream token response over once the
 * Keycloak user is known (login, first login, account linking), what seals the grant while a first login keeps it in
 * Keycloak's authentication session, and what serves the exchange a fresh access token.
 */
public interface ConduitVault extends Provider {

    /** Takes the grant for this user and provider alias, keeping a refresh token the new grant lacks. */
    void accept(RealmModel realm, UserModel user, UpstreamGrant grant);

    /**
     * Takes the grant as the organization's connection: members' apps use it, and it outlives the user who
     * connected it. The caller has checked that this user may connect for the organization.
     */
    void acceptForOrganization(RealmModel realm, String organizationId, UserModel connectedBy, UpstreamGrant grant);

    Optional<UpstreamGrant> find(RealmModel realm, String userId, String providerAlias);

    /**
     * Seals what must wait in Keycloak's authentication session until the user is known (the grant, during a
     * first login's pages), with authenticated encryption bound to {@code binding}: Keycloak's caches then hold
     * no token in clear, and the value opens only for the same login.
     */
    String seal(byte[] content, GrantBinding binding);

    /** @throws SealedGrantException when the value was altered, is bound to another login or its key is gone */
    byte[] open(String sealed, GrantBinding binding);

    /**
     * The organization's current connection for this alias, to name the account a new one would replace. Only its
     * metadata is read: the returned grant carries no tokens.
     */
    Optional<UpstreamGrant> findForOrganization(RealmModel realm, String organizationId, String providerAlias);

    /**
     * A fresh access token of the connection, refreshed first when it is due. An app that reports the provider
     * refused a token ({@code refused}, else null) gets it replaced if it is still the connection's, within the
     * vault's limits.
     *
     * @throws ConnectionUnavailableException when the connection cannot give a token now (its code says why)
     */
    FreshToken accessToken(ConnectionKey key, RefusedToken refused) throws ConnectionUnavailableException;

    /**
     * The same for a caller acting as {@code subject} (the exchanging user's verified e-mail, or null): a per-user
     * server connection (Google's domain-wide delegation, issue 15) mints a token for that user; other connections
     * ignore it.
     */
    default FreshToken accessToken(ConnectionKey key, RefusedToken refused, String subject) throws ConnectionUnavailableException {
        return accessToken(key, refused, subject, null);
    }

    /**
     * The same for a subject named by a service account's exchange ({@code requested_subject}): {@code namedBy} is
     * that client's id, checked against what the connection allows ({@code subject_not_allowed} otherwise); null
     * when the subject is the caller themselves.
     */
    default FreshToken accessToken(ConnectionKey key, RefusedToken refused, String subject, String namedBy)
            throws ConnectionUnavailableException {
        if (namedBy != null) {
            throw new ConnectionUnavailableException(ConnectionUnavailableException.SUBJECT_NOT_ALLOWED,
                    "This vault serves no token for a named subject");
        }
        return accessToken(key, refused);
    }

    @Override
    default void close() {
    }
}
