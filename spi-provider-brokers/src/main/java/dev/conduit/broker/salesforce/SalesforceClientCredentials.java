package dev.conduit.broker.salesforce;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.MintRefusal;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.NamedServerGrantKind;
import dev.conduit.api.server.ServerField;
import dev.conduit.api.server.ServerInput;
import org.keycloak.models.IdentityProviderModel;

/**
 * Salesforce's client credentials flow: the app's consumer key and secret at the org's My Domain token endpoint,
 * acting as the app's "Run As" integration user. The generic login hosts refuse it, so they are refused here first.
 */
public final class SalesforceClientCredentials extends NamedServerGrantKind {

    public static final String ID = "salesforce-client-credentials";
    static final String CONSUMER_KEY = "consumer_key";
    static final String CONSUMER_SECRET = "consumer_secret";
    static final String MY_DOMAIN = "my_domain";
    private static final Set<String> GENERIC_HOSTS = Set.of("https://login.salesforce.com", "https://test.salesforce.com");
    private static final Pattern SECRET_CHARS = Pattern.compile("[\\x21-\\x7e]+");

    public SalesforceClientCredentials() {
        super(ID, "Salesforce client credentials: the app's consumer key and secret at the org's My Domain, a Run As user",
                ServerField.required(CONSUMER_KEY, "the app's consumer key"),
                ServerField.secret(CONSUMER_SECRET, true, "the app's consumer secret"),
                ServerField.optional(MY_DOMAIN, "the org's My Domain, https://<domain>.my.salesforce.com (default: the"
                        + " identity provider's login host, if it is one)"));
    }

    @Override
    public ServerCredential accept(IdentityProviderModel provider, Map<String, String> input, Instant now)
            throws KeyMaterialException {
        ServerInput fields = new ServerInput(input);
        String consumerKey = fields.required(CONSUMER_KEY, 256, SalesforceJwtBearer.CONSUMER_KEY_CHARS);
        String secret = fields.required(CONSUMER_SECRET, 256, SECRET_CHARS);
        String myDomain = fields.httpsOrigin(MY_DOMAIN);
        String host = myDomain != null ? myDomain : new SalesforceIdentityProviderConfig(provider).getLoginHost();
        if (GENERIC_HOSTS.contains(host.toLowerCase(Locale.ROOT))) {
            throw new KeyMaterialException(MY_DOMAIN + " is required: Salesforce mints client credentials tokens only at"
                    + " the org's My Domain (https://<domain>.my.salesforce.com), not at " + host);
        }
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put(CONSUMER_KEY, consumerKey);
        if (myDomain != null) {
            shown.put(MY_DOMAIN, myDomain);
        }
        return new ServerCredential(ID, shown, Map.of(CONSUMER_SECRET, secret), Set.of());
    }

    @Override
    public Optional<MintRequest> mintRequest(IdentityProviderModel provider, ServerCredential credential, String subject,
            Set<String> scopes, Instant now) {
        SalesforceIdentityProviderConfig config = new SalesforceIdentityProviderConfig(provider);
        String host = credential.shown(MY_DOMAIN) != null ? credential.shown(MY_DOMAIN) : config.getLoginHost();
        return Optional.of(new MintRequest(host + "/services/oauth2/token", Map.of("grant_type", "client_credentials",
                "client_id", credential.shown(CONSUMER_KEY), "client_secret", credential.sealed(CONSUMER_SECRET)),
                config.getSessionLifetimeSeconds()));
    }

    @Override
    public MintRefusal readRefusal(int status, String error, String description) {
        String words = description == null ? "" : description.toLowerCase(Locale.ROOT);
        if ("invalid_grant".equals(error) && words.contains("domain")) {
            return MintRefusal.admin("not_my_domain", "Salesforce mints client credentials tokens only at the org's My"
                    + " Domain: set my_domain to https://<domain>.my.salesforce.com");
        }
        if ("invalid_grant".equals(error) && (words.contains("user") || words.contains("run as"))) {
            return MintRefusal.admin("no_run_as_user", "the app has no Run As user for the client credentials flow:"
                    + " enable the flow in the app's policies and name an integration user");
        }
        if ("invalid_client".equals(error) || "invalid_client_id".equals(error)) {
            return MintRefusal.admin("client_refused", "Salesforce refused the consumer key or secret");
        }
        return MintRefusal.byStatus(status, error);
    }
}
