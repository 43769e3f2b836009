package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.ProviderSandbox;
import dev.conduit.sandbox.SandboxClient;

/**
 * One real Keycloak distribution (our jars in providers/, the demo realm imported, client secrets in a file
 * vault) and one provider sandbox, started once for the whole test run and shared by every test class. The same
 * without {@code conduit-token-vault}, for the class that shows what a server without it does:
 * {@link #startWithoutVault()}; and a second shared one on Keycloak's H2 for the suites that read the database over
 * JDBC on both databases: {@link #onH2()}.
 */
public final class ConduitEnvironment {

    public static final String REALM = "conduit-demo";
    public static final String APP_CLIENT = "conduit-demo-app";
    public static final String APP_REDIRECT = "http://localhost/conduit-demo-app/callback";
    public static final String EXISTING_USER = "ada";
    /** A plain Keycloak {@code oidc} identity provider with Store Tokens on, created by the tests that need it. */
    public static final String GOOGLE_STORED_ALIAS = "google-stored";
    /** The demo app's PKCE pair in tests (the app is public: the verifier redeems its codes). */
    public static final String APP_PKCE_VERIFIER = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r7wW1gFWFOEjXk";
    public static final String APP_PKCE_CHALLENGE = "6uJB66H-5WprmeoV-wc7KyBIDnresberjsJ43M5w340";

    private static ConduitEnvironment instance;
    private static ConduitEnvironment onH2;

    /** Which server: the shared one, the shared one on H2, or one without the token vault. */
    private enum Kind {
        SHARED, H2, WITHOUT_VAULT, PKCS11, PKCS11_ONLY, POOL, KEYSTORE;

        boolean pkcs11() {
            return this == PKCS11 || this == PKCS11_ONLY;
        }

        /** On H2 in a copy of the distribution of its own. */
        boolean ownH2() {
            return this == H2 || this == KEYSTORE || pkcs11();
        }
    }

    private final ProviderSandbox sandbox;
    private KeycloakProcess keycloak;
    /** How {@link #keycloak} was started, for {@link #restart()}. */
    private final KeycloakProcess.Builder again;
    private final String keycloakUrl;
    private final String adminPassword;
    private final String existingUserPassword = Secrets.generate();
    /**
     * The token vault's {@code keys} option: it1 (first, active) and it0, an older key still readable, so a key
     * rotation can be tested on rows sealed under it0.
     */
    private final String vaultKeys = "it1:" + Secrets.aes256KeyBase64() + ",it0:" + Secrets.aes256KeyBase64();
    private final String managementUrl;
    private final Path logFile;
    private final Path vaultDir;
    private final Map<Provider, SandboxClient> clients;
    /** The sandbox Google client of {@link #GOOGLE_STORED_ALIAS} (Keycloak's own OIDC broker storing tokens; benchmarks). */
    private final SandboxClient googleStoredClient;
    private final AdminApi admin;
    /** The H2 server's JDBC URL, which the tests open while Keycloak runs (AUTO_SERVER); null on the shared server. */
    private final String h2Url;
    private final String h2Password = Secrets.generate();
    private final SoftHsmTokens hsm;
    private final Kind kind;
    private final KeystoreKek keystore;

    public static synchronized ConduitEnvironment get() {
        if (instance == null) {
            instance = new ConduitEnvironment(Kind.SHARED);
        }
        return instance;
    }

    /**
     * The second shared environment (own sandbox, token vault on, demo realm) on Keycloak's H2 ({@code dev-file},
     * in a copy of the distribution), started once per test JVM on first use, for the suites that read and write the
     * database over JDBC on both databases; stopped with the JVM.
     */
    public static synchronized ConduitEnvironment onH2() {
        if (onH2 == null) {
            onH2 = new ConduitEnvironment(Kind.H2);
        }
        return onH2;
    }

    /**
     * A second environment of its own (sandbox, Keycloak on H2 in a copy of the distribution) whose providers/ lack
     * {@code conduit-token-vault}: the other Conduit jars and the demo realm as usual, no vault options. The caller
     * stops it ({@link #stop()}).
     */
    public static ConduitEnvironment startWithoutVault() {
        return new ConduitEnvironment(Kind.WITHOUT_VAULT);
    }

    /**
     * An environment of its own (sandbox, demo realm, token vault on H2 in a copy of the distribution) whose data keys
     * are wrapped by the {@code pkcs11} key provider's KEK in a SoftHSM2 token ({@link #hsm()}, label
     * {@link #HSM_TOKEN}), made as docs/operations.md says, and whose nodes keep one unwrapped data key in memory
     * ({@code data-key-cache-size=1}). The caller stops it ({@link #stop()}).
     */
    public static ConduitEnvironment startWithPkcs11() {
        return new ConduitEnvironment(Kind.PKCS11);
    }

    /**
     * As {@link #startWithPkcs11()}, but without the vault's {@code keys} option: no key material outside the HSM, as a
     * new installation on {@code pkcs11} runs (rows, refresh-token fingerprints and sign-in handovers all under data
     * keys). The caller stops it ({@link #stop()}).
     */
    public static ConduitEnvironment startWithPkcs11Only() {
        return new ConduitEnvironment(Kind.PKCS11_ONLY);
    }

    /**
     * An environment of its own (sandbox, demo realm, token vault on H2 in a copy of the distribution) whose data keys
     * are wrapped by the {@code keystore} key provider's KEK: an AES-256 entry of a PKCS#12 file made with
     * {@code keytool -genseckey} as docs/operations.md says, its password generated and given through the environment
     * ({@link #keystore()}). The caller stops it ({@link #stop()}).
     */
    public static ConduitEnvironment startWithKeystore() {
        return new ConduitEnvironment(Kind.KEYSTORE);
    }

    /** The PKCS#12 keystore of {@link #startWithKeystore()}: where it is, its password and its one KEK's alias. */
    public record KeystoreKek(Path file, String password, String alias) {
        @Override
        public String toString() {
            return "KeystoreKek[" + file + ", alias=" + alias + "]";
        }
    }

    /** The keystore of {@link #startWithKeystore()}; null for the other environments. */
    public KeystoreKek keystore() {
        return keystore;
    }

    /** The key provider wrapping this server's data keys: {@code config}, {@code keystore} or {@code pkcs11}. */
    public String keyProvider() {
        return hsm != null ? "pkcs11" : keystore != null ? "keystore" : "config";
    }

    /** The SoftHSM2 token of {@link #startWithPkcs11()}. */
    public static final String HSM_TOKEN = "conduit-kek";

    /** The schema of {@link #startWithDatabasePool}'s Keycloak in the test database, apart from the shared server's tables. */
    public static final String POOL_SCHEMA = "conduit_pool";
    /** How {@link #startWithDatabasePool}'s Keycloak names its connections in PostgreSQL's {@code pg_stat_activity}. */
    public static final String POOL_APPLICATION = "conduit-pool-keycloak";

    /**
     * An environment of its own (sandbox, demo realm, token vault) on PostgreSQL, in schema {@link #POOL_SCHEMA} of the
     * test database, whose Keycloak keeps at most {@code maxPooled} database connections ({@code --db-pool-max-size},
     * initial and minimum size 5), named {@link #POOL_APPLICATION}; the vault's upstream read timeout is 10 s, so a
     * provider may take seconds to answer. The caller stops it ({@link #stop()}), which drops the schema.
     */
    public static ConduitEnvironment startWithDatabasePool(int maxPooled) {
        if (!Database.postgres()) {
            throw new IllegalStateException("a database pool on PostgreSQL needs PostgreSQL (not CONDUIT_TEST_DB=h2)");
        }
        return new ConduitEnvironment(Kind.POOL, maxPooled);
    }

    /** The SoftHSM2 tokens of {@link #startWithPkcs11()}; null for the other environments. */
    public SoftHsmTokens hsm() {
        return hsm;
    }

    private ConduitEnvironment(Kind kind) {
        this(kind, 0);
    }

    private ConduitEnvironment(Kind kind, int maxPooled) {
        this.kind = kind;
        boolean withVault = kind != Kind.WITHOUT_VAULT;
        Path distribution = Path.of(System.getProperty("keycloak.home", "target/keycloak-26.7.3")).toAbsolutePath();
        Path home = distribution;
        if (kind == Kind.WITHOUT_VAULT) {
            home = distribution.resolveSibling(distribution.getFileName() + "-without-vault");
            KeycloakProcess.copyDistribution(distribution, home, KeycloakProcess.providerJar("conduit-token-vault"));
        } else if (kind.ownH2()) {
            home = distribution.resolveSibling(distribution.getFileName() + "-" + kind.name().toLowerCase().replace('_', '-'));
            KeycloakProcess.copyDistribution(distribution, home, relative -> false);
            requireSameH2(home);
        } else if (kind == Kind.POOL) {
            home = distribution.resolveSibling(distribution.getFileName() + "-pool");
            KeycloakProcess.copyDistribution(distribution, home, relative -> false);
            Database.recreateSchema(POOL_SCHEMA);
        }
        Map<String, String> processEnvironment = new java.util.HashMap<>();
        if (kind == Kind.SHARED) {
            // the benchmarks' flight recording, off unless conduit.bench.jfr names a file
            processEnvironment.putAll(BenchProfiling.keycloakEnvironment());
        }
        if (kind.pkcs11()) {
            hsm = SoftHsmTokens.in(home.resolve("softhsm"));
            SoftHsmTokens.Token token = hsm.tokenWithKey(HSM_TOKEN, "kek-it");
            processEnvironment.putAll(Map.of("SOFTHSM2_CONF", hsm.conf().toString(),
                    "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__LIBRARY", SoftHsmTokens.LIBRARY.toString(),
                    "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__SLOT", Long.toString(token.slot()),
                    "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__PIN", token.pin(),
                    "KC_SPI_CONDUIT_KEY_PROVIDER__PKCS11__KEY_LABELS", token.keyLabel()));
        } else {
            hsm = null;
        }
        if (kind == Kind.KEYSTORE) {
            keystore = keystoreWithKek(home.resolve("conduit-keks.p12"), "kek-it");
            processEnvironment.putAll(Map.of("KC_SPI_CONDUIT_KEY_PROVIDER__KEYSTORE__FILE", keystore.file().toString(),
                    "KC_SPI_CONDUIT_KEY_PROVIDER__KEYSTORE__PASSWORD", keystore.password(),
                    "KC_SPI_CONDUIT_KEY_PROVIDER__KEYSTORE__ALIASES", keystore.alias()));
        } else {
            keystore = null;
        }
        // Keycloak's dev-file database (its default URL's NON_KEYWORDS=VALUE), opened as a server from the first
        // process (AUTO_SERVER) so the test JVM can open it too while Keycloak runs
        this.h2Url = kind.ownH2()
                ? "jdbc:h2:file:" + home.resolve("data/h2/keycloakdb") + ";NON_KEYWORDS=VALUE;AUTO_SERVER=TRUE"
                : null;
        Path realmFile = Path.of(System.getProperty("conduit.realm.file", "../realm-exports/conduit-demo-realm.json"));
        int httpPort = Ports.free();
        int managementPort = Ports.free();
        this.managementUrl = "http://localhost:" + managementPort;
        this.logFile = home.resolve("keycloak-test.log");
        this.vaultDir = home.resolve("conduit-test-vault");
        this.keycloakUrl = "http://localhost:" + httpPort;
        this.adminPassword = Secrets.generate();

        sandbox = ProviderSandbox.start(0);
        clients = Map.of(
                Provider.SALESFORCE, client(Provider.SALESFORCE, "conduit-demo-salesforce", "salesforce"),
                Provider.HUBSPOT, client(Provider.HUBSPOT, "conduit-demo-hubspot", "hubspot"),
                Provider.GOOGLE, client(Provider.GOOGLE, "conduit-demo-google.apps.sandbox", "google"));
        clients.values().forEach(sandbox.engine()::register);
        googleStoredClient = client(Provider.GOOGLE, "conduit-demo-google-stored.apps.sandbox", GOOGLE_STORED_ALIAS);
        sandbox.engine().register(googleStoredClient);

        try {
            Path vault = vaultDir;
            TestFiles.deleteTree(vault);
            Files.createDirectories(vault);
            Files.writeString(vault.resolve(REALM + "_salesforce-client-secret"), clients.get(Provider.SALESFORCE).clientSecret());
            Files.writeString(vault.resolve(REALM + "_hubspot-client-secret"), clients.get(Provider.HUBSPOT).clientSecret());
            Files.writeString(vault.resolve(REALM + "_google-client-secret"), clients.get(Provider.GOOGLE).clientSecret());
            Files.writeString(vault.resolve(REALM + "_google-stored-client-secret"), googleStoredClient.clientSecret());

            Path importDir = home.resolve("data/import");
            TestFiles.deleteTree(home.resolve("data"));
            Files.createDirectories(importDir);
            String realm = Files.readString(realmFile)
                    .replace("http://localhost:8089", sandbox.baseUrl())
                    .replace("http://localhost:8080", keycloakUrl);
            Files.writeString(importDir.resolve("conduit-demo-realm.json"), realm);

            List<String> options = new ArrayList<>(List.of(
                    "--http-port=" + httpPort, "--http-management-port=" + managementPort,
                    "--import-realm", "--vault=file", "--vault-dir=" + vault,
                    "--log-level=INFO,dev.conduit:debug",
                    // Keycloak's outbound HTTP client (used for the brokers' token requests) has no connect timeout by default
                    "--spi-connections-http-client--default--establish-connection-timeout-millis=5000",
                    "--spi-connections-http-client--default--socket-timeout-millis=10000",
                    "--metrics-enabled=true",
                    // the test-only conduit-test-notes resource (jar conduit-test-providers), off unless this is set
                    "--spi-realm-restapi-extension--conduit-test-notes--enabled=true",
                    // the test-only floor exchange (same jar; audience=conduit-test-floor only), off unless this is set
                    "--spi-oauth2-token-exchange--conduit-test-floor--enabled=true",
                    // the console's client in master is an operator's choice (off by default); the console tests use it
                    "--spi-realm-restapi-extension--conduit-console--provision-master-client=true",
                    // Keycloak's own stored-token API (POST /realms/{realm}/broker/{alias}/token), for comparison
                    // benchmarks; replaces identity-brokering-api:v1 (one version of a feature at a time)
                    "--features=identity-brokering-api:v2",
                    // Keycloak's client-initiated account link (/broker/{alias}/link), off by default in 26.x: the
                    // account-link-url of the legacy exchange's answers goes there (LegacyExchangeIT)
                    "--spi-login-protocol--openid-connect--allow-client-initiated-account-linking=true"));
            if (withVault) {
                options.addAll(List.of(
                        // short upstream read timeout so the timeout tests run in seconds; the scheduled run is kept out
                        // of the way (tests trigger runs through the admin API so call counts stay exact)
                        KeycloakProcess.vaultOption("read-timeout-millis", kind == Kind.POOL ? "10000" : "2000"),
                        KeycloakProcess.vaultOption("refresh-interval-seconds", "3600"),
                        // refused-token reports: replacements 5 s apart instead of 30, so RefusedTokenIT's storm runs in
                        // seconds; under the option's deprecated name, which ServerInfoIT shows still works
                        KeycloakProcess.deprecatedVaultOption("refusal-spacing-seconds", "5"),
                        // an organization's connections under a data key of its own, destroyed with it (shredding ITs)
                        KeycloakProcess.vaultOption("data-key-per-organization", "true")));
                if (kind != Kind.PKCS11_ONLY) {
                    // the config key provider's key-encryption keys (for pkcs11: the ring of rows sealed before data
                    // keys, which the tests insert): generated per run, given outside the database
                    options.addAll(KeycloakProcess.vaultKeyOptions(vaultKeys, "it1"));
                }
                if (kind.pkcs11()) {
                    options.addAll(List.of("--spi-conduit-key-provider--provider=pkcs11",
                            KeycloakProcess.vaultOption("data-key-cache-size", "1")));
                }
                if (kind == Kind.KEYSTORE) {
                    options.add("--spi-conduit-key-provider--provider=keystore");
                }
                if (kind.ownH2()) {
                    options.addAll(List.of("--db=dev-file", "--db-url=" + h2Url, "--db-username=sa", "--db-password=" + h2Password));
                } else if (kind == Kind.POOL) {
                    options.addAll(Database.options(POOL_SCHEMA, POOL_APPLICATION));
                    options.addAll(List.of("--db-pool-max-size=" + maxPooled, "--db-pool-min-size=5", "--db-pool-initial-size=5"));
                } else {
                    options.addAll(Database.options());
                }
            } // without the vault: Keycloak's H2 in the copy's own data/, apart from the shared server's database
            String name = kind == Kind.SHARED ? "keycloak" : "keycloak-" + kind.name().toLowerCase().replace('_', '-');
            keycloak = KeycloakProcess.in(home).named(name).command("start-dev").options(options)
                    .environment(processEnvironment).bootstrapAdmin(adminPassword).log(logFile).start();
            again = KeycloakProcess.in(home).named(name).command("start-dev")
                    .options(options.stream().filter(option -> !option.equals("--import-realm")).toList())
                    .environment(processEnvironment).bootstrapAdmin(adminPassword).log(logFile);
            long ready = keycloak.awaitReady(URI.create(keycloakUrl + "/realms/" + REALM + "/.well-known/openid-configuration"),
                    Duration.ofMinutes(6));
            System.out.printf("Keycloak %s ready in %d ms (log: %s)%n", keycloakUrl, ready, logFile);
        } catch (IOException e) {
            sandbox.close();
            throw new UncheckedIOException(e);
        }
        admin = new AdminApi(keycloakUrl, adminPassword);
        admin.setPassword(REALM, admin.userIdByUsername(REALM, EXISTING_USER), existingUserPassword);
    }

    /**
     * A PKCS#12 keystore holding one AES-256 secret-key entry, made as docs/operations.md tells an operator:
     * {@code keytool -genseckey -keyalg AES -keysize 256 -storetype PKCS12}, the generated password passed to keytool
     * through its environment ({@code -storepass:env}), never on a command line.
     */
    private static KeystoreKek keystoreWithKek(Path file, String alias) {
        String password = Secrets.generate();
        try {
            Files.deleteIfExists(file);
            Files.createDirectories(file.getParent());
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            ProcessBuilder builder = new ProcessBuilder(keytool.toString(), "-genseckey", "-keyalg", "AES", "-keysize", "256",
                    "-alias", alias, "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass:env", "CONDUIT_KEYSTORE_PASSWORD")
                    .redirectErrorStream(true);
            builder.environment().put("CONDUIT_KEYSTORE_PASSWORD", password);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, java.util.concurrent.TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool -genseckey failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running keytool", e);
        }
        return new KeystoreKek(file, password, alias);
    }

    /**
     * The test JVM's H2 driver must be the distribution's (the pom names its version): AUTO_SERVER speaks H2's own
     * protocol to Keycloak's H2, so a Keycloak upgrade that changes it fails here, saying which version to use.
     */
    private static void requireSameH2(Path home) {
        String driverJar;
        try {
            driverJar = Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the H2 driver's jar", e);
        }
        Path expected = home.resolve("lib/lib/main/com.h2database." + driverJar);
        if (!Files.exists(expected)) {
            throw new IllegalStateException("the tests' H2 driver " + driverJar + " is not the distribution's (no " + expected
                    + "): set com.h2database:h2 in integration-tests/pom.xml to the version in lib/lib/main/");
        }
    }

    private SandboxClient client(Provider provider, String clientId, String alias) {
        return new SandboxClient(provider, clientId, Secrets.generate(),
                List.of(keycloakUrl + "/realms/" + REALM + "/broker/" + alias + "/endpoint"));
    }

    /** Dumps the flight recording {@link BenchProfiling} started (only when it did) to {@code file}. */
    public void dumpFlightRecording(Path file) {
        keycloak.dumpFlightRecording(BenchProfiling.RECORDING, file);
    }

    public void stop() {
        keycloak.stop();
        sandbox.close();
        if (kind == Kind.POOL) {
            Database.dropSchema(POOL_SCHEMA);
        }
    }

    /**
     * Stops Keycloak (gracefully) and starts it again with the same options and database, the sandbox left running; the
     * earlier log is kept as {@code keycloak-test-before-restart.log}. For environments a test class owns
     * ({@link #startWithPkcs11()}): close JDBC connections to an H2 environment first, since Keycloak's process holds its
     * database. Returns once the realm is served, in milliseconds from the new start.
     */
    public long restart() {
        keycloak.stop();
        try {
            Files.move(logFile, logFile.resolveSibling("keycloak-test-before-restart.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        keycloak = again.start();
        return keycloak.awaitReady(URI.create(keycloakUrl + "/realms/" + REALM + "/.well-known/openid-configuration"),
                Duration.ofMinutes(6));
    }

    /**
     * A JDBC connection to this server's database, as Keycloak's database user: H2 for {@link #onH2()}, else the
     * shared server's PostgreSQL ({@link Database}); skips the calling test when the shared server runs on H2
     * ({@code CONDUIT_TEST_DB=h2}), whose file Keycloak holds alone.
     */
    public Connection database(String what) throws SQLException {
        if (h2Url != null) {
            return DriverManager.getConnection(h2Url, "sa", h2Password);
        }
        if (kind == Kind.POOL) {
            return Database.connect(POOL_SCHEMA);
        }
        Database.requirePostgres(what);
        return Database.connect();
    }

    /** Which database this server runs on, for messages and test names. */
    public String databaseName() {
        return h2Url != null || !Database.postgres() ? "H2" : "PostgreSQL";
    }

    public ProviderSandbox sandbox() {
        return sandbox;
    }

    /** Keycloak's log of this run (its standard output). */
    public Path logFile() {
        return logFile;
    }

    public String keycloakUrl() {
        return keycloakUrl;
    }

    /** Keycloak's management interface: /metrics, /health. */
    public String managementUrl() {
        return managementUrl;
    }

    public String realmUrl() {
        return keycloakUrl + "/realms/" + REALM;
    }

    public AdminApi admin() {
        return admin;
    }

    /** The master realm's bootstrap admin password (generated per run). */
    public String adminPassword() {
        return adminPassword;
    }

    public String existingUserPassword() {
        return existingUserPassword;
    }

    /**
     * The token vault's key-encryption keys as passed to Keycloak ({@code id:base64}, the first id active), for
     * tests that write sealed rows directly (KeyRingConfig.parse). Key material: never print it.
     */
    /**
     * Writes a secret into Keycloak's file vault ({@code --vault-dir}) for {@code ${vault.<key>}} in {@code realm},
     * e.g. a test's own realm with a copy of the demo realm's brokers; Keycloak reads the file when it resolves it.
     */
    public void writeVaultSecret(String realm, String key, String secret) {
        try {
            Files.writeString(vaultDir.resolve(realm + "_" + key), secret);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The vault's {@code keys} option (the config key provider's KEKs); not given to {@link #startWithPkcs11Only()}'s server. */
    public String vaultKeys() {
        return vaultKeys;
    }

    public SandboxClient client(Provider provider) {
        return clients.get(provider);
    }

    /** The sandbox Google client registered for {@link #GOOGLE_STORED_ALIAS}; its secret is {@code ${vault.google-stored-client-secret}}. */
    public SandboxClient googleStoredClient() {
        return googleStoredClient;
    }

    /** Where the demo app's browser login starts; {@code idpHint} skips Keycloak's login page. */
    public String appLoginUrl(String idpHint) {
        return realmUrl() + "/protocol/openid-connect/auth?client_id=" + APP_CLIENT
                + "&response_type=code&scope=openid&redirect_uri=" + java.net.URLEncoder.encode(APP_REDIRECT, StandardCharsets.UTF_8)
                + "&code_challenge=" + APP_PKCE_CHALLENGE + "&code_challenge_method=S256"
                + "&state=" + Secrets.generate()
                + (idpHint == null ? "" : "&kc_idp_hint=" + idpHint);
    }
}
