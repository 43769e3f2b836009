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
        Object json = context.getContextData().get(CONTEXT_KEY);
        if (!(json instanceof String value)) {
            return;
        }
        UpstreamGrant grant;
        try {
            grant = JsonSerialization.readValue(value, UpstreamGrant.class);
        } catch (IOException e) {
            throw new IdentityBrokerException("Could not read the upstream grant of the login in progress");
        }
        UpstreamGrantHandover handover = session.getProvider(UpstreamGrantHandover.class);
        String organizationReference = OrganizationConnect.requested(context);
        if (organizationReference == null) {
            handover.accept(realm, user, grant);
            LOG.debugf("Handed over upstream grant of realm %s user %s provider %s", realm.getId(), user.getId(),
                    grant.providerAlias());
        } else {
            var organization = OrganizationConnect.authorize(session, realm, user, organizationReference);
            handover.acceptForOrganization(realm, organization.getId(), user, grant);
            LOG.debugf("Handed over upstream grant of realm %s organization %s (connected by user %s) provider %s",
                    realm.getId(), organization.getId(), user.getId(), grant.providerAlias());
        }
        context.getContextData().remove(CONTEXT_KEY);
    }
}
