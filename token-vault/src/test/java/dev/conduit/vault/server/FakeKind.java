package dev.conduit.vault.server;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.MintRefusal;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.NamedServerGrantKind;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.ServerInput;
import org.keycloak.models.IdentityProviderModel;

/** Test kinds: {@link #minted()} signs with a "key" (the form carries which), {@link #staticToken()} is HubSpot-like. */
final class FakeKind extends NamedServerGrantKind {

    private final boolean staticToken;

    private FakeKind(String id, boolean staticToken) {
        super(id, "a test kind");
        this.staticToken = staticToken;
    }

    static FakeKind minted() {
        return new FakeKind("test-jwt", false);
    }

    static FakeKind staticToken() {
        return new FakeKind("test-static", true);
    }

    @Override
    public ServerCredential accept(IdentityProviderModel provider, Map<String, String> input, Instant now)
            throws KeyMaterialException {
        ServerInput fields = new ServerInput(input);
        String user = fields.required("username", 64, null);
        if (staticToken) {
            return new ServerCredential(id(), Map.of("username", user), Map.of("access_token", fields.required("access_token", 64, null)),
                    Set.of("crm.read"));
        }
        String key = fields.optional("private_key", 64, null);
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("username", user);
        String fingerprint = "sha-" + Integer.toHexString((key == null ? "generated" : key).hashCode());
        shown.put("certificate", "-----BEGIN CERTIFICATE-----\ncert-" + fingerprint + "\n-----END CERTIFICATE-----\n");
        shown.put("certificate_sha256", fingerprint);
        return new ServerCredential(id(), shown, Map.of("private_key", key == null ? "generated-" + now.getEpochSecond() : key), Set.of());
    }

    @Override
    public Optional<MintRequest> mintRequest(IdentityProviderModel provider, ServerCredential credential, String subject,
            Set<String> scopes, Instant now) {
        if (staticToken) {
            return Optional.empty();
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "jwt");
        form.put("signed_with", credential.sealed("private_key"));
        if (subject != null) {
            form.put("sub", subject);
        }
        return Optional.of(new MintRequest("https://login.test/token", form, 7200));
    }

    @Override
    public Optional<String> staticToken(ServerCredential credential) {
        return staticToken ? Optional.of(credential.sealed("access_token")) : Optional.empty();
    }

    @Override
    public Optional<String> healthCheckUrl(IdentityProviderModel provider) {
        return staticToken ? Optional.of("https://api.test/health") : Optional.empty();
    }

    @Override
    public MintRefusal readRefusal(int status, String error, String description) {
        if (status == 401) {
            return MintRefusal.admin("token_refused", "the provider refused the token: give the current one");
        }
        if ("invalid_grant".equals(error) && description != null && description.contains("assertion")) {
            return MintRefusal.admin("assertion_refused", "upload this connection's certificate");
        }
        if ("invalid_grant".equals(error) && description != null && description.contains("Invalid email")) {
            return MintRefusal.subject("unknown_user", "the provider does not know this user");
        }
        if ("invalid_grant".equals(error) && description != null && description.contains("approved")) {
            return MintRefusal.admin("user_not_pre_authorized", "pre-authorize the user");
        }
        return MintRefusal.byStatus(status, error);
    }
}
