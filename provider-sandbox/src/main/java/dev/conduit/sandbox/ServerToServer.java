package dev.conduit.sandbox;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The server-to-server grants of shared/providers.md, with no user at the browser: Salesforce's JWT bearer flow
 * (RFC 7523) and client credentials, Google's service accounts with domain-wide delegation, HubSpot's private apps.
 * Reached through {@link SandboxEngine#serverToServer()}; the token endpoints are the providers' usual ones.
 *
 * <h2>Hosts</h2>
 * The sandbox serves every Salesforce host on one port, told apart by a path prefix under {@code /salesforce}:
 * {@link #salesforceLoginUrl()} ({@code login.salesforce.com}), {@link #salesforceTestLoginUrl()}
 * ({@code .../salesforce/test}, {@code test.salesforce.com}) and each My Domain from
 * {@link #registerSalesforceMyDomain(String)} ({@code .../salesforce/my/{domain}}). The token endpoint of a host is
 * its URL + {@code /services/oauth2/token}, and a JWT's {@code aud} must be the URL of the host it is posted to.
 * All tokens name the one instance, {@link SandboxEngine#instanceUrl()}.
 *
 * <h2>Registration (tests and the demo)</h2>
 * <ul>
 * <li>{@link #registerSalesforceJwtApp(String, String, Set, Set)}: consumer key, uploaded certificate (PEM), the
 *     app's OAuth scopes, the pre-authorized usernames (profiles and permission sets modelled as usernames);
 *     {@link #addSalesforceCertificate}, {@link #removeSalesforceCertificate}, {@link #preAuthorizeSalesforceUser},
 *     {@link #revokeSalesforcePreAuthorization} change it later.</li>
 * <li>{@link #registerSalesforceClientCredentialsApp(String, String, String, Set)}: consumer key and secret, the
 *     run-as username, the scopes. The same consumer key may have both flows.</li>
 * <li>{@link #registerGoogleServiceAccount(String, String, String, Set)}: generates the key, returns the
 *     {@link GoogleServiceAccount} (with its JSON key file); the Workspace domain's users are the sandbox's Google
 *     {@link Accounts} whose hosted domain it is; {@link #delegateGoogleScopes} changes the delegation,
 *     {@link #addGoogleServiceAccountKey} / {@link #deleteGoogleServiceAccountKey} rotate keys.</li>
 * <li>{@link #createHubSpotPrivateApp(String, Set)}: a static {@code pat-na1-...} token for a portal;
 *     {@link #rotateHubSpotPrivateAppToken(String, Duration)} and {@link #expireHubSpotPrivateAppToken(String)}.
 *     Health: {@code GET /account-info/v3/details} (no scope needed, answers the token's {@code portalId}, so it
 *     also proves the token is the expected portal's), or {@code GET /crm/v3/objects/contacts?limit=1} (200, or 403
 *     MISSING_SCOPES for an app without the contacts scope); 401 INVALID_AUTHENTICATION when the token is dead.</li>
 * </ul>
 * Every answered mint is counted in {@link SandboxEngine#mints(Provider, String)}; every received request in
 * {@link SandboxEngine#tokenCalls(Provider, String)}; faults injected on {@link Endpoint#TOKEN} apply to these grants.
 */
public final class ServerToServer {

    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final String CLIENT_CREDENTIALS = "client_credentials";
    static final String TOKEN_PATH = "/services/oauth2/token";
    /** Salesforce: exp at most 3 minutes ahead; this much more is tolerated for the signer's clock. */
    static final long CLOCK_SKEW_SECONDS = 10;
    static final long SALESFORCE_MAX_EXP_SECONDS = 180;
    static final long GOOGLE_MAX_LIFETIME_SECONDS = 3600;
    static final long GOOGLE_TOKEN_SECONDS = 3599;

    // Salesforce's words. providers.md gives "user hasn't approved this consumer"; the others are unverified.
    static final String SF_NOT_APPROVED = "user hasn't approved this consumer";
    static final String SF_INVALID_ASSERTION = "invalid assertion"; // unverified wording (providers.md)
    static final String SF_BAD_AUDIENCE = "audience is invalid"; // unverified wording
    static final String SF_EXPIRED = "expired authorization code"; // unverified wording for a past exp
    static final String SF_UNKNOWN_CLIENT = "client identifier invalid"; // with invalid_client_id, unverified
    static final String SF_BAD_SECRET = "invalid client credentials"; // with invalid_client, unverified
    static final String SF_NOT_ON_THIS_DOMAIN = "request not supported on this domain"; // unverified wording
    static final String SF_NO_CC_USER = "no client credentials user enabled"; // unverified wording
    // Google's words: the unauthorized_client description is from providers.md, the others unverified.
    static final String G_UNAUTHORIZED = "Client is unauthorized to retrieve access tokens using this method, or "
            + "client not authorized for any of the scopes requested.";
    static final String G_BAD_SIGNATURE = "Invalid JWT Signature.";
    static final String G_UNKNOWN_ACCOUNT = "Invalid grant: account not found";
    static final String G_BAD_AUDIENCE = "Invalid JWT: Failed audience check.";
    static final String G_BAD_TIMES = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
            + "reasonable timeframe. Check your iat and exp values in the JWT claim.";
    static final String G_UNKNOWN_USER = "Invalid email or User ID";
    static final String G_NO_SCOPE = "Empty or missing scope not allowed.";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A Salesforce Connected App / External Client App with its server-to-server settings. */
    private static final class SalesforceApp {
        final String consumerKey;
        final List<PublicKey> certificates = new CopyOnWriteArrayList<>();
        final Map<String, PublicKey> certificatesByPem = new ConcurrentHashMap<>();
        final Set<String> preAuthorized = ConcurrentHashMap.newKeySet();
        volatile Set<String> scopes = Set.of("api");
        volatile String consumerSecret;
        volatile Account runAs;

        SalesforceApp(String consumerKey) {
            this.consumerKey = consumerKey;
        }
    }

    /** A Google service account: its keys by private_key_id, its Workspace domain and delegated scopes. */
    private static final class ServiceAccount {
        final String projectId;
        final String clientEmail;
        final String clientId;
        final String domain;
        final Map<String, GoogleServiceAccount> keys = new ConcurrentHashMap<>();
        volatile Set<String> delegated;

        ServiceAccount(String projectId, String clientEmail, String clientId, String domain, Set<String> delegated) {
            this.projectId = projectId;
            this.clientEmail = clientEmail;
            this.clientId = clientId;
            this.domain = domain;
            this.delegated = delegated;
        }
    }

    private final SandboxEngine engine;
    private final Map<String, SalesforceApp> salesforceApps = new ConcurrentHashMap<>();
    private final Set<String> myDomains = ConcurrentHashMap.newKeySet();
    private final Map<String, ServiceAccount> serviceAccounts = new ConcurrentHashMap<>();
    /** HubSpot private-app token → the app's current token (itself while current). */
    private final Map<String, String> privateAppTokens = new ConcurrentHashMap<>();

    ServerToServer(SandboxEngine engine) {
        this.engine = engine;
    }

    // ---- Salesforce registration -----------------------------------------------------------------

    /** {@code login.salesforce.com}: the JWT bearer flow works here, client credentials do not. */
    public String salesforceLoginUrl() {
        return engine.baseUrl() + "/salesforce";
    }

    /** {@code test.salesforce.com}: a generic login host like the production one. */
    public String salesforceTestLoginUrl() {
        return engine.baseUrl() + "/salesforce/test";
    }

    /** Registers a My Domain ({@code https://{domain}.my.salesforce.com}) and returns its URL in the sandbox. */
    public String registerSalesforceMyDomain(String domain) {
        if (domain == null || !domain.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("a My Domain name is lower-case letters, digits and '-'");
        }
        myDomains.add(domain);
        return salesforceLoginUrl() + "/my/" + domain;
    }

    /**
     * Registers (or extends) the app {@code consumerKey} for the JWT bearer flow: {@code certificatePem} is the
     * uploaded certificate, {@code scopes} the app's OAuth scopes (null: {@code api}), {@code preAuthorizedUsernames}
     * the users whose profile or permission set pre-authorizes the app (each a sandbox Salesforce account's username).
     */
    public void registerSalesforceJwtApp(String consumerKey, String certificatePem, Set<String> scopes,
            Set<String> preAuthorizedUsernames) {
        SalesforceApp app = salesforceApp(consumerKey, scopes);
        addSalesforceCertificate(consumerKey, certificatePem);
        for (String username : preAuthorizedUsernames == null ? Set.<String>of() : preAuthorizedUsernames) {
            preAuthorizeSalesforceUser(app.consumerKey, username);
        }
    }

    /** Adds a certificate to the app: assertions signed by its key are accepted, beside the others (rotation). */
    public void addSalesforceCertificate(String consumerKey, String certificatePem) {
        SalesforceApp app = requireSalesforceApp(consumerKey);
        X509Certificate certificate = SandboxKeys.parseCertificate(certificatePem);
        PublicKey key = certificate.getPublicKey();
        if (app.certificatesByPem.putIfAbsent(normalizedPem(certificatePem), key) == null) {
            app.certificates.add(key);
        }
    }

    /** Removes an uploaded certificate: assertions signed by its key are refused from now on. */
    public void removeSalesforceCertificate(String consumerKey, String certificatePem) {
        SalesforceApp app = requireSalesforceApp(consumerKey);
        PublicKey key = app.certificatesByPem.remove(normalizedPem(certificatePem));
        if (key != null) {
            app.certificates.remove(key);
        }
    }

    public void preAuthorizeSalesforceUser(String consumerKey, String username) {
        requireSalesforceApp(consumerKey).preAuthorized.add(requireSalesforceUser(username).username());
    }

    public void revokeSalesforcePreAuthorization(String consumerKey, String username) {
        requireSalesforceApp(consumerKey).preAuthorized.remove(requireSalesforceUser(username).username());
    }

    /**
     * Registers (or extends) the app {@code consumerKey} for the client credentials flow: its consumer secret and the
     * run-as user (a sandbox Salesforce account's username) whose tokens the flow issues.
     */
    public void registerSalesforceClientCredentialsApp(String consumerKey, String consumerSecret, String runAsUsername,
            Set<String> scopes) {
        if (consumerSecret == null || consumerSecret.isEmpty()) {
            throw new IllegalArgumentException("a consumer secret is required");
        }
        SalesforceApp app = salesforceApp(consumerKey, scopes);
        app.runAs = requireSalesforceUser(runAsUsername);
        app.consumerSecret = consumerSecret;
    }

    private SalesforceApp salesforceApp(String consumerKey, Set<String> scopes) {
        if (consumerKey == null || consumerKey.isEmpty()) {
            throw new IllegalArgumentException("a consumer key is required");
        }
        SalesforceApp app = salesforceApps.computeIfAbsent(consumerKey, SalesforceApp::new);
        if (scopes != null) {
            app.scopes = Set.copyOf(new LinkedHashSet<>(scopes));
        }
        return app;
    }

    private SalesforceApp requireSalesforceApp(String consumerKey) {
        SalesforceApp app = consumerKey == null ? null : salesforceApps.get(consumerKey);
        if (app == null) {
            throw new IllegalArgumentException("unknown Salesforce consumer key: " + consumerKey);
        }
        return app;
    }

    private static Account requireSalesforceUser(String username) {
        Account account = salesforceUser(username);
        if (account == null) {
            throw new IllegalArgumentException("no Salesforce account with the username " + username);
        }
        return account;
    }

    private static Account salesforceUser(String username) {
        return username == null ? null : Accounts.of(Provider.SALESFORCE).stream()
                .filter(a -> a.username().equalsIgnoreCase(username)).findFirst().orElse(null);
    }

    private static String normalizedPem(String pem) {
        return pem == null ? "" : pem.replaceAll("\\s", "");
    }

    // ---- Google registration ------------------------------------------------------------------------

    /** {@code https://oauth2.googleapis.com/token} in the sandbox: the {@code aud} an assertion must name. */
    public String googleTokenUrl() {
        return engine.baseUrl() + "/google/token";
    }

    /**
     * Creates a service account {@code name@projectId.iam.gserviceaccount.com} with a new RSA key, delegated by the
     * Workspace admin of {@code workspaceDomain} for {@code delegatedScopes}; returns its key (JSON key file included).
     */
    public GoogleServiceAccount registerGoogleServiceAccount(String projectId, String name, String workspaceDomain,
            Set<String> delegatedScopes) {
        if (projectId == null || name == null || workspaceDomain == null) {
            throw new IllegalArgumentException("project id, account name and Workspace domain are required");
        }
        String clientEmail = name + "@" + projectId + ".iam.gserviceaccount.com";
        String clientId = "1" + new BigInteger(64, RANDOM).toString().concat("00000000000000000000").substring(0, 20);
        ServiceAccount account = new ServiceAccount(projectId, clientEmail, clientId,
                workspaceDomain.toLowerCase(Locale.ROOT), Set.copyOf(delegatedScopes == null ? Set.of() : delegatedScopes));
        if (serviceAccounts.putIfAbsent(clientEmail, account) != null) {
            throw new IllegalArgumentException("service account exists: " + clientEmail);
        }
        return addGoogleServiceAccountKey(clientEmail);
    }

    /** A new key for the service account; its other keys stay valid (rotation with an overlap). */
    public GoogleServiceAccount addGoogleServiceAccountKey(String clientEmail) {
        ServiceAccount account = requireServiceAccount(clientEmail);
        byte[] id = new byte[20];
        RANDOM.nextBytes(id);
        GoogleServiceAccount key = new GoogleServiceAccount(account.projectId, account.clientEmail, account.clientId,
                HexFormat.of().formatHex(id), SandboxKeys.rsaKeyPair(), googleTokenUrl());
        account.keys.put(key.privateKeyId(), key);
        return key;
    }

    /** Deletes a key: assertions with its {@code kid} are refused from now on. */
    public void deleteGoogleServiceAccountKey(String clientEmail, String privateKeyId) {
        requireServiceAccount(clientEmail).keys.remove(privateKeyId);
    }

    /** Replaces the scopes the Workspace admin delegated to the service account (Admin console, API controls). */
    public void delegateGoogleScopes(String clientEmail, Set<String> scopes) {
        requireServiceAccount(clientEmail).delegated = Set.copyOf(scopes);
    }

    private ServiceAccount requireServiceAccount(String clientEmail) {
        ServiceAccount account = clientEmail == null ? null : serviceAccounts.get(clientEmail);
        if (account == null) {
            throw new IllegalArgumentException("unknown service account: " + clientEmail);
        }
        return account;
    }

    // ---- HubSpot private apps -------------------------------------------------------------------------

    /** A private app in portal {@code portalId} with these scopes: returns its static access token. */
    public String createHubSpotPrivateApp(String portalId, Set<String> scopes) {
        if (portalId == null || !portalId.matches("\\d{1,12}")) {
            throw new IllegalArgumentException("a HubSpot portal id is a number");
        }
        Account portal = new Account(Provider.HUBSPOT, portalId, portalId, null, "Private app", null, null);
        String token = newPrivateAppToken();
        engine.issue(Provider.HUBSPOT, "private-app", portal, Set.copyOf(scopes), Long.MAX_VALUE, token);
        privateAppTokens.put(token, token);
        return token;
    }

    /**
     * The portal admin rotates the app's token: returns the new one; the old one keeps working for {@code overlap}
     * (zero: it stops at once), then 401 INVALID_AUTHENTICATION.
     */
    public String rotateHubSpotPrivateAppToken(String currentToken, Duration overlap) {
        String current = currentToken == null ? null : privateAppTokens.get(currentToken);
        if (current == null || !current.equals(currentToken)) {
            throw new IllegalArgumentException("not the current token of a private app");
        }
        Grants.AccessToken old = engine.accessToken(currentToken);
        String next = newPrivateAppToken();
        engine.issue(Provider.HUBSPOT, "private-app", old.account(), old.scopes(), Long.MAX_VALUE, next);
        privateAppTokens.put(next, next);
        privateAppTokens.put(currentToken, next);
        engine.expireAt(currentToken, engine.now() + Math.max(0, overlap.toSeconds()));
        return next;
    }

    /** Ends an old (rotated) token's overlap now, as the admin's "expire now" does. */
    public void expireHubSpotPrivateAppToken(String token) {
        if (token == null || !privateAppTokens.containsKey(token)) {
            throw new IllegalArgumentException("not a private app token");
        }
        engine.expireAt(token, engine.now());
    }

    boolean isPrivateAppToken(String token) {
        return token != null && privateAppTokens.containsKey(token);
    }

    private static String newPrivateAppToken() {
        return "pat-na1-" + UUID.randomUUID();
    }

    // ---- the token endpoint ------------------------------------------------------------------------------

    /** Answers a server-to-server grant, or null if the request is not one (the engine handles it then). */
    Reply token(Provider provider, String path, Map<String, String> p, Map<String, String> headers) {
        String grantType = p.getOrDefault("grant_type", "");
        if (provider == Provider.SALESFORCE && JWT_BEARER.equals(grantType)) {
            return salesforceJwt(path, p.get("assertion"));
        }
        if (provider == Provider.SALESFORCE && CLIENT_CREDENTIALS.equals(grantType)) {
            return salesforceClientCredentials(path, p, headers);
        }
        if (provider == Provider.GOOGLE && JWT_BEARER.equals(grantType)) {
            return googleServiceAccount(p.get("assertion"));
        }
        return null;
    }

    /** The host prefix ("" login, "/test", "/my/{domain}") of a Salesforce token request, or null for no host. */
    private String salesforceHost(String path) {
        if (!path.endsWith(TOKEN_PATH)) {
            return null;
        }
        String prefix = path.substring(0, path.length() - TOKEN_PATH.length());
        if (prefix.isEmpty() || prefix.equals("/test")) {
            return prefix;
        }
        return prefix.startsWith("/my/") && myDomains.contains(prefix.substring(4)) ? prefix : null;
    }

    private Reply salesforceJwt(String path, String assertionValue) {
        String host = salesforceHost(path);
        if (host == null) {
            return Reply.json(404, "{\"error\":\"not_found\"}");
        }
        Assertion assertion = Assertion.parse(assertionValue);
        if (assertion == null) {
            return sfError(400, "invalid_grant", SF_INVALID_ASSERTION);
        }
        String iss = assertion.string("iss");
        SalesforceApp app = iss == null ? null : salesforceApps.get(iss);
        if (app == null) {
            return sfError(400, "invalid_client_id", SF_UNKNOWN_CLIENT);
        }
        if (app.certificates.stream().noneMatch(assertion::signedBy)) {
            return sfError(400, "invalid_grant", SF_INVALID_ASSERTION);
        }
        if (!(salesforceLoginUrl() + host).equals(assertion.string("aud"))) {
            return sfError(400, "invalid_grant", SF_BAD_AUDIENCE);
        }
        Long exp = assertion.seconds("exp");
        long now = engine.now();
        if (exp == null || exp > now + SALESFORCE_MAX_EXP_SECONDS + CLOCK_SKEW_SECONDS) {
            return sfError(400, "invalid_grant", SF_INVALID_ASSERTION);
        }
        if (exp <= now) {
            return sfError(400, "invalid_grant", SF_EXPIRED);
        }
        Account user = salesforceUser(assertion.string("sub"));
        if (user == null || !app.preAuthorized.contains(user.username())) {
            // an unknown username gets the same answer as one not pre-authorized (unverified)
            return sfError(400, "invalid_grant", SF_NOT_APPROVED);
        }
        return salesforceToken(JWT_BEARER, app, user, null);
    }

    private Reply salesforceClientCredentials(String path, Map<String, String> p, Map<String, String> headers) {
        String host = salesforceHost(path);
        if (host == null) {
            return Reply.json(404, "{\"error\":\"not_found\"}");
        }
        if (!host.startsWith("/my/")) {
            return sfError(400, "invalid_grant", SF_NOT_ON_THIS_DOMAIN);
        }
        String[] credentials = SandboxEngine.clientCredentials(p, headers);
        if (credentials == null) {
            return sfError(400, "invalid_client", SF_BAD_SECRET);
        }
        SalesforceApp app = credentials[0] == null ? null : salesforceApps.get(credentials[0]);
        if (app == null) {
            return sfError(400, "invalid_client_id", SF_UNKNOWN_CLIENT);
        }
        String secret = app.consumerSecret;
        if (secret == null || app.runAs == null) {
            return sfError(400, "invalid_grant", SF_NO_CC_USER);
        }
        if (credentials[1] == null || !MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                credentials[1].getBytes(StandardCharsets.UTF_8))) {
            return sfError(400, "invalid_client", SF_BAD_SECRET);
        }
        return salesforceToken(CLIENT_CREDENTIALS, app, app.runAs, secret);
    }

    /** JWT bearer: access_token, scope, instance_url, id, token_type; client credentials adds signature, issued_at. */
    private Reply salesforceToken(String grantType, SalesforceApp app, Account user, String secret) {
        Grants.AccessToken access = engine.issue(Provider.SALESFORCE, app.consumerKey, user, app.scopes,
                engine.salesforceSessionSeconds(), null);
        engine.countMint(Provider.SALESFORCE, grantType);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access.value());
        String id = engine.identityUrl(user);
        if (secret != null) {
            // unverified: the client credentials answer is taken to carry the usual signature and issued_at
            String issuedAt = String.valueOf(access.issuedAt() * 1000);
            body.put("signature", SandboxEngine.hmac(secret, id + issuedAt));
            body.put("issued_at", issuedAt);
        }
        body.put("scope", String.join(" ", app.scopes));
        body.put("instance_url", engine.instanceUrl());
        body.put("id", id);
        body.put("token_type", "Bearer");
        return Reply.json(200, engine.write(body));
    }

    private Reply sfError(int status, String error, String description) {
        return engine.oauthError(Provider.SALESFORCE, status, error, description);
    }

    private Reply googleServiceAccount(String assertionValue) {
        Assertion assertion = Assertion.parse(assertionValue);
        if (assertion == null) {
            return gError(400, "invalid_grant", G_BAD_SIGNATURE);
        }
        String iss = assertion.string("iss");
        ServiceAccount account = iss == null ? null : serviceAccounts.get(iss);
        if (account == null) {
            return gError(400, "invalid_grant", G_UNKNOWN_ACCOUNT);
        }
        String kid = assertion.headerString("kid");
        GoogleServiceAccount key = kid == null ? null : account.keys.get(kid);
        if (key == null || !assertion.signedBy(key.keyPair().getPublic())) {
            return gError(400, "invalid_grant", G_BAD_SIGNATURE);
        }
        if (!googleTokenUrl().equals(assertion.string("aud"))) {
            return gError(400, "invalid_grant", G_BAD_AUDIENCE);
        }
        Long iat = assertion.seconds("iat");
        Long exp = assertion.seconds("exp");
        long now = engine.now();
        if (iat == null || exp == null || exp <= iat || exp - iat > GOOGLE_MAX_LIFETIME_SECONDS || exp <= now
                || iat > now + CLOCK_SKEW_SECONDS) {
            return gError(400, "invalid_grant", G_BAD_TIMES);
        }
        Set<String> scopes = SandboxEngine.scopes(assertion.string("scope"));
        if (scopes.isEmpty()) {
            return gError(400, "invalid_scope", G_NO_SCOPE);
        }
        String sub = assertion.string("sub");
        Account user;
        if (sub == null) {
            // no delegation: a token for the service account itself (it has no calendar in the sandbox)
            user = new Account(Provider.GOOGLE, account.clientId, account.projectId, account.clientEmail,
                    account.clientEmail, null, null);
        } else {
            int at = sub.lastIndexOf('@');
            String domain = at < 0 ? "" : sub.substring(at + 1).toLowerCase(Locale.ROOT);
            if (!domain.equals(account.domain) || !account.delegated.containsAll(scopes)) {
                // unverified: Google's status for unauthorized_client taken as 401
                return gError(401, "unauthorized_client", G_UNAUTHORIZED);
            }
            user = Accounts.of(Provider.GOOGLE).stream().filter(a -> a.email().equalsIgnoreCase(sub)
                    && account.domain.equalsIgnoreCase(a.hostedDomain())).findFirst().orElse(null);
            if (user == null) {
                return gError(400, "invalid_grant", G_UNKNOWN_USER);
            }
        }
        Grants.AccessToken access = engine.issue(Provider.GOOGLE, account.clientId, user, scopes,
                GOOGLE_TOKEN_SECONDS, null);
        engine.countMint(Provider.GOOGLE, JWT_BEARER);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access.value());
        body.put("expires_in", GOOGLE_TOKEN_SECONDS);
        body.put("token_type", "Bearer");
        return Reply.json(200, engine.write(body));
    }

    private Reply gError(int status, String error, String description) {
        return engine.oauthError(Provider.GOOGLE, status, error, description);
    }
}
