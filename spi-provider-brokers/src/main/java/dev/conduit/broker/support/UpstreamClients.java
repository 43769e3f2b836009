package dev.conduit.broker.support;

import java.util.Optional;

import dev.conduit.broker.google.GoogleIdentityProviderConfig;
import dev.conduit.broker.google.GoogleIdentityProviderFactory;
import dev.conduit.broker.grant.UpstreamClient;
import dev.conduit.broker.grant.UpstreamClient.Revocation;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderConfig;
import dev.conduit.broker.hubspot.HubSpotIdentityProviderFactory;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderConfig;
import dev.conduit.broker.salesforce.SalesforceIdentityProviderFactory;
import org.keycloak.models.IdentityProviderModel;

/** The refresh and revocation endpoints of a Conduit broker, derived from its settings the way its login derives them. */
public final class UpstreamClients {

    private UpstreamClients() {
    }

    /** Empty for identity providers that are not Conduit brokers. */
    public static Optional<UpstreamClient> of(IdentityProviderModel model) {
        if (model == null || model.getProviderId() == null) {
            return Optional.empty();
        }
        return switch (model.getProviderId()) {
            case SalesforceIdentityProviderFactory.PROVIDER_ID -> {
                var config = new SalesforceIdentityProviderConfig(model);
                yield Optional.of(new UpstreamClient(model.getProviderId(), model.getAlias(),
                        config.getLoginHost() + "/services/oauth2/token", config.getClientId(), config.getClientSecret(),
                        isBasic(config.getClientAuthMethod()), Revocation.POST_FORM, config.getRevocationUrl(),
                        config.getSessionLifetimeSeconds()));
            }
            case HubSpotIdentityProviderFactory.PROVIDER_ID -> {
                var config = new HubSpotIdentityProviderConfig(model);
                yield Optional.of(new UpstreamClient(model.getProviderId(), model.getAlias(),
                        config.getApiBaseUrl() + config.getTokenPath(), config.getClientId(), config.getClientSecret(),
                        false, Revocation.DELETE_PATH, config.getRefreshTokenRevocationUrl(), 1800));
            }
            case GoogleIdentityProviderFactory.PROVIDER_ID -> {
                var config = new GoogleIdentityProviderConfig(model);
                String tokenUrl = blankTo(config.getTokenUrl(), GoogleIdentityProviderConfig.TOKEN_URL);
                yield Optional.of(new UpstreamClient(model.getProviderId(), model.getAlias(), tokenUrl,
                        config.getClientId(), config.getClientSecret(), isBasic(config.getClientAuthMethod()),
                        Revocation.POST_FORM_WHOLE_GRANT, config.getRevocationUrl(), 3600));
            }
            default -> Optional.empty();
        };
    }

    private static boolean isBasic(String clientAuthMethod) {
        return "client_secret_basic".equals(clientAuthMethod);
    }

    private static String blankTo(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
