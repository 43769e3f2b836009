package dev.conduit.broker.salesforce;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.MintRefusal;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.RsaKeys;
import dev.conduit.api.server.SelfSignedCertificate;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.NamedServerGrantKind;
import dev.conduit.api.server.ServerField;
import dev.conduit.api.server.ServerInput;
import dev.conduit.api.server.SignedAssertion;
import org.keycloak.models.IdentityProviderModel;

/**
 * Salesforce's OAuth 2.0 JWT bearer flow (RFC 7523): an assertion signed with the connection's private key, whose
 * certificate the admin uploads to the Connected App or External Client App ("Use digital signatures"), acting as an
 * integration user the app is pre-authorized for. Conduit generates the key pair unless the admin uploads one; the
 * private key is sealed, the certificate is shown for download.
 */
public final class SalesforceJwtBearer extends NamedServerGrantKind {

    public static final String ID = "salesforce-jwt-bearer";
    static final String CONSUMER_KEY = "consumer_key";
    static final String USERNAME = "username";
    static final String PRIVATE_KEY = "private_key";
    static final String LOGIN_HOST = "login_host";
    static final String CERTIFICATE = "certificate";
    static final String CERTIFICATE_SHA256 = "certificate_sha256";
    static final String KEY_ORIGIN = "key_origin";
    static final Pattern CONSUMER_KEY_CHARS = Pattern.compile("[A-Za-z0-9._=-]+");
    static final Pattern USERNAME_CHARS = Pattern.compile("[^\\s@]+@[^\\s@]+");
    /** Salesforce takes an {@code exp} at most 3 minutes ahead; 150 s leaves room for clock skew. */
    static final Duration ASSERTION_LIFETIME = Duration.ofSeconds(150);
    static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(2 * 365);

    public SalesforceJwtBearer() {
        super(ID, "Salesforce JWT bearer: a certificate uploaded to the app, an integration user pre-authorized for it",
                ServerField.required(CONSUMER_KEY, "the app's consumer key"),
                ServerField.required(USERNAME, "the integration user's username, pre-authorized for the app"),
                ServerField.optional(LOGIN_HOST, "https://login.salesforce.com, https://test.salesforce.com or a My"
                        + " Domain (default: the identity provider's login host)"),
                ServerField.secret(PRIVATE_KEY, false, "an RSA private key (PEM) to use; without one Conduit generates"
                        + " a key pair and shows its certificate"));
    }

    @Override
    public ServerCredential accept(IdentityProviderModel provider, Map<String, String> input, Instant now)
            throws KeyMaterialException {
        ServerInput fields = new ServerInput(input);
        String consumerKey = fields.required(CONSUMER_KEY, 256, CONSUMER_KEY_CHARS);
        String username = fields.required(USERNAME, 255, USERNAME_CHARS);
        String loginHost = fields.httpsOrigin(LOGIN_HOST);
        String uploaded = fields.text(PRIVATE_KEY, RsaKeys.MAX_PEM_CHARS);
        KeyPair keys = uploaded == null ? RsaKeys.generate() : RsaKeys.parsePrivateKey(uploaded);
        X509Certificate certificate = SelfSignedCertificate.create(keys, "Conduit " + provider.getAlias() + " " + consumerKey,
                now.minus(Duration.ofMinutes(5)), now.plus(CERTIFICATE_VALIDITY));

        Map<String, String> shown = new LinkedHashMap<>();
        shown.put(CONSUMER_KEY, consumerKey);
        shown.put(USERNAME, username);
        if (loginHost != null) {
            shown.put(LOGIN_HOST, loginHost);
        }
        shown.put(CERTIFICATE, SelfSignedCertificate.pem(certificate));
        shown.put(CERTIFICATE_SHA256, fingerprint(certificate));
        shown.put(KEY_ORIGIN, uploaded == null ? "generated" : "uploaded");
        return new ServerCredential(ID, shown, Map.of(PRIVATE_KEY, RsaKeys.pem(keys.getPrivate())), Set.of());
    }

    @Override
    public Optional<MintRequest> mintRequest(IdentityProviderModel provider, ServerCredential credential, String subject,
            Set<String> scopes, Instant now) {
        SalesforceIdentityProviderConfig config = new SalesforceIdentityProviderConfig(provider);
        String audience = credential.shown(LOGIN_HOST) != null ? credential.shown(LOGIN_HOST) : config.getLoginHost();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", credential.shown(CONSUMER_KEY));
        claims.put("sub", credential.shown(USERNAME));
        claims.put("aud", audience);
        claims.put("exp", now.plus(ASSERTION_LIFETIME).getEpochSecond());
        String assertion = SignedAssertion.rs256(claims, null, credential.sealedPrivateKey(PRIVATE_KEY));
        return Optional.of(new MintRequest(audience + "/services/oauth2/token",
                Map.of("grant_type", SignedAssertion.JWT_BEARER_GRANT, "assertion", assertion), config.getSessionLifetimeSeconds()));
    }

    @Override
    public MintRefusal readRefusal(int status, String error, String description) {
        String words = description == null ? "" : description.toLowerCase(java.util.Locale.ROOT);
        if ("invalid_grant".equals(error) && (words.contains("approved") || words.contains("approve"))) {
            return MintRefusal.admin("user_not_pre_authorized", "Salesforce says the integration user has not approved"
                    + " this app: set the app's Permitted Users to \"Admin approved users are pre-authorized\" and add"
                    + " the user's profile or a permission set");
        }
        if ("invalid_grant".equals(error) && (words.contains("assertion") || words.contains("signature")
                || words.contains("certificate") || words.contains("audience"))) {
            return MintRefusal.admin("assertion_refused", "Salesforce refused the signed assertion: upload this"
                    + " connection's certificate to the app (Use digital signatures) and check the login host");
        }
        if ("invalid_grant".equals(error) && words.contains("user")) {
            return MintRefusal.admin("integration_user_refused", "Salesforce refused the integration user: check the"
                    + " username and that the user is active");
        }
        if ("invalid_client_id".equals(error) || "invalid_client".equals(error)) {
            return MintRefusal.admin("unknown_consumer_key", "Salesforce does not know this consumer key at this login host");
        }
        return MintRefusal.byStatus(status, error);
    }


    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("could not fingerprint a certificate Java made", e);
        }
    }
}
