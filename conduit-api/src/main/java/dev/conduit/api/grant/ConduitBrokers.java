package dev.conduit.api.grant;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

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

    /**
     * An enabled identity provider whose factory is a Conduit broker, as people see it: its alias, its display name
     * (else the broker's product name) and the broker's provider type. Alias and name are admin-set text.
     */
    public record Listed(String alias, String name, String type) {
    }

    /** The enabled identity providers of the session's realm that are Conduit brokers, by alias. */
    public static List<Listed> enabled(KeycloakSession session) {
        return enabled(session.identityProviders().getAllStream(), factoryById(session));
    }

    /**
     * The enabled Conduit brokers an organization may connect through: those Keycloak links to no organization, and
     * those it links to this one.
     */
    public static List<Listed> enabledFor(KeycloakSession session, String organizationId) {
        return enabled(session.identityProviders().getAllStream().filter(model -> servesOrganization(model, organizationId)),
                factoryById(session));
    }

    /**
     * Whether this identity provider may carry a connection of that organization: it is linked to no organization
     * (a realm-wide app registration), or to exactly that one. One linked to another organization is that
     * organization's app at the provider.
     */
    public static boolean servesOrganization(IdentityProviderModel model, String organizationId) {
        String linked = model.getOrganizationId();
        return linked == null || linked.isBlank() || linked.equals(organizationId);
    }

    /** {@link #enabled(KeycloakSession)} among these identity providers and factories found by provider id. */
    public static List<Listed> enabled(Stream<IdentityProviderModel> models, Function<String, Object> factoryById) {
        return models.filter(IdentityProviderModel::isEnabled)
                .flatMap(model -> of(model, factoryById).map(broker -> listed(model, broker)).stream())
                .sorted(Comparator.comparing(Listed::alias))
                .toList();
    }

    private static Listed listed(IdentityProviderModel model, ConduitBroker broker) {
        String displayName = model.getDisplayName();
        return new Listed(model.getAlias(), displayName == null || displayName.isBlank() ? broker.productName() : displayName,
                broker.providerType());
    }

    /** Empty for a missing identity provider or one whose factory is not a Conduit broker. */
    public static Optional<ConduitBroker> of(KeycloakSession session, IdentityProviderModel model) {
        return of(model, factoryById(session));
    }

    /** The Conduit broker registered under {@code providerId}; empty for any other (or no) identity provider factory. */
    public static Optional<ConduitBroker> byProviderId(KeycloakSession session, String providerId) {
        return providerId == null ? Optional.empty()
                : factoryById(session).apply(providerId) instanceof ConduitBroker broker ? Optional.of(broker) : Optional.empty();
    }

    private static Function<String, Object> factoryById(KeycloakSession session) {
        var factories = session.getKeycloakSessionFactory();
        return id -> {
            ProviderFactory<?> social = factories.getProviderFactory(SocialIdentityProvider.class, id);
            return social != null ? social : factories.getProviderFactory(IdentityProvider.class, id);
        };
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
