package dev.conduit.api.grant;

import java.util.Optional;
import java.util.function.Function;

import dev.conduit.api.permission.PermissionMapping;
import dev.conduit.api.permission.Vocabulary;
import org.keycloak.broker.provider.IdentityProvider;
import org.keycloak.broker.social.SocialIdentityProvider;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderFactory;

/**
 * Finds the {@link ConduitBroker} behind an identity provider: the factory registered under its provider id
 * (social brokers under {@link SocialIdentityProvider}, others under {@link IdentityProvider}), when that factory
 * is a Conduit broker. "Is this a Conduit broker" means exactly that.
 */
public final class ConduitBrokers {

    private ConduitBrokers() {
    }

    /** Empty for a missing identity provider or one whose factory is not a Conduit broker. */
    public static Optional<ConduitBroker> of(KeycloakSession session, IdentityProviderModel model) {
        var factories = session.getKeycloakSessionFactory();
        return of(model, id -> {
            ProviderFactory<?> social = factories.getProviderFactory(SocialIdentityProvider.class, id);
            return social != null ? social : factories.getProviderFactory(IdentityProvider.class, id);
        });
    }

    /** The upstream endpoints of a Conduit broker; empty as {@link #of(KeycloakSession, IdentityProviderModel)}. */
    public static Optional<UpstreamClient> client(KeycloakSession session, IdentityProviderModel model) {
        return of(session, model).map(broker -> broker.upstreamClient(model));
    }

    /**
     * The broker's words for Conduit's permissions; for an identity provider that is no (longer a) Conduit broker, the
     * type its provider id names with no seed.
     */
    public static Vocabulary vocabulary(KeycloakSession session, IdentityProviderModel model) {
        return vocabulary(of(session, model), model == null ? null : model.getProviderId());
    }

    /** The broker's words, else (no broker) the type {@code providerId} names with no seed. */
    public static Vocabulary vocabulary(Optional<ConduitBroker> broker, String providerId) {
        return broker.map(ConduitBroker::vocabulary)
                .orElseGet(() -> Vocabulary.unknown(PermissionMapping.providerType(providerId).orElse(null)));
    }

    /** The broker behind {@code model} among factories found by provider id (the lookup apart, for tests). */
    public static Optional<ConduitBroker> of(IdentityProviderModel model, Function<String, Object> factoryById) {
        if (model == null || model.getProviderId() == null) {
            return Optional.empty();
        }
        return factoryById.apply(model.getProviderId()) instanceof ConduitBroker broker ? Optional.of(broker) : Optional.empty();
    }
}
