package dev.conduit.broker.grant;

import java.util.List;
import java.util.Optional;

import dev.conduit.api.grant.GrantBinding;
import dev.conduit.api.grant.SealedGrantException;
import dev.conduit.api.grant.UpstreamGrant;
import dev.conduit.broker.admin.ConnectionView;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.Provider;

/**
 * The one place where a broker hands the upstream token response over once the Keycloak user is known
 * (login, first login, account linking), and that seals the grant while a first login keeps it in Keycloak's
 * authentication session. The token vault replaces the in-memory implementation.
 */
public interface UpstreamGrantHandover extends Provider {

    /** Takes the grant for this user and provider alias, keeping a refresh token the new grant lacks. */
    void accept(RealmModel realm, UserModel user, UpstreamGrant grant);

    /**
     * Takes the grant as the organization's connection: members' apps use it, and it outlives the user who
     * connected it. The caller has checked that this user may connect for the organization.
     */
    void acceptForOrganization(RealmModel realm, String organizationId, UserModel connectedBy, UpstreamGrant grant);

    Optional<UpstreamGrant> find(RealmModel realm, String userId, String providerAlias);

    List<UpstreamGrant> findByUser(RealmModel realm, String userId);

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
     * What an administrator sees of the user's connections. Unlike {@link #findByUser} it lists every connection,
     * also one whose tokens cannot be opened (status {@link ConnectionView#UNDECRYPTABLE}).
     */
    default List<ConnectionView> viewsByUser(RealmModel realm, String userId) {
        return findByUser(realm, userId).stream().map(ConnectionView::of).toList();
    }

    @Override
    default void close() {
    }
}
