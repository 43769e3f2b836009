package dev.conduit.broker.support;

import java.io.IOException;

import dev.conduit.broker.grant.UpstreamGrant;
import dev.conduit.broker.grant.UpstreamGrantHandover;
import org.jboss.logging.Logger;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.util.JsonSerialization;

/**
 * Carries the upstream grant from the token response to the moment the Keycloak user is known, inside the
 * brokered identity context, and hands it to the {@link UpstreamGrantHandover} there. Keycloak's own
 * plaintext places (FEDERATED_IDENTITY.TOKEN, user-session notes) are never used.
 */
public final class GrantCarrier {

    private static final Logger LOG = Logger.getLogger(GrantCarrier.class);
    static final String CONTEXT_KEY = "conduit.upstream-grant";

    private GrantCarrier() {
    }

    public static void attach(BrokeredIdentityContext context, UpstreamGrant grant) {
        try {
            context.getContextData().put(CONTEXT_KEY, JsonSerialization.writeValueAsString(grant));
        } catch (IOException e) {
            throw new IdentityBrokerException("Could not keep the upstream grant for the login in progress");
        }
    }

    public static void handOver(KeycloakSession session, RealmModel realm, UserModel user, BrokeredIdentityContext context) {
        Object carried = context.getContextData().get(CONTEXT_KEY);
        if (carried == null) {
            return;
        }
        UpstreamGrant grant = read(carried);
        // Always the user's own connection: an organization's is set only through OrganizationConnect's confirmation.
        session.getProvider(UpstreamGrantHandover.class).accept(realm, user, grant);
        LOG.debugf("Handed over upstream grant of realm %s user %s provider %s", realm.getId(), user.getId(),
                grant.providerAlias());
        context.getContextData().remove(CONTEXT_KEY);
    }

    /** The grant the login in progress carries, or null; for naming its account, nothing is handed over. */
    public static UpstreamGrant peek(BrokeredIdentityContext context) {
        Object carried = context.getContextData().get(CONTEXT_KEY);
        return carried == null ? null : read(carried);
    }

    /**
     * Takes the carried grant out of the context as it is carried (today its JSON), to be kept across the
     * organization-connect confirmation page and handed over by {@link #handOverForOrganization} once confirmed.
     */
    public static String takeCarried(BrokeredIdentityContext context) {
        Object carried = context.getContextData().remove(CONTEXT_KEY);
        return carried instanceof String value ? value : null;
    }

    /** Hands a grant kept by {@link #takeCarried} to the handover as the organization's connection. */
    public static void handOverForOrganization(KeycloakSession session, RealmModel realm, String organizationId,
            UserModel connectedBy, String carried) {
        UpstreamGrant grant = read(carried);
        session.getProvider(UpstreamGrantHandover.class).acceptForOrganization(realm, organizationId, connectedBy, grant);
        LOG.debugf("Handed over upstream grant of realm %s organization %s (connected by user %s) provider %s",
                realm.getId(), organizationId, connectedBy.getId(), grant.providerAlias());
    }

    private static UpstreamGrant read(Object carried) {
        if (!(carried instanceof String value)) {
            throw new IdentityBrokerException("Could not read the upstream grant of the login in progress");
        }
        try {
            return JsonSerialization.readValue(value, UpstreamGrant.class);
        } catch (IOException e) {
            throw new IdentityBrokerException("Could not read the upstream grant of the login in progress");
        }
    }
}
