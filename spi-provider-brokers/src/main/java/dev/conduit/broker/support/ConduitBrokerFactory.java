package dev.conduit.broker.support;

import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.conduit.api.grant.ConduitBroker;
import org.keycloak.broker.provider.AbstractIdentityProviderFactory;
import org.keycloak.broker.social.SocialIdentityProvider;
import org.keycloak.broker.social.SocialIdentityProviderFactory;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;

/**
 * The registration every Conduit broker shares: its id, name and help text, how its config is read from a stored
 * identity provider and how a new one starts. A broker's factory adds its settings ({@code getConfigProperties})
 * and what it declares to the vault and the exchange ({@link ConduitBroker}).
 */
public abstract class ConduitBrokerFactory<P extends SocialIdentityProvider<?>, C extends IdentityProviderModel>
        extends AbstractIdentityProviderFactory<P> implements SocialIdentityProviderFactory<P>, ConduitBroker {

    private final String id;
    private final String name;
    private final String helpText;
    private final BiFunction<KeycloakSession, C, P> broker;
    private final Function<IdentityProviderModel, C> storedConfig;
    private final Supplier<C> newConfig;

    protected ConduitBrokerFactory(String id, String name, String helpText, BiFunction<KeycloakSession, C, P> broker,
            Function<IdentityProviderModel, C> storedConfig, Supplier<C> newConfig) {
        this.id = id;
        this.name = name;
        this.helpText = helpText;
        this.broker = broker;
        this.storedConfig = storedConfig;
        this.newConfig = newConfig;
    }

    @Override
    public final String getId() {
        return id;
    }

    @Override
    public final String getName() {
        return name;
    }

    @Override
    public final String getHelpText() {
        return helpText;
    }

    @Override
    public final P create(KeycloakSession session, IdentityProviderModel model) {
        return broker.apply(session, storedConfig.apply(model));
    }

    @Override
    public final C createConfig() {
        return newConfig.get();
    }
}
