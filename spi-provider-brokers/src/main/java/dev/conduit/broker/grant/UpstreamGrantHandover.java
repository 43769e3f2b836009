package dev.conduit.broker.grant;

import java.util.List;
import java.util.Optional;

import dev.conduit.broker.admin.ConnectionView;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.Provider;

/**
 * The one place where a broker hands the upstream token response over once the Keycloak user is known
 * (login, first login, account linking). The token vault replaces the in-memory implementation.
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
