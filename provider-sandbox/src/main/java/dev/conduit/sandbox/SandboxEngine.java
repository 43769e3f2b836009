package dev.conduit.sandbox;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The behaviour of the three providers' OAuth endpoints, independent of HTTP: consent, single-use codes,
 * PKCE, exact redirect URIs, expiring access tokens, rotation, revocation. Faithful to shared/providers.md.
 */
public final class SandboxEngine {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> HUBSPOT_PORTAL_SCOPES = Set.of("oauth", "crm.objects.contacts.read",
            "crm.objects.contacts.write", "crm.objects.deals.read", "crm.objects.deals.write",
            "crm.objects.companies.read", "crm.objects.owners.read");

    private final ObjectMapper json = new ObjectMapper();
    private final JwtSigner signer = new JwtSigner();
    private final Map<String, SandboxClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Grants.Code> codes = new ConcurrentHashMap<>();
    private final Map<String, List<String>> tokensFromCode = new ConcurrentHashMap<>();
    private final Set<String> usedCodes = ConcurrentHashMap.newKeySet();
    private final Map<String, Grants.AccessToken> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Grants.Chain> refreshTokens = new ConcurrentHashMap<>();
    private final Set<String> endedSessions = ConcurrentHashMap.newKeySet();
    private final Map<String, Grants.Consent> googleConsents = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<Provider, List<String>> revocationHints = new ConcurrentHashMap<>();
    private final AtomicLong clockOffsetSeconds = new AtomicLong();
    private final Clock clock;
    private final Map<Provider, Boolean> rotation = new EnumMap<>(Map.of(
            Provider.SALESFORCE, true, Provider.HUBSPOT, false, Provider.GOOGLE, false));
    private volatile String baseUrl = "http://localhost";
    private volatile String nextGoogleIdTokenIssuer;
    private volatile long salesforceSessionSeconds = 7200;
    private final ServerToServer serverToServer = new ServerToServer(this);

    public SandboxEngine(Clock clock) {
        this.clock = clock;
    }

    // ---- configuration -------------------------------------------------------------------------

    void baseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String baseUrl() {
        return baseUrl;
    }

    /** The server-to-server grants: Salesforce JWT bearer and client credentials, Google service accounts, HubSpot private apps. */
    public ServerToServer serverToServer() {
        return serverToServer;
    }

    public void register(SandboxClient client) {
        clients.put(client.provider() + " " + client.clientId(), client);
    }

    public void rotateRefreshTokens(Provider provider, boolean rotate) {
        rotation.put(provider, rotate);
    }

    public void salesforceSessionSeconds(long seconds) {
        this.salesforceSessionSeconds = seconds;
    }

    long salesforceSessionSeconds() {
        return salesforceSessionSeconds;
    }

    /** The next Google id token names this issuer instead of the sandbox's own (mix-up and forgery tests). */
    public void nextGoogleIdTokenIssuer(String issuer) {
        this.nextGoogleIdTokenIssuer = issuer;
    }

    /** Moves the sandbox's clock forward, so access tokens expire without waiting. */
    public void advanceClock(Duration duration) {
        clockOffsetSeconds.addAndGet(duration.toSeconds());
    }

    public void injectFault(Provider provider, Endpoint endpoint, Fault fault, int times) {
        Deque<Fault> queue = faults.computeIfAbsent(provider + " " + endpoint, k -> new ArrayDeque<>());
        synchronized (queue) {
            for (int i = 0; i < times; i++) {
                queue.add(fault);
            }
        }
    }

    public void clearFaults() {
        faults.clear();
    }

    Fault takeFault(Provider provider, Endpoint endpoint) {
        Deque<Fault> queue = faults.get(provider + " " + endpoint);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            return queue.poll();
        }
    }

    // ---- counting ------------------------------------------------------------------------------

    public int calls(Provider provider, Endpoint endpoint) {
        return counter(provider + " " + endpoint).get();
    }

    /** Token-endpoint calls with this grant type ("authorization_code", "refresh_token"). */
    public int tokenCalls(Provider provider, String grantType) {
        return counter(provider + " TOKEN " + grantType).get();
    }

    /**
     * Tokens issued (answered 200, not refused, not faulted) with this grant type since the last reset: for the
     * server-to-server grants ({@code urn:ietf:params:oauth:grant-type:jwt-bearer}, {@code client_credentials}).
     */
    public int mints(Provider provider, String grantType) {
        return counter(provider + " MINT " + grantType).get();
    }

    void countMint(Provider provider, String grantType) {
        counter(provider + " MINT " + grantType).incrementAndGet();
    }

    /** Authorization requests whose prompt contained "consent". */
    public int consentPrompts(Provider provider) {
        return counter(provider + " AUTHORIZE prompt=consent").get();
    }

    /** Counts a request as received, whether it is then answered or failed by an injected fault. */
    void countReceived(Provider provider, Endpoint endpoint, String grantType) {
        counter(provider + " " + endpoint).incrementAndGet();
        if (endpoint == Endpoint.TOKEN) {
            counter(provider + " TOKEN " + (grantType == null ? "" : grantType)).incrementAndGet();
        }
    }

    public void resetCounts() {
        calls.clear();
        revocationHints.clear();
    }

    /** The {@code token_type_hint} of each revocation request answered (not faulted) since the last reset, "" when none was sent. */
    public List<String> revocationHints(Provider provider) {
        return List.copyOf(revocationHints.getOrDefault(provider, List.of()));
    }

    private AtomicInteger counter(String key) {
        return calls.computeIfAbsent(key, k -> new AtomicInteger());
    }

    /** Every access and refresh token issued so far, for tests that search storage for tokens in clear. */
    public Set<String> issuedTokens() {
        Set<String> all = new LinkedHashSet<>(accessTokens.keySet());
        all.addAll(refreshTokens.keySet());
        return all;
    }

    /** Is this refresh token live (not revoked, not rotated away)? For tests asserting on the provider's view. */
    public boolean refreshTokenActive(String refreshToken) {
        Grants.Chain chain = refreshTokens.get(refreshToken);
        return chain != null && !chain.revoked && refreshToken.equals(chain.current);
    }

    public boolean accessTokenActive(String accessToken) {
        Grants.AccessToken token = accessTokens.get(accessToken);
        return token != null && token.expiresAt() > now() && (token.chain() == null || !token.chain().revoked)
                && !endedSessions.contains(accessToken);
    }

    /**
     * Ends this access token's session early, as Salesforce does when a session is revoked or times out (it sends
     * no {@code expires_in}): the token is refused from now on (API 401, introspection inactive), while its refresh
     * token still works. Returns false if the sandbox never issued this access token.
     */
    public boolean endSession(String accessToken) {
        if (accessToken == null || !accessTokens.containsKey(accessToken)) {
            return false;
        }
        endedSessions.add(accessToken);
        return true;
    }

    // ---- dispatch ------------------------------------------------------------------------------

    static Endpoint classify(Provider provider, String method, String path) {
        return switch (provider) {
            case SALESFORCE -> path.contains("/services/data/") ? Endpoint.API
                    : path.endsWith("/services/oauth2/authorize") ? Endpoint.AUTHORIZE
                    : path.endsWith("/services/oauth2/token") ? Endpoint.TOKEN
                    : path.endsWith("/services/oauth2/userinfo") || path.contains("/id/") ? Endpoint.IDENTITY
                    : path.endsWith("/services/oauth2/revoke") ? Endpoint.REVOKE
                    : path.endsWith("/services/oauth2/introspect") ? Endpoint.INTROSPECT : Endpoint.OTHER;
            case HUBSPOT -> path.startsWith("/crm/") || path.startsWith("/account-info/") ? Endpoint.API
                    : path.endsWith("/oauth/authorize") ? Endpoint.AUTHORIZE
                    : path.endsWith("/oauth/v3/token") || path.endsWith("/oauth/v1/token")
                            || path.matches(".*/oauth/\\d{4}-\\d{2}/token") ? Endpoint.TOKEN
                    : path.contains("/oauth/v1/access-tokens/") ? Endpoint.IDENTITY
                    : path.contains("/oauth/v1/refresh-tokens/") && "DELETE".equals(method) ? Endpoint.REVOKE
                    : path.endsWith("/oauth/v3/token/introspect") ? Endpoint.INTROSPECT : Endpoint.OTHER;
            case GOOGLE -> path.startsWith("/calendar/") ? Endpoint.API
                    : path.endsWith("/o/oauth2/v2/auth") ? Endpoint.AUTHORIZE
                    : path.endsWith("/token") ? Endpoint.TOKEN
                    : path.endsWith("/v1/userinfo") || path.endsWith("/tokeninfo") ? Endpoint.IDENTITY
                    : path.endsWith("/revoke") ? Endpoint.REVOKE
                    : path.endsWith("/oauth2/v3/certs") ? Endpoint.JWKS : Endpoint.OTHER;
        };
    }

    /** Handles one request; {@code path} starts after the provider prefix. */
    public Reply handle(Provider provider, String method, String path, Map<String, String> query,
            Map<String, String> form, Map<String, String> headers) {
        Endpoint endpoint = classify(provider, method, path);
        countReceived(provider, endpoint, form.get("grant_type"));
        Map<String, String> params = new LinkedHashMap<>(query);
        params.putAll(form);
        return switch (endpoint) {
            case AUTHORIZE -> "POST".equals(method) ? decide(provider, params) : authorizePage(provider, params);
            case TOKEN -> token(provider, path, params, headers);
            case IDENTITY -> identity(provider, path, params, headers);
            case REVOKE -> revoke(provider, path, params);
            case INTROSPECT -> introspect(provider, params, headers);
            case JWKS -> Reply.json(200, signer.jwks());
            case API -> api(provider, method, path, query, headers);
            case OTHER -> other(provider, path);
        };
    }

    // ---- authorize -------------------------------------------------------------------------------

    private Reply authorizePage(Provider provider, Map<String, String> p) {
        Reply refusal = checkClientAndRedirect(provider, p);
        if (refusal != null) {
            return refusal;
        }
        if (p.getOrDefault("prompt", "").contains("consent")) {
            counter(provider + " AUTHORIZE prompt=consent").incrementAndGet();
        }
        if (!"code".equals(p.get("response_type"))) {
            return redirectError(provider, p, "unsupported_response_type");
        }
        String method = p.get("code_challenge_method");
        if (p.get("code_challenge") != null && method != null && !"S256".equals(method) && !"plain".equals(method)) {
            return redirectError(provider, p, "invalid_request");
        }
        if (provider == Provider.HUBSPOT && !HUBSPOT_PORTAL_SCOPES.containsAll(scopes(p.get("scope")))) {
            return redirectError(provider, p, "invalid_scope");
        }
        return Reply.html(200, ConsentPage.render(provider, p, Accounts.of(provider)));
    }

    private Reply decide(Provider provider, Map<String, String> p) {
        Reply refusal = checkClientAndRedirect(provider, p);
        if (refusal != null) {
            return refusal;
        }
        if (provider == Provider.HUBSPOT && !HUBSPOT_PORTAL_SCOPES.containsAll(scopes(p.get("scope")))) {
            return redirectError(provider, p, "invalid_scope");
        }
        if (!"allow".equals(p.get("decision"))) {
            return redirectError(provider, p, "access_denied");
        }
        Account account = Accounts.byUserId(provider, p.get("account"));
        if (account == null) {
            return Reply.html(400, ConsentPage.error("Unknown account"));
        }
        Set<String> requested = scopes(p.get("scope"));
        Set<String> granted = new LinkedHashSet<>(requested);
        boolean issueRefresh;
        switch (provider) {
            case SALESFORCE -> issueRefresh = granted.contains("refresh_token") || granted.contains("offline_access");
            case HUBSPOT -> {
                String optional = p.getOrDefault("optional_scope", p.get("optional_scopes"));
                for (String scope : scopes(optional)) {
                    if (HUBSPOT_PORTAL_SCOPES.contains(scope)) {
                        granted.add(scope);
                    }
                }
                issueRefresh = true;
            }
            default -> {
                Grants.Consent consent = googleConsents.computeIfAbsent(account.userId() + " " + p.get("client_id"),
                        k -> new Grants.Consent());
                if ("true".equals(p.get("include_granted_scopes"))) {
                    granted.addAll(consent.scopes);
                }
                consent.scopes.addAll(granted);
                boolean offline = "offline".equals(p.get("access_type"));
                boolean prompted = p.getOrDefault("prompt", "").contains("consent");
                issueRefresh = offline && (!consent.refreshTokenIssued || prompted);
                if (issueRefresh) {
                    consent.refreshTokenIssued = true;
                }
            }
        }
        String code = random(24);
        codes.put(code, new Grants.Code(code, provider, p.get("client_id"), p.get("redirect_uri"),
                p.get("code_challenge"), p.getOrDefault("code_challenge_method", "plain"), account, granted,
                p.get("nonce"), issueRefresh, now() + 300));
        StringBuilder location = new StringBuilder(p.get("redirect_uri"))
                .append(p.get("redirect_uri").contains("?") ? '&' : '?')
                .append("code=").append(enc(code));
        if (p.get("state") != null) {
            location.append("&state=").append(enc(p.get("state")));
        }
        if (provider == Provider.GOOGLE) {
            location.append("&iss=").append(enc(issuer(Provider.GOOGLE)));
        }
        return Reply.redirect(location.toString());
    }

    private Reply checkClientAndRedirect(Provider provider, Map<String, String> p) {
        SandboxClient client = clients.get(provider + " " + p.get("client_id"));
        if (client == null) {
            return Reply.html(400, ConsentPage.error("invalid_client: unknown client_id"));
        }
        if (p.get("redirect_uri") == null || !client.redirectUris().contains(p.get("redirect_uri"))) {
            return Reply.html(400, ConsentPage.error("redirect_uri_mismatch: the redirect URI is not registered "
                    + "for this client"));
        }
        return null;
    }

    private Reply redirectError(Provider provider, Map<String, String> p, String error) {
        String uri = p.get("redirect_uri");
        return Reply.redirect(uri + (uri.contains("?") ? '&' : '?') + "error=" + error
                + (p.get("state") == null ? "" : "&state=" + enc(p.get("state"))));
    }

    // ---- token -----------------------------------------------------------------------------------

    private Reply token(Provider provider, String path, Map<String, String> p, Map<String, String> headers) {
        Reply serverGrant = serverToServer.token(provider, path, p, headers);
        if (serverGrant != null) {
            return serverGrant;
        }
        String grantType = p.getOrDefault("grant_type", "");
        SandboxClient client = authenticate(provider, p, headers);
        if (client == null) {
            return oauthError(provider, 401, "invalid_client", "client authentication failed");
        }
        return switch (grantType) {
            case "authorization_code" -> redeemCode(provider, client, p);
            case "refresh_token" -> refresh(provider, client, p);
            default -> oauthError(provider, 400, "unsupported_grant_type", "grant_type not supported");
        };
    }

    /** The client id and secret of a request, from HTTP Basic or the form; null if Basic is malformed. */
    static String[] clientCredentials(Map<String, String> p, Map<String, String> headers) {
        String id = p.get("client_id");
        String secret = p.get("client_secret");
        String basic = headers.get("authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    id = java.net.URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                    secret = java.net.URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                // malformed Base64 or percent-encoding: client authentication failed, not a 500
                return null;
            }
        }
        return new String[] {id, secret};
    }

    private SandboxClient authenticate(Provider provider, Map<String, String> p, Map<String, String> headers) {
        String[] credentials = clientCredentials(p, headers);
        if (credentials == null) {
            return null;
        }
        String id = credentials[0];
        String secret = credentials[1];
        SandboxClient client = clients.get(provider + " " + id);
        if (client == null || secret == null
                || !MessageDigest.isEqual(client.clientSecret().getBytes(StandardCharsets.UTF_8),
                        secret.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return client;
    }

    private Reply redeemCode(Provider provider, SandboxClient client, Map<String, String> p) {
        String value = p.get("code");
        if (value == null) {
            return oauthError(provider, 400, "invalid_request", "code is missing");
        }
        if (!usedCodes.add(value)) {
            // RFC 6749 4.1.2: a code used twice is refused, and the tokens issued from it are revoked
            tokensFromCode.getOrDefault(value, List.of()).forEach(this::revokeToken);
            return oauthError(provider, 400, "invalid_grant", "authorization code already used");
        }
        Grants.Code code = codes.remove(value);
        if (code == null || code.provider() != provider || code.expiresAt() < now()) {
            return oauthError(provider, 400, "invalid_grant", "authorization code is invalid or expired");
        }
        if (!code.clientId().equals(client.clientId())) {
            return oauthError(provider, 400, "invalid_grant", "authorization code was issued to another client");
        }
        if (!code.redirectUri().equals(p.get("redirect_uri"))) {
            return oauthError(provider, 400, "invalid_grant", "redirect_uri does not match the authorization request");
        }
        if (code.challenge() != null) {
            String verifier = p.get("code_verifier");
            if (verifier == null) {
                return oauthError(provider, 400, "invalid_grant", "code_verifier is missing");
            }
            if (!code.challenge().equals(challengeOf(verifier, code.challengeMethod()))) {
                return oauthError(provider, 400, provider == Provider.SALESFORCE ? "invalid_request" : "invalid_grant",
                        "code_verifier does not match the code_challenge");
            }
        }
        Grants.Chain chain = null;
        if (code.issueRefreshToken()) {
            String refresh = newRefreshToken(provider);
            chain = new Grants.Chain(provider, client.clientId(), code.account(), code.scopes(), refresh);
            refreshTokens.put(refresh, chain);
        }
        Grants.AccessToken access = newAccessToken(provider, client, code.account(), code.scopes(), chain);
        tokensFromCode.put(value, chain == null ? List.of(access.value()) : List.of(access.value(), chain.current));
        return Reply.json(200, tokenResponse(provider, client, access, chain == null ? null : chain.current, code.nonce()));
    }

    /**
     * Issues a grant as if the account had consented (for benchmarks seeding many connections): returns the access
     * and refresh token. The grant is the same as one from a redeemed authorization code with a refresh token (one
     * refresh-token chain and its first access token), so it refreshes, rotates and revokes like any other.
     *
     * @throws IllegalArgumentException if the client is not registered at {@code provider}, the account is not one
     *     of the provider's, or the scopes would not get a refresh token from the provider (Salesforce without
     *     {@code refresh_token}/{@code offline_access}; HubSpot scopes outside the portal's)
     */
    public MintedGrant mintGrant(Provider provider, String clientId, String accountUserId, Set<String> scopes) {
        if (provider == null) {
            throw new IllegalArgumentException("provider is required");
        }
        SandboxClient client = clientId == null ? null : clients.get(provider + " " + clientId);
        if (client == null) {
            throw new IllegalArgumentException("unknown " + provider + " client: " + clientId);
        }
        Account account = accountUserId == null ? null : Accounts.byUserId(provider, accountUserId);
        if (account == null) {
            throw new IllegalArgumentException("unknown " + provider + " account: " + accountUserId);
        }
        Set<String> granted = new LinkedHashSet<>(scopes == null ? Set.of() : scopes);
        switch (provider) {
            case SALESFORCE -> {
                if (!granted.contains("refresh_token") && !granted.contains("offline_access")) {
                    throw new IllegalArgumentException(
                            "Salesforce issues a refresh token only for the refresh_token or offline_access scope");
                }
            }
            case HUBSPOT -> {
                if (!HUBSPOT_PORTAL_SCOPES.containsAll(granted)) {
                    throw new IllegalArgumentException("scopes outside the HubSpot portal's: " + granted);
                }
            }
            case GOOGLE -> {
                // what decide() records for a consent with access_type=offline
                Grants.Consent consent = googleConsents.computeIfAbsent(account.userId() + " " + clientId,
                        k -> new Grants.Consent());
                consent.scopes.addAll(granted);
                consent.refreshTokenIssued = true;
            }
        }
        String refresh = newRefreshToken(provider);
        Grants.Chain chain = new Grants.Chain(provider, client.clientId(), account, granted, refresh);
        refreshTokens.put(refresh, chain);
        Grants.AccessToken access = newAccessToken(provider, client, account, granted, chain);
        return new MintedGrant(access.value(), refresh, access.expiresAt());
    }

    private Reply refresh(Provider provider, SandboxClient client, Map<String, String> p) {
        String presented = p.get("refresh_token");
        Grants.Chain chain = presented == null ? null : refreshTokens.get(presented);
        if (chain == null || chain.provider != provider || !chain.clientId.equals(client.clientId())) {
            return oauthError(provider, 400, "invalid_grant", "refresh token is invalid");
        }
        synchronized (chain) {
            if (chain.revoked) {
                return oauthError(provider, 400, "invalid_grant", "refresh token was revoked");
            }
            if (chain.rotatedAway.contains(presented)) {
                // reuse of a rotated refresh token: the provider kills the whole chain
                chain.revoked = true;
                return oauthError(provider, 400, "invalid_grant", "refresh token was already used");
            }
            if (rotation.get(provider)) {
                String next = newRefreshToken(provider);
                chain.rotatedAway.add(chain.current);
                chain.current = next;
                refreshTokens.put(next, chain);
            }
            Grants.AccessToken access = newAccessToken(provider, client, chain.account, chain.scopes, chain);
            String returnedRefresh = switch (provider) {
                case GOOGLE -> null;
                case HUBSPOT -> chain.current;
                case SALESFORCE -> rotation.get(provider) ? chain.current : null;
            };
            return Reply.json(200, tokenResponse(provider, client, access, returnedRefresh, null));
        }
    }

    private String tokenResponse(Provider provider, SandboxClient client, Grants.AccessToken access, String refresh,
            String nonce) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access.value());
        if (refresh != null) {
            body.put("refresh_token", refresh);
        }
        switch (provider) {
            case SALESFORCE -> {
                String id = identityUrl(access.account());
                String issuedAt = String.valueOf(access.issuedAt() * 1000);
                body.put("signature", hmac(client.clientSecret(), id + issuedAt));
                body.put("scope", String.join(" ", access.scopes()));
                if (access.scopes().contains("openid")) {
                    body.put("id_token", idToken(Provider.SALESFORCE, client, access.account(), nonce, issuer(provider)));
                }
                body.put("instance_url", instanceUrl());
                body.put("id", id);
                body.put("token_type", "Bearer");
                body.put("issued_at", issuedAt);
            }
            case HUBSPOT -> {
                body.put("token_type", "bearer");
                body.put("expires_in", access.expiresAt() - access.issuedAt());
            }
            case GOOGLE -> {
                body.put("expires_in", access.expiresAt() - access.issuedAt());
                body.put("scope", String.join(" ", access.scopes()));
                body.put("token_type", "Bearer");
                if (access.scopes().contains("openid")) {
                    String iss = nextGoogleIdTokenIssuer;
                    nextGoogleIdTokenIssuer = null;
                    body.put("id_token", idToken(provider, client, access.account(), nonce, iss == null ? issuer(provider) : iss));
                }
            }
        }
        return write(body);
    }

    private String idToken(Provider provider, SandboxClient client, Account account, String nonce, String issuer) {
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = now();
        claims.put("iss", issuer);
        claims.put("aud", client.clientId());
        claims.put("azp", client.clientId());
        claims.put("sub", account.userId());
        claims.put("email", account.email());
        claims.put("email_verified", true);
        claims.put("name", account.displayName());
        claims.put("given_name", account.givenName());
        claims.put("family_name", account.familyName());
        if (account.hostedDomain() != null) {
            claims.put("hd", account.hostedDomain());
        }
        if (nonce != null) {
            claims.put("nonce", nonce);
        }
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        return signer.sign(claims);
    }

    private Grants.AccessToken newAccessToken(Provider provider, SandboxClient client, Account account, Set<String> scopes,
            Grants.Chain chain) {
        long lifetime = switch (provider) {
            case SALESFORCE -> salesforceSessionSeconds;
            case HUBSPOT -> 1800;
            case GOOGLE -> 3600;
        };
        return issue(provider, client.clientId(), account, scopes, lifetime, null, chain);
    }

    /** Issues an access token with no refresh token (server-to-server grants); {@code value} null: the provider's form. */
    Grants.AccessToken issue(Provider provider, String clientId, Account account, Set<String> scopes, long lifetime,
            String value) {
        return issue(provider, clientId, account, scopes, lifetime, value, null);
    }

    private Grants.AccessToken issue(Provider provider, String clientId, Account account, Set<String> scopes,
            long lifetime, String value, Grants.Chain chain) {
        long now = now();
        String token = value != null ? value : switch (provider) {
            case SALESFORCE -> account.organizationId().substring(0, 15) + "!" + random(72);
            case HUBSPOT -> "CO" + random(220);
            case GOOGLE -> "ya29.a0" + random(120);
        };
        Grants.AccessToken access = new Grants.AccessToken(token, provider, clientId, account, scopes, now,
                lifetime == Long.MAX_VALUE ? Long.MAX_VALUE : now + lifetime, chain);
        accessTokens.put(token, access);
        return access;
    }

    Grants.AccessToken accessToken(String value) {
        return accessTokens.get(value);
    }

    /** Moves an issued access token's expiry (HubSpot private-app rotation overlap). */
    void expireAt(String value, long expiresAt) {
        accessTokens.computeIfPresent(value, (k, t) -> new Grants.AccessToken(t.value(), t.provider(), t.clientId(),
                t.account(), t.scopes(), t.issuedAt(), Math.min(t.expiresAt(), expiresAt), t.chain()));
    }

    private String newRefreshToken(Provider provider) {
        return switch (provider) {
            case SALESFORCE -> "5Aep861" + random(64);
            case HUBSPOT -> "na1-" + random(32);
            case GOOGLE -> "1//0g" + random(96);
        };
    }

    // ---- identity, introspection, revocation ------------------------------------------------------

    private Reply identity(Provider provider, String path, Map<String, String> p, Map<String, String> headers) {
        String bearer = bearer(headers);
        if (provider == Provider.HUBSPOT) {
            bearer = path.substring(path.lastIndexOf('/') + 1);
        } else if (provider == Provider.GOOGLE && path.endsWith("/tokeninfo")) {
            bearer = p.get("access_token");
        }
        Grants.AccessToken token = bearer == null ? null : accessTokens.get(bearer);
        if (token == null || token.provider() != provider || !accessTokenActive(bearer)
                || serverToServer.isPrivateAppToken(bearer)) {
            // a private app's token has no token info (unverified): HubSpot answers as for an unknown token
            return switch (provider) {
                case SALESFORCE -> Reply.json(401, "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
                case HUBSPOT -> Reply.json(401, "{\"status\":\"error\",\"message\":\"The access token is invalid or expired\",\"category\":\"EXPIRED_AUTHENTICATION\"}");
                case GOOGLE -> Reply.json(400, "{\"error\":\"invalid_token\",\"error_description\":\"Invalid Value\"}");
            };
        }
        Account a = token.account();
        Map<String, Object> body = new LinkedHashMap<>();
        switch (provider) {
            case SALESFORCE -> {
                body.put("sub", identityUrl(a));
                body.put("user_id", a.userId());
                body.put("organization_id", a.organizationId());
                body.put("preferred_username", a.username());
                body.put("name", a.displayName());
                body.put("given_name", a.givenName());
                body.put("family_name", a.familyName());
                body.put("email", a.email());
                body.put("email_verified", true);
            }
            case HUBSPOT -> {
                body.put("token", token.value());
                body.put("user", a.email());
                body.put("hub_domain", "acme-demo.hubspot.example");
                body.put("scopes", token.scopes());
                body.put("hub_id", Long.parseLong(a.organizationId()));
                body.put("app_id", 1000001);
                body.put("expires_in", token.expiresAt() - now());
                body.put("user_id", Long.parseLong(a.userId()));
                body.put("token_type", "access");
            }
            case GOOGLE -> {
                if (path.endsWith("/tokeninfo")) {
                    body.put("azp", token.clientId());
                    body.put("aud", token.clientId());
                    body.put("sub", a.userId());
                    body.put("scope", String.join(" ", token.scopes()));
                    body.put("exp", String.valueOf(token.expiresAt()));
                    body.put("expires_in", String.valueOf(token.expiresAt() - now()));
                    body.put("email", a.email());
                } else {
                    body.put("sub", a.userId());
                    body.put("name", a.displayName());
                    body.put("given_name", a.givenName());
                    body.put("family_name", a.familyName());
                    body.put("email", a.email());
                    body.put("email_verified", true);
                    if (a.hostedDomain() != null) {
                        body.put("hd", a.hostedDomain());
                    }
                }
            }
        }
        return Reply.json(200, write(body));
    }

    private Reply introspect(Provider provider, Map<String, String> p, Map<String, String> headers) {
        if (authenticate(provider, p, headers) == null) {
            return oauthError(provider, 401, "invalid_client", "client authentication failed");
        }
        String value = p.get("token");
        Grants.AccessToken token = value == null ? null : accessTokens.get(value);
        if (token == null || !accessTokenActive(value)) {
            return Reply.json(200, "{\"active\":false}");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", true);
        body.put("scope", String.join(" ", token.scopes()));
        body.put("client_id", token.clientId());
        body.put("username", token.account().username());
        body.put("sub", provider == Provider.SALESFORCE ? identityUrl(token.account()) : token.account().userId());
        body.put("token_type", "access_token");
        body.put("exp", token.expiresAt());
        body.put("iat", token.issuedAt());
        return Reply.json(200, write(body));
    }

    private Reply revoke(Provider provider, String path, Map<String, String> p) {
        revocationHints.computeIfAbsent(provider, k -> new CopyOnWriteArrayList<>()).add(p.getOrDefault("token_type_hint", ""));
        String hint = p.get("token_type_hint");
        if (provider == Provider.SALESFORCE && hint != null && !"access_token".equals(hint) && !"refresh_token".equals(hint)) {
            // RFC 7009 2.2.1: a token type the server cannot revoke
            return oauthError(provider, 400, "unsupported_token_type", "Token type not supported");
        }
        String value = provider == Provider.HUBSPOT ? path.substring(path.lastIndexOf('/') + 1) : p.get("token");
        if (value == null || (!refreshTokens.containsKey(value) && !accessTokens.containsKey(value))) {
            return provider == Provider.HUBSPOT
                    ? Reply.json(404, "{\"status\":\"error\",\"message\":\"refresh token not found\"}")
                    // Salesforce and Google: 400 invalid_token ("Token was invalid", "Token expired or revoked")
                    : oauthError(provider, 400, "invalid_token", "token is invalid");
        }
        if (provider == Provider.GOOGLE) {
            // Google revokes the whole grant: every token of the account and client, and the consent
            Grants.AccessToken access = accessTokens.get(value);
            Grants.Chain chain = refreshTokens.get(value);
            Account account = access != null ? access.account() : chain.account;
            String clientId = access != null ? access.clientId() : chain.clientId;
            refreshTokens.values().stream().filter(c -> c.account.equals(account) && c.clientId.equals(clientId))
                    .forEach(c -> c.revoked = true);
            accessTokens.values().removeIf(t -> t.account().equals(account) && t.clientId().equals(clientId));
            googleConsents.remove(account.userId() + " " + clientId);
            return Reply.empty(200);
        }
        if (provider == Provider.HUBSPOT && !refreshTokens.containsKey(value)) {
            return Reply.json(404, "{\"status\":\"error\",\"message\":\"refresh token not found\"}");
        }
        revokeToken(value);
        return Reply.empty(provider == Provider.HUBSPOT ? 204 : 200);
    }

    private void revokeToken(String value) {
        Grants.Chain chain = refreshTokens.get(value);
        if (chain != null) {
            chain.revoked = true;
            if (chain.provider == Provider.SALESFORCE) {
                accessTokens.values().removeIf(t -> t.chain() == chain);
            }
            return;
        }
        accessTokens.remove(value);
    }

    // ---- REST API ----------------------------------------------------------------------------------

    /** One call of the providers' REST API slice ({@link ProviderApis}), as the bearer token's account. */
    private Reply api(Provider provider, String method, String path, Map<String, String> query,
            Map<String, String> headers) {
        String bearer = bearer(headers);
        Grants.AccessToken token = bearer == null ? null : accessTokens.get(bearer);
        if (token != null && token.provider() != provider) {
            token = null;
        }
        ProviderApis.Caller caller;
        if (token == null) {
            caller = ProviderApis.Caller.invalid();
        } else if (accessTokenActive(bearer)) {
            caller = ProviderApis.Caller.valid(token.account(), token.scopes(),
                    provider == Provider.SALESFORCE ? instancePath(token.account()) : null);
        } else if (serverToServer.isPrivateAppToken(bearer)) {
            // a rotated private-app token past its overlap is unknown to HubSpot, not "expired"
            caller = ProviderApis.Caller.invalid();
        } else if (token.expiresAt() <= now() && !endedSessions.contains(bearer)
                && (token.chain() == null || !token.chain().revoked)) {
            caller = ProviderApis.Caller.expired(now() - token.expiresAt());
        } else {
            caller = ProviderApis.Caller.invalid();
        }
        return ProviderApis.answer(provider, method, path, query, caller);
    }

    private Reply other(Provider provider, String path) {
        if (provider == Provider.GOOGLE && path.endsWith("/.well-known/openid-configuration")) {
            String base = baseUrl + "/google";
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("issuer", issuer(Provider.GOOGLE));
            body.put("authorization_endpoint", base + "/o/oauth2/v2/auth");
            body.put("token_endpoint", base + "/token");
            body.put("userinfo_endpoint", base + "/v1/userinfo");
            body.put("revocation_endpoint", base + "/revoke");
            body.put("jwks_uri", base + "/oauth2/v3/certs");
            body.put("authorization_response_iss_parameter_supported", true);
            body.put("code_challenge_methods_supported", List.of("plain", "S256"));
            return Reply.json(200, write(body));
        }
        return Reply.json(404, "{\"error\":\"not_found\"}");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    public String issuer(Provider provider) {
        return baseUrl + "/" + provider.prefix();
    }

    String identityUrl(Account account) {
        return baseUrl + "/salesforce/id/" + account.organizationId() + "/" + account.userId();
    }

    public String instanceUrl() {
        return baseUrl + "/salesforce/instance";
    }

    /** The path, under {@code /salesforce}, of the instance URL this account's tokens name (one instance for all orgs). */
    static String instancePath(Account account) {
        return "/instance";
    }

    Reply oauthError(Provider provider, int status, String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        if (provider == Provider.HUBSPOT) {
            body.put("status", "invalid_grant".equals(error) ? "BAD_REFRESH_TOKEN" : "BAD_REQUEST");
            body.put("message", description);
        }
        return Reply.json(status, write(body));
    }

    private static String bearer(Map<String, String> headers) {
        String value = headers.get("authorization");
        return value != null && value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : null;
    }

    static Set<String> scopes(String value) {
        Set<String> result = new LinkedHashSet<>();
        if (value != null) {
            for (String s : value.trim().split("[\\s,]+")) {
                if (!s.isEmpty()) {
                    result.add(s);
                }
            }
        }
        return result;
    }

    static String challengeOf(String verifier, String method) {
        if ("plain".equals(method)) {
            return verifier;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hmac(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    long now() {
        return clock.instant().getEpochSecond() + clockOffsetSeconds.get();
    }

    private static String random(int chars) {
        byte[] bytes = new byte[chars];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, chars);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
