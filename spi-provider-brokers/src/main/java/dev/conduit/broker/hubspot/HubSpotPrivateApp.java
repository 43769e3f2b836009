package dev.conduit.broker.hubspot;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
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
 * A HubSpot private app's access token ({@code pat-<region>-...}): static, no OAuth flow, the scopes chosen for the
 * app. Sealed; served as it is; its health is a cheap authenticated call; rotated by the admin giving the new token
 * (HubSpot keeps the old one valid for a while).
 */
public final class HubSpotPrivateApp extends NamedServerGrantKind {

    public static final String ID = "hubspot-private-app";
    static final String ACCESS_TOKEN = "access_token";
    static final String SCOPES = "scopes";
    static final String REGION = "region";
    static final Pattern TOKEN = Pattern.compile("pat-([a-z0-9]{2,8})-[A-Za-z0-9-]{8,500}");

    public HubSpotPrivateApp() {
        super(ID, "HubSpot private app: its access token (pat-...) and the scopes chosen for the app",
                ServerField.secret(ACCESS_TOKEN, true, "the private app's access token (pat-<region>-...)"),
                ServerField.required(SCOPES, "the scopes chosen for the app, space-separated"));
    }

    @Override
    public ServerCredential accept(IdentityProviderModel provider, Map<String, String> input, Instant now)
            throws KeyMaterialException {
        ServerInput fields = new ServerInput(input);
        String token = fields.required(ACCESS_TOKEN, 512, null);
        Matcher shape = TOKEN.matcher(token);
        if (!shape.matches()) {
            throw new KeyMaterialException(ACCESS_TOKEN + " is not a private app token (pat-<region>-...)");
        }
        Set<String> scopes = fields.scopes(SCOPES);
        return new ServerCredential(ID, Map.of(REGION, shape.group(1)), Map.of(ACCESS_TOKEN, token), scopes);
    }

    @Override
    public Optional<MintRequest> mintRequest(IdentityProviderModel provider, ServerCredential credential, String subject,
            Set<String> scopes, Instant now) {
        return Optional.empty();
    }

    @Override
    public Optional<String> staticToken(ServerCredential credential) {
        return Optional.of(credential.sealed(ACCESS_TOKEN));
    }

    @Override
    public Optional<String> healthCheckUrl(IdentityProviderModel provider) {
        return Optional.of(new HubSpotIdentityProviderConfig(provider).getApiBaseUrl() + "/account-info/v3/details");
    }

    @Override
    public MintRefusal readRefusal(int status, String error, String description) {
        if (status == 401) {
            return MintRefusal.admin("token_refused", "HubSpot refused the private app token: it was rotated past its"
                    + " overlap or the app was deleted; give the app's current token");
        }
        if (status == 403) {
            return MintRefusal.admin("missing_scopes", "HubSpot says the private app lacks a scope this call needs:"
                    + " add it to the app and give its token again");
        }
        return MintRefusal.byStatus(status, error);
    }
}
