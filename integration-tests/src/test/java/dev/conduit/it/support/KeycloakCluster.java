package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxClient;

/**
 * Two more Keycloak nodes of the same distribution, clustered the way Keycloak clusters by default: production
 * {@code start}, embedded Infinispan ({@code --cache=ispn}) discovering its members with jdbc-ping through the shared
 * PostgreSQL database. They live in their own schema ({@value #SCHEMA}) of the test database, so the single-node
 * Keycloak of {@link ConduitEnvironment}, which uses the same database, keeps its tables to itself; its provider
 * sandbox serves both. Both nodes have the same {@code --hostname} (node A's URL), so a token issued through one
 * verifies at the other; the demo realm is imported on node A only.
 */
public final class KeycloakCluster implements AutoCloseable {

    public static final String SCHEMA = "conduit_cluster";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(7);
    private static final Pattern CLUSTER_VIEW = Pattern.compile("ISPN00009[34]: Received new(?:, MERGED)? cluster view for channel \\S+: .*?\\((\\d+)\\)");
    private static final Pattern METRIC_LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? (\\S+)$");

    /** One node: its folder, its process (kc.sh; the server's java runs as its child) and its URLs. */
    public final class Node {
        private final String name;
        private final Path home;
        private final int httpPort;
        private final int managementPort;
        private final int clusterPort;
        private KeycloakProcess process;
        private AdminApi admin;
        private List<String> options = List.of();
        private Map<String, String> environment = Map.of();

        private Node(String name, Path home) {
            this.name = name;
            this.home = home;
            this.httpPort = Ports.free();
            this.managementPort = Ports.free();
            this.clusterPort = Ports.free();
        }

        public String name() {
            return name;
        }

        /** This node's own address (requests go straight to it); links and tokens name {@link #hostname()}. */
        public String url() {
            return "http://localhost:" + httpPort;
        }

        public String realmUrl() {
            return url() + "/realms/" + ConduitEnvironment.REALM;
        }

        public Path log() {
            return home.resolve("keycloak.log");
        }

        public boolean alive() {
            return process != null && process.alive();
        }

        public AdminApi admin() {
            return admin;
        }

        public VaultApi vault() {
            return new VaultApi(admin);
        }

        /** The internal app's RFC 8693 upstream-token exchange at this node's token endpoint. */
        public HttpResponse<String> exchange(String subjectToken, Map<String, String> params) {
            return post(realmUrl() + "/protocol/openid-connect/token", AppTokens.exchangeForm(subjectToken, params),
                    AppTokens.basic(AppTokens.INTERNAL_APP, internalSecret()));
        }

        /**
         * Sum of the samples of a metric on this node's management interface whose labels contain all of
         * {@code labels} (e.g. {@code outcome="success"}); 0 when the metric is not there yet.
         */
        public double metric(String name, String... labels) {
            HttpResponse<String> response = get(URI.create("http://localhost:" + managementPort + "/metrics"));
            if (response.statusCode() != 200) {
                throw new IllegalStateException(this.name + " /metrics answered " + response.statusCode());
            }
            double sum = 0;
            for (String line : response.body().split("\n")) {
                Matcher m = METRIC_LINE.matcher(line.trim());
                if (!m.matches() || !m.group(1).equals(name)) {
                    continue;
                }
                String found = m.group(3) == null ? "" : m.group(3);
                boolean all = true;
                for (String label : labels) {
                    all &= found.contains(label);
                }
                if (all) {
                    sum += Double.parseDouble(m.group(4));
                }
            }
            return sum;
        }

        /** How many lines of this node's log contain every one of {@code texts}. */
        public long logLines(String... texts) {
            try (Stream<String> lines = Files.lines(log(), StandardCharsets.UTF_8)) {
                return lines.filter(l -> Stream.of(texts).allMatch(l::contains)).count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * kill -9 of the server (its java process and the kc.sh around it): no shutdown, open transactions end
         * only because the database sees the connections close.
         */
        public void killHard() {
            process.killHard();
        }

        /**
         * Starts this node again after {@link #killHard()}, with the options it first had (without the realm import),
         * its earlier log kept as {@code keycloak-killed.log}; returns once it serves the realm, in milliseconds.
         */
        public long restart() {
            if (alive()) {
                throw new IllegalStateException(name + " is still running");
            }
            try {
                Files.move(log(), home.resolve("keycloak-killed.log"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            start(options.stream().filter(option -> !option.equals("--import-realm")).toList(), environment);
            return process.awaitReady(realmProbe(), START_TIMEOUT);
        }

        private void start(List<String> options, Map<String, String> environment) {
            this.options = List.copyOf(options);
            this.environment = Map.copyOf(environment);
            process = KeycloakProcess.in(home).named(name).command("start", "--optimized",
                    "--http-enabled=true", "--http-port=" + httpPort,
                    "--http-management-port=" + managementPort,
                    "--cache-embedded-network-bind-address=127.0.0.1",
                    "--cache-embedded-network-bind-port=" + clusterPort,
                    // the node name in Infinispan's cluster views and in the logs
                    "--spi-cache-embedded--default--node-name=" + name,
                    "--vault-dir=" + home.resolve("conduit-test-vault"))
                    .options(options).environment(environment).log(log()).start();
        }

        private void stop() {
            if (process != null) {
                process.stop();
            }
        }

        private URI realmProbe() {
            return URI.create(url() + "/realms/" + ConduitEnvironment.REALM + "/.well-known/openid-configuration");
        }

        /** Members in the last cluster view this node logged. */
        private int clusterSize() {
            int size = 0;
            try (Stream<String> lines = Files.lines(log(), StandardCharsets.UTF_8)) {
                for (String line : (Iterable<String>) lines::iterator) {
                    Matcher m = CLUSTER_VIEW.matcher(line);
                    if (m.find()) {
                        size = Integer.parseInt(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return size;
        }

        @Override
        public String toString() {
            return name + " " + url();
        }
    }

    private final ConduitEnvironment env;
    private final Map<Provider, SandboxClient> originalClients = new LinkedHashMap<>();
    private final String adminPassword = Secrets.generate();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AppTokens apps;
    private final Node a;
    private final Node b;
    private volatile String internalSecret;

    private KeycloakCluster(ConduitEnvironment env, Path target) {
        this.env = env;
        this.apps = new AppTokens(env);
        this.a = new Node("node-a", target.resolve("cluster-node-a"));
        this.b = new Node("node-b", target.resolve("cluster-node-b"));
    }

    /**
     * Starts node A and node B with the given vault options (e.g. a short refresh interval) and returns once both
     * answer and see each other in one cluster view. PostgreSQL only (any but CONDUIT_TEST_DB=h2).
     */
    public static KeycloakCluster start(ConduitEnvironment env, List<String> vaultOptions) {
        if (!Database.postgres()) {
            throw new IllegalStateException("the cluster needs PostgreSQL (not CONDUIT_TEST_DB=h2)");
        }
        Path distribution = Path.of(System.getProperty("keycloak.home", "target/keycloak-26.7.3")).toAbsolutePath();
        KeycloakCluster cluster = new KeycloakCluster(env, distribution.getParent());
        try {
            cluster.startNodes(distribution, vaultOptions);
        } catch (IOException e) {
            cluster.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startNodes(Path distribution, List<String> vaultOptions) throws IOException {
        long started = System.currentTimeMillis();
        recreateSchema();
        allowClusterRedirects();

        // one augmentation for both nodes: build node A's copy, then copy it for node B
        KeycloakProcess.copyDistribution(distribution, a.home, path -> false);
        List<String> buildOptions = List.of("--db=postgres", "--cache=ispn", "--vault=file", "--metrics-enabled=true",
                "--features=identity-brokering-api:v2");
        KeycloakProcess.build(a.home, buildOptions, Duration.ofMinutes(3));
        KeycloakProcess.copyDistribution(a.home, b.home, path -> false);
        for (Node node : List.of(a, b)) {
            writeVault(node.home.resolve("conduit-test-vault"));
        }
        Path importDir = a.home.resolve("data/import");
        Files.createDirectories(importDir);
        String realmFile = Files.readString(Path.of(System.getProperty("conduit.realm.file", "../realm-exports/conduit-demo-realm.json")))
                .replace("http://localhost:8089", env.sandbox().baseUrl())
                .replace("http://localhost:8080", hostname());
        Files.writeString(importDir.resolve("conduit-demo-realm.json"), realmFile);

        String vaultKeys = "cl1:" + Secrets.aes256KeyBase64();
        List<String> common = new ArrayList<>(List.of(
                "--hostname=" + hostname(),
                "--db-url=" + schemaUrl(), "--db-username=" + Database.user(), "--db-password=" + Database.password(),
                "--db-schema=" + SCHEMA,
                "--log-level=INFO,dev.conduit:debug,dev.conduit.vault.keycloak.ProactiveRefreshTask:trace,"
                        + "org.keycloak.cluster.infinispan.InfinispanClusterProvider:trace",
                "--spi-connections-http-client--default--establish-connection-timeout-millis=5000",
                "--spi-connections-http-client--default--socket-timeout-millis=10000"));
        // the same key-encryption key on both nodes: a row sealed by one is read by the other
        common.addAll(KeycloakProcess.vaultKeyOptions(vaultKeys, "cl1"));
        common.addAll(vaultOptions);
        Map<String, String> environment = Map.of("KC_BOOTSTRAP_ADMIN_USERNAME", "admin",
                "KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);

        List<String> optionsA = new ArrayList<>(common);
        optionsA.add("--import-realm");
        // one after the other: two nodes creating Keycloak's schema at once race on Liquibase's own changelog
        // table ("relation databasechangelog already exists"), which its migration lock does not cover
        a.start(optionsA, environment);
        awaitFirstNode(started);
        b.start(common, environment);
        awaitReady(started);
        a.admin = new AdminApi(a.url(), adminPassword);
        b.admin = new AdminApi(b.url(), adminPassword);
        System.out.printf("Keycloak cluster ready in %d ms: %s, %s (hostname %s; logs %s, %s)%n",
                System.currentTimeMillis() - started, a, b, hostname(), a.log(), b.log());
    }

    /** The URL both nodes put in links and tokens: node A's. */
    public String hostname() {
        return a.url();
    }

    public Node a() {
        return a;
    }

    public Node b() {
        return b;
    }

    public List<Node> nodes() {
        return List.of(a, b);
    }

    /** The demo app's login at the cluster's hostname; {@code idpHint} (null for none) goes straight to the provider. */
    public String appLoginUrl(String idpHint) {
        return hostname() + "/realms/" + ConduitEnvironment.REALM + "/protocol/openid-connect/auth?client_id="
                + ConduitEnvironment.APP_CLIENT + "&response_type=code&scope=openid&redirect_uri="
                + URLEncoder.encode(ConduitEnvironment.APP_REDIRECT, StandardCharsets.UTF_8)
                + "&code_challenge=" + ConduitEnvironment.APP_PKCE_CHALLENGE + "&code_challenge_method=S256"
                + "&state=" + Secrets.generate() + (idpHint == null ? "" : "&kc_idp_hint=" + idpHint);
    }

    /** A user's first login through the provider {@code alias} as {@code account} (which connects it); the app's token. */
    public String brokerLogin(String alias, Account account) {
        BrowserSession browser = new BrowserSession();
        BrokerFlows flows = new BrokerFlows(env);
        BrowserSession.Page consent = browser.open(appLoginUrl(alias));
        if (consent.document().selectFirst("form#consent") == null) {
            throw new AssertionError("expected the sandbox consent page, got " + consent.status() + " " + consent.uri());
        }
        return redeem(flows.completeKeycloakPages(browser, flows.allow(browser, consent, account), account));
    }

    /** The demo app redeems the code its login ended with, at the hostname; its access token. */
    private String redeem(BrowserSession.Page page) {
        String code = page.callbackParameter("code");
        if (code == null) {
            throw new AssertionError("the login did not end with a code: " + page.status() + " " + page.uri());
        }
        HttpResponse<String> response = post(hostname() + "/realms/" + ConduitEnvironment.REALM + "/protocol/openid-connect/token",
                Map.of("grant_type", "authorization_code", "client_id", ConduitEnvironment.APP_CLIENT, "code", code,
                        "redirect_uri", ConduitEnvironment.APP_REDIRECT, "code_verifier", ConduitEnvironment.APP_PKCE_VERIFIER),
                null);
        if (response.statusCode() != 200) {
            throw new AssertionError("code redemption answered " + response.statusCode());
        }
        return AppTokens.json(response).get("access_token").asText();
    }

    /** Signs in with username and password on Keycloak's login page (at the hostname); returns the demo app's token. */
    public String passwordLogin(String username, String password) {
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = browser.open(appLoginUrl(null));
        for (int step = 0; step < 3 && !page.endedAtApp() && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", username, "password", password));
        }
        return redeem(page);
    }

    /** The user's id in the cluster's realm, by the provider account's email. */
    public String userId(Account account) {
        return a.alive() ? a.admin.userIdByEmail(ConduitEnvironment.REALM, account.email())
                : b.admin.userIdByEmail(ConduitEnvironment.REALM, account.email());
    }

    /** A JDBC connection to the cluster's schema, as the test database's user. */
    public Connection database() throws SQLException {
        return connect(schemaUrl());
    }

    private static Connection connect(String url) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", Database.user());
        properties.setProperty("password", Database.password());
        return DriverManager.getConnection(url, properties);
    }

    /** Runs statements on the test database itself, outside the cluster's schema. */
    private static void onTestDatabase(String what, String... statements) {
        try (Connection db = connect(Database.url()); Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not " + what, e);
        }
    }

    /**
     * Makes the connection's access token expired for callers (so the next use refreshes it on demand) while keeping
     * it away from the proactive refresher for a day: {@code expire-access-token} of the admin API also makes it due
     * proactively, and the cluster's short refresh interval would then refresh it before the callers come. SQL is not
     * seen by the nodes' sealed-row caches (issue 17), so node A's admin API then drops the realm's cached rows on
     * both nodes, as an operator who edits the table must.
     */
    public void expireForCallersOnly(String connectionId) {
        long now = System.currentTimeMillis() / 1000;
        try (Connection db = database();
             PreparedStatement update = db.prepareStatement("update conduit_connection set expires_at = ?,"
                     + " next_refresh_at = ?, version = version + 1 where id = ?")) {
            update.setLong(1, now);
            update.setLong(2, now + 86_400);
            update.setString(3, connectionId);
            if (update.executeUpdate() != 1) {
                throw new AssertionError("no connection " + connectionId + " in schema " + SCHEMA);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not expire connection " + connectionId, e);
        }
        a().vault().invalidateRowCache();
    }

    /** A form POST to a node, through the same client the single-node tests use (HTTP/1.1, as apps call). */
    public HttpResponse<String> post(String url, Map<String, String> form, String authorization) {
        return apps.post(url, form, authorization);
    }

    private HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String internalSecret() {
        if (internalSecret == null) {
            AdminApi admin = a.alive() ? a.admin : b.admin;
            String id = admin.get(ConduitEnvironment.REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
            JsonNode secret = admin.get(ConduitEnvironment.REALM + "/clients/" + id + "/client-secret");
            internalSecret = secret.get("value").asText();
        }
        return internalSecret;
    }

    private static String schemaUrl() {
        String url = Database.url();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    }

    /** The CI user owns the database (not a superuser): it may create and drop a schema in it. */
    private static void recreateSchema() {
        // a schema left by an interrupted run holds another run's admin password and vault key
        onTestDatabase("create schema " + SCHEMA, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE",
                "CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
    }

    private static void dropSchema() {
        onTestDatabase("drop schema " + SCHEMA, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    /**
     * The sandbox clients keep their ids, secrets and the main node's redirect URIs, and accept the cluster's broker
     * endpoints as well (the realm file names the same client ids for both Keycloaks).
     */
    private void allowClusterRedirects() {
        Map<Provider, String> aliases = Map.of(Provider.SALESFORCE, "salesforce", Provider.HUBSPOT, "hubspot", Provider.GOOGLE, "google");
        aliases.forEach((provider, alias) -> {
            SandboxClient client = env.client(provider);
            originalClients.put(provider, client);
            List<String> redirects = new ArrayList<>(client.redirectUris());
            redirects.add(hostname() + "/realms/" + ConduitEnvironment.REALM + "/broker/" + alias + "/endpoint");
            env.sandbox().engine().register(new SandboxClient(provider, client.clientId(), client.clientSecret(), List.copyOf(redirects)));
        });
    }

    private void writeVault(Path vault) throws IOException {
        Files.createDirectories(vault);
        Files.writeString(vault.resolve(ConduitEnvironment.REALM + "_salesforce-client-secret"), env.client(Provider.SALESFORCE).clientSecret());
        Files.writeString(vault.resolve(ConduitEnvironment.REALM + "_hubspot-client-secret"), env.client(Provider.HUBSPOT).clientSecret());
        Files.writeString(vault.resolve(ConduitEnvironment.REALM + "_google-client-secret"), env.client(Provider.GOOGLE).clientSecret());
    }

    /** Node A alone has created the schema and imported the realm: the launcher's probe, on the realm. */
    private void awaitFirstNode(long started) {
        a.process.awaitReady(a.realmProbe(), remaining(started));
    }

    /** Both nodes serve the realm (node B once node A has imported it) and each sees a view of two members. */
    private void awaitReady(long started) {
        a.process.awaitReady(a.realmProbe(), remaining(started));
        b.process.awaitReady(b.realmProbe(), remaining(started), 1000, () -> {
            b.process.failIfExited();
            a.process.failIfExited();
            return a.clusterSize() == 2 && b.clusterSize() == 2;
        });
    }

    private static Duration remaining(long started) {
        return START_TIMEOUT.minusMillis(System.currentTimeMillis() - started);
    }

    @Override
    public void close() {
        for (Node node : List.of(a, b)) {
            node.stop();
        }
        originalClients.values().forEach(env.sandbox().engine()::register);
        dropSchema();
    }
}
