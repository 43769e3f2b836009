package dev.conduit.broker.google;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.conduit.api.support.UntrustedText;
import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.MintRefusal;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.RsaKeys;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.NamedServerGrantKind;
import dev.conduit.api.server.ServerField;
import dev.conduit.api.server.ServerInput;
import dev.conduit.api.server.ServiceAccountKey;
import dev.conduit.api.server.SignedAssertion;
import org.keycloak.models.IdentityProviderModel;

/**
 * A Google service account with domain-wide delegation: the admin uploads the account's JSON key file (its private
 * key sealed) and names the Workspace domain and the scopes its admin delegated to the account's client id. A token is
 * minted per Workspace user ({@code sub}), for those scopes only, and never for anyone outside the domain.
 */
public final class GoogleDelegation extends NamedServerGrantKind {

    public static final String ID = "google-service-account";
    static final String KEY_FILE = "service_account_key";
    static final String DOMAIN = "domain";
    static final String SCOPES = "scopes";
    static final String CLIENT_EMAIL = "client_email";
    static final String CLIENT_ID = "client_id";
    static final String PRIVATE_KEY_ID = "private_key_id";
    static final String PROJECT_ID = "project_id";
    static final String PRIVATE_KEY = "private_key";
    static final String SUBJECT_CLIENTS = "subject_clients";
    static final Pattern CLIENT_ID_CHARS = Pattern.compile("[A-Za-z0-9._:-]{1,255}");
    static final int MAX_SUBJECT_CLIENTS = 50;
    static final Pattern DOMAIN_CHARS = Pattern.compile("(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");
    static final Pattern EMAIL = Pattern.compile("[^\\s@]{1,64}@([^\\s@]{1,255})");
    /** Google takes an {@code exp} at most one hour after {@code iat}. */
    static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);

    public GoogleDelegation() {
        super(ID, "Google service account with domain-wide delegation: its JSON key, the Workspace domain, the delegated scopes",
                ServerField.secret(KEY_FILE, true, "the service account's JSON key file, as downloaded"),
                ServerField.required(DOMAIN, "the Workspace domain whose users Conduit may act as"),
                ServerField.required(SCOPES, "the scopes delegated in the Admin console, space-separated"),
                ServerField.optional(SUBJECT_CLIENTS, "client ids whose service accounts may name the Workspace user to act as"
                        + " (requested_subject), space-separated; people always act as themselves"));
    }

    @Override
    public ServerCredential accept(IdentityProviderModel provider, Map<String, String> input, Instant now)
            throws KeyMaterialException {
        ServerInput fields = new ServerInput(input);
        String file = fields.text(KEY_FILE, ServiceAccountKey.MAX_JSON_CHARS);
        if (file == null) {
            throw new KeyMaterialException(KEY_FILE + " is required (the service account's JSON key file)");
        }
        ServiceAccountKey key = ServiceAccountKey.parse(file);
        String domain = fields.required(DOMAIN, 253, null).toLowerCase(Locale.ROOT);
        if (!DOMAIN_CHARS.matcher(domain).matches()) {
            throw new KeyMaterialException(DOMAIN + " is not a domain name, like acme.example");
        }
        Set<String> scopes = fields.scopes(SCOPES);
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put(CLIENT_EMAIL, key.clientEmail());
        shown.put(CLIENT_ID, key.clientId());
        shown.put(PRIVATE_KEY_ID, key.privateKeyId());
        if (key.projectId() != null) {
            shown.put(PROJECT_ID, key.projectId());
        }
        shown.put(DOMAIN, domain);
        String subjectClients = subjectClients(fields);
        if (subjectClients != null) {
            shown.put(SUBJECT_CLIENTS, subjectClients);
        }
        return new ServerCredential(ID, shown, Map.of(PRIVATE_KEY, RsaKeys.pem(key.keys().getPrivate())), scopes);
    }

    @Override
    public boolean perSubject() {
        return true;
    }

    /** The allowed clients as given, one space between them, or null when none are. */
    private static String subjectClients(ServerInput fields) throws KeyMaterialException {
        String value = fields.optional(SUBJECT_CLIENTS, 8192, null);
        if (value == null) {
            return null;
        }
        Set<String> clients = new java.util.LinkedHashSet<>(java.util.Arrays.asList(value.split("\\s+")));
        if (clients.size() > MAX_SUBJECT_CLIENTS) {
            throw new KeyMaterialException(SUBJECT_CLIENTS + " names more than " + MAX_SUBJECT_CLIENTS + " clients");
        }
        for (String client : clients) {
            if (!CLIENT_ID_CHARS.matcher(client).matches()) {
                throw new KeyMaterialException(SUBJECT_CLIENTS + " has a client id with characters a client id here cannot have");
            }
        }
        return String.join(" ", clients);
    }

    @Override
    public Optional<String> checkNamer(ServerCredential credential, String clientId) {
        String allowed = credential.shown(SUBJECT_CLIENTS);
        if (clientId != null && allowed != null && java.util.Arrays.asList(allowed.split(" ")).contains(clientId)) {
            return Optional.empty();
        }
        return Optional.of("this connection does not let the service account of " + UntrustedText.forDisplay(clientId, 64)
                + " name the Workspace user to act as: an admin lists the client in the connection's " + SUBJECT_CLIENTS);
    }

    /**
     * Google Workspace addresses are case-insensitive ({@code Alice@Acme.example} is {@code alice@acme.example}), and
     * Keycloak keeps its users' e-mails lower-cased: the Workspace user to act as is the address in lower case.
     */
    @Override
    public String normalizedSubject(String subject) {
        return subject == null ? null : subject.toLowerCase(Locale.ROOT);
    }

    @Override
    public Optional<String> checkSubject(ServerCredential credential, String subject) {
        if (subject == null || subject.isBlank()) {
            return Optional.of("a Workspace user to act as is required");
        }
        var address = EMAIL.matcher(subject);
        if (!address.matches()) {
            return Optional.of("the user to act as is not an e-mail address");
        }
        if (!address.group(1).equalsIgnoreCase(credential.shown(DOMAIN))) {
            return Optional.of("the user to act as is outside the Workspace domain " + credential.shown(DOMAIN));
        }
        return Optional.empty();
    }

    @Override
    public Optional<MintRequest> mintRequest(IdentityProviderModel provider, ServerCredential credential, String subject,
            Set<String> scopes, Instant now) {
        Optional<String> refused = checkSubject(credential, subject);
        if (refused.isPresent()) {
            throw new IllegalArgumentException(refused.get());
        }
        Set<String> requested = scopes == null || scopes.isEmpty() ? credential.scopes() : scopes;
        if (!credential.scopes().containsAll(requested)) {
            throw new IllegalArgumentException("scopes beyond those delegated to the service account");
        }
        String tokenUrl = tokenUrl(provider);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", credential.shown(CLIENT_EMAIL));
        claims.put("sub", subject);
        claims.put("scope", String.join(" ", new java.util.TreeSet<>(requested)));
        claims.put("aud", tokenUrl);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(ASSERTION_LIFETIME).getEpochSecond());
        String assertion = SignedAssertion.rs256(claims, credential.shown(PRIVATE_KEY_ID), credential.sealedPrivateKey(PRIVATE_KEY));
        return Optional.of(new MintRequest(tokenUrl, Map.of("grant_type", SignedAssertion.JWT_BEARER_GRANT, "assertion", assertion), 3600));
    }

    @Override
    public MintRefusal readRefusal(int status, String error, String description) {
        String words = description == null ? "" : description.toLowerCase(Locale.ROOT);
        if ("unauthorized_client".equals(error)) {
            return MintRefusal.admin("delegation_refused", "Google refused the delegation: in the Workspace admin console"
                    + " (Security, API controls, Domain-wide delegation) authorize the service account's client id for"
                    + " these scopes");
        }
        if ("invalid_grant".equals(error) && (words.contains("email") || words.contains("user"))) {
            return MintRefusal.subject("unknown_user", "Google does not know this Workspace user");
        }
        if ("invalid_grant".equals(error) && (words.contains("signature") || words.contains("jwt"))) {
            return MintRefusal.admin("key_refused", "Google refused the service account key: it may be deleted or"
                    + " disabled in the Cloud console; upload a current key");
        }
        return MintRefusal.byStatus(status, error);
    }

    static String tokenUrl(IdentityProviderModel provider) {
        String configured = new GoogleIdentityProviderConfig(provider).getTokenUrl();
        return configured == null || configured.isBlank() ? GoogleIdentityProviderConfig.TOKEN_URL : configured;
    }

}
