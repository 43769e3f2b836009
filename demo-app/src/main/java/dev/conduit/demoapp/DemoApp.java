package dev.conduit.demoapp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.conduit.example.UpstreamTokens;

/**
 * The demo's internal app: one server-rendered page on the JDK's HTTP server, on the loopback interface only.
 * The person signs in through Keycloak; the page lists their connections (and their organizations'), links
 * providers through Keycloak's account linking, and fetches records with upstream tokens exchanged through Conduit.
 * Tokens stay in the server-side session; the browser holds only a random session cookie.
 */
public final class DemoApp implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DemoApp.class.getName());
    static final String COOKIE = "conduit_demo_session";
    /** A Keycloak access token with less left than this is refreshed before use. */
    static final long REFRESH_MARGIN_SECONDS = 30;
    static final int MAX_FORM_BYTES = 16 * 1024;
    /** What {@code conduit_scope} from a form may hold: provider scope names, space separated. */
    private static final java.util.regex.Pattern SCOPES = java.util.regex.Pattern.compile("[A-Za-z0-9._:/\\- ]{1,500}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DemoAppConfig config;
    private final HttpServer server;
    private final ExecutorService executor;
    private final SessionStore sessions = new SessionStore();
    private final OidcClient oidc;
    private final Fetcher fetcher;
    private final String baseUrl;
    private final String contentSecurityPolicy;
    private final byte[] stylesheet;

    private DemoApp(DemoAppConfig config, HttpServer server, ExecutorService executor) {
        this.config = config;
        this.server = server;
        this.executor = executor;
        this.baseUrl = "http://localhost:" + server.getAddress().getPort();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
        this.oidc = new OidcClient(config, http);
        UpstreamTokens tokens = UpstreamTokens.forRealm(config.keycloakUrl().toString(), config.realm(),
                config.internalClientId(), config.internalClientSecret());
        this.fetcher = new Fetcher(new LibraryExchanges(tokens), oidc.tokenEndpoint(), config, http);
        URI keycloak = config.keycloakUrl();
        String keycloakOrigin = keycloak.getScheme() + "://" + keycloak.getHost() + (keycloak.getPort() < 0 ? "" : ":" + keycloak.getPort());
        // form-action covers the redirects to Keycloak that follow a form (connect, sign out)
        this.contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' "
                + keycloakOrigin + "; frame-ancestors 'none'; base-uri 'none'";
        try (InputStream css = DemoApp.class.getResourceAsStream("style.css")) {
            if (css == null) {
                throw new IllegalStateException("style.css is missing from the jar");
            }
            this.stylesheet = css.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the app on 127.0.0.1 at the configured port (0: any free one). */
    public static DemoApp start(DemoAppConfig config) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 50);
        ExecutorService executor = Executors.newFixedThreadPool(16, runnable -> {
            Thread thread = new Thread(runnable, "conduit-demo-app");
            thread.setDaemon(true);
            return thread;
        });
        DemoApp app = new DemoApp(config, server, executor);
        server.createContext("/", app::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info(() -> "Conduit demo app listening on " + app.url() + " (Keycloak " + config.realmUrl() + ")");
        return app;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://localhost:<port>}: the address to open, and the base of the redirect URI. */
    public String url() {
        return baseUrl;
    }

    /** The redirect URI registered on the app's Keycloak client. */
    public String redirectUri() {
        return baseUrl + "/callback";
    }

    public void stop() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---- dispatch ------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            switch (path) {
                case "/" -> onlyGet(exchange, method, () -> home(exchange));
                case "/style.css" -> onlyGet(exchange, method, () -> send(exchange, 200, "text/css; charset=utf-8", stylesheet));
                case "/login" -> onlyGet(exchange, method, () -> signIn(exchange));
                case "/callback" -> onlyGet(exchange, method, () -> callback(exchange));
                case "/connect" -> onlyPost(exchange, method, () -> connect(exchange));
                case "/fetch" -> onlyPost(exchange, method, () -> fetch(exchange));
                case "/logout" -> onlyPost(exchange, method, () -> signOut(exchange));
                default -> page(exchange, 404, Page.error("Not found", "This app has no page here."));
            }
        } catch (IOException e) {
            // the browser went away mid-answer: nothing to tell it
            LOG.fine(() -> "answer not sent: " + e.getClass().getSimpleName());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "request failed: " + e.getClass().getName(), e);
            try {
                page(exchange, 500, Page.error("Something went wrong", "The demo app could not answer; see its log."));
            } catch (IOException | RuntimeException ignored) {
                // headers already sent: the browser sees a cut answer
            }
        }
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    private void onlyGet(HttpExchange exchange, String method, Action action) throws IOException {
        if ("GET".equals(method) || "HEAD".equals(method)) {
            action.run();
        } else {
            exchange.getResponseHeaders().set("Allow", "GET");
            page(exchange, 405, Page.error("Method not allowed", "Use GET here."));
        }
    }

    private void onlyPost(HttpExchange exchange, String method, Action action) throws IOException {
        if ("POST".equals(method)) {
            action.run();
        } else {
            exchange.getResponseHeaders().set("Allow", "POST");
            page(exchange, 405, Page.error("Method not allowed", "Use the page's buttons."));
        }
    }

    // ---- pages ---------------------------------------------------------------------------------------

    private void home(HttpExchange exchange) throws IOException {
        DemoSession session = session(exchange);
        if (session == null) {
            page(exchange, 200, Page.signedOut(null));
            return;
        }
        KeycloakTokens tokens = freshTokens(session);
        if (tokens == null) {
            page(exchange, 200, Page.signedOut(session.takeMessage()));
            return;
        }
        DemoSession.SignedInPerson person = session.person();
        Connections mine = null;
        String note = null;
        try {
            HttpResponse<String> answer = oidc.get(config.realmUrl() + "/conduit-my-connections", tokens.accessToken());
            if (answer.statusCode() == 200) {
                mine = Connections.read(readJson(answer.body()));
            } else if (answer.statusCode() == 401) {
                note = "Conduit did not let this app read your connections (HTTP 401): its client needs the attribute "
                        + "conduit.own-connections.read = true.";
            } else {
                note = "Conduit answered HTTP " + answer.statusCode() + " for your connections.";
            }
        } catch (UncheckedIOException e) {
            note = "Keycloak did not answer; is it running?";
        }
        List<Page.OrganizationView> organizations = new ArrayList<>();
        for (String alias : OidcClient.organizations(Jwt.claims(tokens.accessToken()))) {
            organizations.add(organization(alias, tokens));
        }
        page(exchange, 200, Page.signedIn(new Page.SignedIn(person, session.csrfToken(), mine, note,
                List.copyOf(organizations), session.lastFetch(), session.takeMessage())));
    }

    private Page.OrganizationView organization(String alias, KeycloakTokens tokens) {
        try {
            HttpResponse<String> answer = oidc.get(config.realmUrl() + "/conduit-my-connections/organizations/"
                    + URLEncoder.encode(alias, StandardCharsets.UTF_8).replace("+", "%20"), tokens.accessToken());
            if (answer.statusCode() == 200) {
                return new Page.OrganizationView(alias, Connections.read(readJson(answer.body()).path("connections")), null);
            }
            if (answer.statusCode() == 403) {
                return new Page.OrganizationView(alias, null, "You are a member of " + alias + ": only its Conduit "
                        + "admins see and connect its connections. Those it has serve you too: fetch below.");
            }
            return new Page.OrganizationView(alias, null, "Conduit answered HTTP " + answer.statusCode()
                    + " for " + alias + "'s connections.");
        } catch (UncheckedIOException e) {
            return new Page.OrganizationView(alias, null, "Keycloak did not answer; is it running?");
        }
    }

    private void signIn(HttpExchange exchange) throws IOException {
        DemoSession session = session(exchange);
        if (session == null) {
            session = sessions.create(now());
            setCookie(exchange, session);
        }
        String provider = parseForm(exchange.getRequestURI().getRawQuery()).get("provider");
        Authorization.Purpose purpose = provider == null ? Authorization.Purpose.signIn()
                : ProviderApi.byAlias(provider).map(api -> Authorization.Purpose.signInWith(api.alias())).orElse(null);
        if (purpose == null) {
            page(exchange, 400, Page.error("Not understood", "That provider is not one this app knows."));
            return;
        }
        Authorization authorization = Authorization.start(purpose, now());
        session.addPending(authorization);
        redirect(exchange, oidc.authorizationUrl(authorization, redirectUri()));
    }

    private void callback(HttpExchange exchange) throws IOException {
        Map<String, String> query = parseForm(exchange.getRequestURI().getRawQuery());
        DemoSession session = session(exchange);
        Authorization authorization = session == null ? null : session.takePending(query.get("state"), now());
        if (authorization == null) {
            // no session, or a state this session never sent (or already used): nothing to redeem the code with
            page(exchange, 400, Page.error("Sign-in not recognised", "This answer from Keycloak does not belong to a "
                    + "sign-in started in this browser, or it came back twice. Sign in again."));
            return;
        }
        Authorization.Purpose purpose = authorization.purpose();
        String what = purpose.kind() == Authorization.Purpose.Kind.SIGN_IN ? "sign you in"
                : "link " + ProviderApi.byAlias(purpose.provider()).map(ProviderApi::displayName).orElse(purpose.provider());
        if (query.get("error") != null) {
            session.message("Keycloak did not " + what + ": " + query.get("error")
                    + (query.get("error_description") == null ? "" : " (" + query.get("error_description") + ")") + ".");
            redirect(exchange, "/");
            return;
        }
        String code = query.get("code");
        if (code == null) {
            session.message(actionMessage(purpose, query.get("kc_action_status")));
            redirect(exchange, "/");
            return;
        }
        KeycloakTokens tokens;
        DemoSession.SignedInPerson person;
        try {
            tokens = oidc.redeem(code, authorization, redirectUri());
            person = oidc.person(tokens, authorization.nonce(), now() / 1000);
        } catch (KeycloakRefusal refusal) {
            LOG.warning(() -> "code not redeemed: HTTP " + refusal.status() + " " + refusal.error());
            session.message("Keycloak did not " + what + " (" + refusal.getMessage() + ").");
            redirect(exchange, "/");
            return;
        } catch (UncheckedIOException e) {
            session.message("Keycloak did not answer; is it running?");
            redirect(exchange, "/");
            return;
        }
        if (purpose.kind() == Authorization.Purpose.Kind.SIGN_IN) {
            // a new cookie for the signed-in session: a cookie planted before sign-in never reaches the person's tokens
            sessions.remove(session);
            session = sessions.create(now());
            setCookie(exchange, session);
        } else {
            session.message(actionMessage(purpose, query.get("kc_action_status")));
        }
        session.signedIn(tokens, person);
        LOG.info(() -> "callback completed: " + purpose.kind());
        redirect(exchange, "/");
    }

    private static String actionMessage(Authorization.Purpose purpose, String status) {
        if (purpose.kind() == Authorization.Purpose.Kind.SIGN_IN) {
            return null;
        }
        String name = ProviderApi.byAlias(purpose.provider()).map(ProviderApi::displayName).orElse(purpose.provider());
        String whose = purpose.organization() == null ? "" : " for " + purpose.organization();
        if (status == null || "success".equals(status)) {
            return switch (purpose.kind()) {
                case CONNECT -> "Connected " + name + whose + ".";
                case RECONNECT -> "Reconnected " + name + whose + ".";
                default -> "Asked " + name + whose + " for more access (" + purpose.extraScopes() + ").";
            };
        }
        if ("cancelled".equals(status)) {
            return "Linking " + name + whose + " was cancelled; nothing changed.";
        }
        return "Keycloak could not link " + name + whose + " (" + status + ").";
    }

    private void connect(HttpExchange exchange) throws IOException {
        DemoSession session = session(exchange);
        Map<String, String> form = readForm(exchange);
        if (!authorized(exchange, session, form)) {
            return;
        }
        ProviderApi api = ProviderApi.byAlias(form.get("provider")).orElse(null);
        Authorization.Purpose.Kind kind = switch (form.getOrDefault("kind", "")) {
            case "connect" -> Authorization.Purpose.Kind.CONNECT;
            case "reconnect" -> Authorization.Purpose.Kind.RECONNECT;
            case "grant" -> Authorization.Purpose.Kind.GRANT_MORE;
            default -> null;
        };
        String organization = form.get("organization");
        if (api == null || kind == null || organization != null && !memberOf(session, organization)) {
            page(exchange, 400, Page.error("Not understood", "That action is not one this page offers."));
            return;
        }
        String scopes = null;
        if (kind == Authorization.Purpose.Kind.GRANT_MORE) {
            String asked = form.get("scopes");
            scopes = asked != null && SCOPES.matcher(asked).matches() ? asked.strip() : api.moreAccessScopes();
        }
        Authorization authorization = Authorization.start(
                new Authorization.Purpose(kind, api.alias(), organization, scopes), now());
        session.addPending(authorization);
        redirect(exchange, oidc.authorizationUrl(authorization, redirectUri()));
    }

    private void fetch(HttpExchange exchange) throws IOException {
        DemoSession session = session(exchange);
        Map<String, String> form = readForm(exchange);
        if (!authorized(exchange, session, form)) {
            return;
        }
        ProviderApi api = ProviderApi.byAlias(form.get("provider")).orElse(null);
        String organization = form.get("organization");
        if (api == null || organization != null && !memberOf(session, organization)) {
            page(exchange, 400, Page.error("Not understood", "That action is not one this page offers."));
            return;
        }
        KeycloakTokens tokens = freshTokens(session);
        if (tokens == null) {
            redirect(exchange, "/");
            return;
        }
        FetchResult result = fetcher.fetch(tokens.accessToken(), api, organization);
        LOG.info(() -> "fetch " + api.alias() + (organization == null ? "" : " for an organization") + ": " + result.outcome());
        session.lastFetch(result);
        redirect(exchange, "/#result");
    }

    private void signOut(HttpExchange exchange) throws IOException {
        DemoSession session = session(exchange);
        Map<String, String> form = readForm(exchange);
        if (!authorized(exchange, session, form)) {
            return;
        }
        KeycloakTokens tokens = session.tokens();
        sessions.remove(session);
        exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        redirect(exchange, oidc.logoutUrl(tokens == null ? null : tokens.idToken(), baseUrl + "/"));
    }

    // ---- session and CSRF ----------------------------------------------------------------------------

    /**
     * A state-changing POST needs a signed-in session and the session's CSRF token in the form; anything else is
     * refused with 403 before anything is called.
     */
    private boolean authorized(HttpExchange exchange, DemoSession session, Map<String, String> form) throws IOException {
        if (session == null || session.person() == null || !Text.sameSecret(session.csrfToken(), form.get("csrf"))) {
            page(exchange, 403, Page.error("Refused", "This form did not come from your page of this app (no session, "
                    + "or its CSRF token is missing or wrong). Open the app and use its buttons."));
            return false;
        }
        return true;
    }

    private static boolean memberOf(DemoSession session, String organization) {
        KeycloakTokens tokens = session.tokens();
        return tokens != null && OidcClient.organizations(Jwt.claims(tokens.accessToken())).contains(organization);
    }

    /** The session's Keycloak tokens, refreshed when the access token is (nearly) expired; null when signed out. */
    private KeycloakTokens freshTokens(DemoSession session) {
        KeycloakTokens tokens = session.tokens();
        if (tokens == null) {
            return null;
        }
        long nowSeconds = now() / 1000;
        if (!tokens.accessExpiresWithin(nowSeconds, REFRESH_MARGIN_SECONDS)) {
            return tokens;
        }
        if (tokens.refreshToken() == null) {
            session.signedOut();
            session.message("Your sign-in has expired; sign in again.");
            return null;
        }
        try {
            KeycloakTokens refreshed = tokens.refreshedBy(oidc.refresh(tokens.refreshToken()));
            session.tokensRefreshed(refreshed);
            return refreshed;
        } catch (KeycloakRefusal refusal) {
            session.signedOut();
            session.message("Your Keycloak session has ended; sign in again.");
            return null;
        } catch (UncheckedIOException e) {
            session.signedOut();
            session.message("Keycloak did not answer; is it running? Sign in again once it is.");
            return null;
        }
    }

    private DemoSession session(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String cookie : header.split(";")) {
                String trimmed = cookie.strip();
                if (trimmed.startsWith(COOKIE + "=")) {
                    DemoSession session = sessions.find(trimmed.substring(COOKIE.length() + 1), now());
                    if (session != null) {
                        return session;
                    }
                }
            }
        }
        return null;
    }

    private static void setCookie(HttpExchange exchange, DemoSession session) {
        exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Lax");
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    // ---- HTTP plumbing -------------------------------------------------------------------------------

    private static Map<String, String> readForm(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(MAX_FORM_BYTES + 1);
        if (body.length > MAX_FORM_BYTES) {
            return Map.of();
        }
        return parseForm(new String(body, StandardCharsets.UTF_8));
    }

    /** {@code application/x-www-form-urlencoded} pairs; the first of a repeated name counts, a malformed pair is skipped. */
    static Map<String, String> parseForm(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                values.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed percent-encoding: not a field this app reads
            }
        }
        values.values().removeIf(String::isEmpty);
        return values;
    }

    private static JsonNode readJson(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    private void redirect(HttpExchange exchange, String location) throws IOException {
        securityHeaders(exchange);
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(303, -1);
    }

    private void page(HttpExchange exchange, int status, String html) throws IOException {
        send(exchange, status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    private void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        securityHeaders(exchange);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void securityHeaders(HttpExchange exchange) {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Security-Policy", contentSecurityPolicy);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-store");
    }
}
