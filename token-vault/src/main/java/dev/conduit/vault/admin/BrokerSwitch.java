package dev.conduit.vault.admin;

import java.util.Map;

import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.vault.keycloak.IdentityProviderTypeChange;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.broker.oidc.OAuth2IdentityProviderConfig;
import org.keycloak.broker.provider.IdentityProvider;
import org.keycloak.broker.provider.IdentityProviderFactory;
import org.keycloak.broker.social.SocialIdentityProvider;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.ModelToRepresentation;
import org.keycloak.models.utils.RepresentationToModel;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.representations.idm.IdentityProviderRepresentation;

/**
 * Switches an OAuth 2 / OpenID Connect identity provider (Keycloak's {@code oidc}, {@code google}, any social broker) to a
 * Conduit broker of the same alias and internal id, so its federated identities (linked by alias) stay, and with them
 * the tokens Store Tokens kept, which the stored-token migration then moves into the vault. The new settings are built
 * and validated exactly as Keycloak's admin API builds a Conduit broker's ({@link RepresentationToModel#toModel}: the
 * broker factory's config class and its {@code validate}); Store Tokens is turned off.
 */
final class BrokerSwitch {

    private static final Logger LOG = Logger.getLogger(BrokerSwitch.class);

    /** A refusal: its HTTP status and what to tell the admin. */
    static final class Refused extends RuntimeException {
        private final Response.Status status;

        Refused(Response.Status status, String description) {
            super(description);
            this.status = status;
        }

        Response.Status status() {
            return status;
        }
    }

    /** What changed, for the answer and the admin event; no setting (the client secret is one). */
    record Switched(String alias, String internalId, String previousProviderId, String providerId, boolean storeToken) {
        Map<String, Object> asMap() {
            return Map.of("alias", alias, "internalId", internalId, "previousProviderId", previousProviderId,
                    "providerId", providerId, "storeToken", storeToken);
        }
    }

    private final KeycloakSession session;
    private final RealmModel realm;

    BrokerSwitch(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
    }

    Switched run(String alias, BrokerSwitchRequest request) {
        IdentityProviderModel current = alias == null ? null : session.identityProviders().getByAlias(alias);
        if (current == null) {
            throw new Refused(Response.Status.NOT_FOUND, "Identity provider not found");
        }
        if (ConduitBrokers.byProviderId(session, request.providerId()).isEmpty()) {
            throw new Refused(Response.Status.BAD_REQUEST, "providerId " + request.providerId() + " is not a Conduit broker");
        }
        if (ConduitBrokers.of(session, current).isPresent()) {
            throw new Refused(Response.Status.CONFLICT, "The identity provider is already a Conduit broker ("
                    + current.getProviderId() + "); change its settings with Keycloak's admin API");
        }
        if (!isOAuth2Based(current.getProviderId())) {
            throw new Refused(Response.Status.BAD_REQUEST, "Only an OAuth 2 or OpenID Connect broker can be switched ("
                    + current.getProviderId() + " is neither)");
        }
        IdentityProviderModel updated;
        try {
            updated = RepresentationToModel.toModel(realm, representation(current, request), session);
        } catch (IllegalArgumentException | ModelException invalid) {
            throw new Refused(Response.Status.BAD_REQUEST, invalid.getMessage() == null ? "Invalid settings" : invalid.getMessage());
        }
        updated.setInternalId(current.getInternalId());
        updated.setAlias(current.getAlias());
        updated.setOrganizationId(current.getOrganizationId());
        updated.setStoreToken(false);
        if (!IdentityProviderTypeChange.apply(session, realm, current.getProviderId(), updated)) {
            throw new Refused(Response.Status.CONFLICT, "The identity provider changed meanwhile; read it and try again");
        }
        LOG.infof("Identity provider %s of realm %s switched from %s to %s (internal id %s kept)", current.getAlias(),
                realm.getId(), current.getProviderId(), updated.getProviderId(), current.getInternalId());
        return new Switched(current.getAlias(), current.getInternalId(), current.getProviderId(), updated.getProviderId(), false);
    }

    /** The provider as the admin API shows it, with the Conduit broker's id, the request's settings and Store Tokens off. */
    private IdentityProviderRepresentation representation(IdentityProviderModel current, BrokerSwitchRequest request) {
        IdentityProviderRepresentation rep = ModelToRepresentation.toRepresentation(session, realm, current);
        rep.setProviderId(request.providerId());
        rep.setConfig(request.configOver(current.getConfig()));
        rep.setStoreToken(false);
        return rep;
    }

    /** Whether the provider's factory keeps OAuth 2 settings (Keycloak's oidc, keycloak-oidc, oauth2 and social brokers). */
    private boolean isOAuth2Based(String providerId) {
        var factories = session.getKeycloakSessionFactory();
        ProviderFactory<?> factory = factories.getProviderFactory(IdentityProvider.class, providerId);
        if (factory == null) {
            factory = factories.getProviderFactory(SocialIdentityProvider.class, providerId);
        }
        return factory instanceof IdentityProviderFactory<?> broker && broker.createConfig() instanceof OAuth2IdentityProviderConfig;
    }
}
