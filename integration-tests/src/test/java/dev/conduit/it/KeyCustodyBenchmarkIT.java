package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.ExchangeLoad.form;
import static dev.conduit.it.support.ExchangeLoad.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import javax.crypto.SecretKey;

import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.CopiedRowOpener;
import dev.conduit.it.support.DataKeysDb;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.ExchangeLoad;
import dev.conduit.it.support.ExchangeLoad.UserTokens;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.RowCount;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.vault.crypto.DataKeySource;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.keys.ConfigKeyEncryptionKeys;
import dev.conduit.vault.keys.DataKeyCache;
import dev.conduit.vault.keys.DataKeyScope;
import dev.conduit.vault.keys.DataKeys;
import dev.conduit.vault.keys.SealedDataKey;
import dev.conduit.vault.keys.WrappedKey;
import dev.conduit.vault.store.DataKeyEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 16's key-custody figures (run only with {@code -Pbenchmark}; asserts correctness, never timing):
 * <ol>
 *   <li>Exchange throughput and latency with the {@code config} key provider (the shared server) against the
 *       {@code pkcs11} one (a second server whose KEK is in a SoftHSM2 token, {@link ConduitEnvironment#startWithPkcs11()}),
 *       the same Google connection and caller load as ExchangeBenchmarkIT ({@link ExchangeLoad}), interleaved rounds in
 *       the same run; a third server, {@link ConduitEnvironment#onH2()} ({@code config} on H2, as the pkcs11 server's
 *       database is), gives the like-for-like ratio. All cache unwrapped data keys, so the steady state unwraps nothing; the cold figure is the
 *       pkcs11 server's exchange whose data key is not in memory: with {@code data-key-cache-size=1} there, exchanges
 *       alternating between a user's connection (the realm's data key) and an organization's (its own data key) each
 *       unwrap at the HSM.</li>
 *   <li>KEK rotation over {@code conduit.bench.custody.connections} rows in {@code conduit.bench.custody.realms} realms
 *       on the shared server ({@code config} provider, PostgreSQL): each realm's data key wrapped under the older KEK
 *       {@code it0} and the rows sealed v2 under it with {@link TokenCipher} (as the server seals them), then
 *       {@code POST rotate-key} rewraps under the active KEK {@code it1}: the state a restart with a new active KEK
 *       meets. Measured: the rewrap's time, the data keys rewrapped (the server's log line; expect one per realm) and the
 *       connection rows touched (a digest of every row's id, sealed columns, key id and VERSION before and after; expect
 *       none); an exchange on a seeded connection answers 200 afterwards.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyCustodyBenchmarkIT {

    private static final int REQUESTS = Integer.getInteger("conduit.bench.requests", 2000);
    private static final int CONCURRENCY = Integer.getInteger("conduit.bench.concurrency", 8);
    private static final int WARMUP = Integer.getInteger("conduit.bench.warmup", 200);
    private static final int ROUNDS = Math.max(1, Math.min(REQUESTS,
            Integer.getInteger("conduit.bench.rounds", Math.max(1, Math.min(10, REQUESTS / 500)))));
    private static final int COLD = Integer.getInteger("conduit.bench.custody.cold", 20);
    private static final int CONNECTIONS = Integer.getInteger("conduit.bench.custody.connections", 2000);
    private static final int REALMS = Integer.getInteger("conduit.bench.custody.realms", 3);
    private static final String BENCH = "key-custody";
    private static final String SEED_OWNER = "custody-bench-";
    private static final String SEED_REALM = "custody-bench-";
    private static final int INSERT_BATCH = 1000;
    private static final Account GOOGLE_ACCOUNT = Accounts.GOOGLE_CLAUDE;
    private static final Map<String, String> GOOGLE_EXCHANGE = Map.of(
            "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
            "audience", "google");

    private final ConduitEnvironment config = ConduitEnvironment.get();
    private ConduitEnvironment pkcs11;
    private ConduitEnvironment configOnH2;
    private final List<String> createdRealms = new ArrayList<>();

    @BeforeAll
    void start() {
        pkcs11 = ConduitEnvironment.startWithPkcs11();
    }

    @AfterAll
    void stop() throws SQLException {
        if (pkcs11 != null) {
            pkcs11.stop();
        }
        if (configOnH2 != null) {
            configOnH2.admin().deleteUserByEmail(REALM, GOOGLE_ACCOUNT.email());
        }
        config.admin().deleteUserByEmail(REALM, GOOGLE_ACCOUNT.email());
        for (String realm : createdRealms) {
            config.admin().call("DELETE", realm, null);
        }
        if (Database.postgres()) {
            try (Connection db = Database.connect(); Statement delete = db.createStatement()) {
                delete.executeUpdate("delete from conduit_connection where owner_id like '" + SEED_OWNER + "%'");
            }
        }
    }

    // ---- 1. exchange throughput: config against pkcs11 ---------------------------------------------

    @Test
    void exchangeWithPkcs11AgainstConfig() throws Exception {
        ExchangeLoad load = new ExchangeLoad(BENCH, CONCURRENCY);
        configOnH2 = ConduitEnvironment.onH2();
        UserTokens configUser = googleUser(config);
        UserTokens configH2User = googleUser(configOnH2);
        UserTokens pkcs11User = googleUser(pkcs11);
        ExchangeLoad.Target configTarget = exchangeTarget(load, "config", config, configUser);
        ExchangeLoad.Target configH2Target = exchangeTarget(load, "config_h2", configOnH2, configH2User);
        ExchangeLoad.Target pkcs11Target = exchangeTarget(load, "pkcs11", pkcs11, pkcs11User);
        List<ExchangeLoad.Target> targets = List.of(configTarget, configH2Target, pkcs11Target);
        List<UserTokens> users = List.of(configUser, configH2User, pkcs11User);

        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            for (int i = 0; i < targets.size(); i++) {
                users.get(i).renew();
                targets.get(i).run(pool, WARMUP, false);
            }
            for (int round = 0; round < ROUNDS; round++) {
                int block = REQUESTS / ROUNDS + (round < REQUESTS % ROUNDS ? 1 : 0);
                for (int i = 0; i < targets.size(); i++) {
                    int which = (round + i) % targets.size();
                    users.get(which).renew();
                    targets.get(which).run(pool, block, true);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(Locale.ROOT, "BENCHMARK %s setup requests=%d concurrency=%d warmup=%d rounds=%d"
                        + " order=interleaved-rounds config_db=%s config_h2_db=%s pkcs11_db=%s elapsed_s=%.1f%n", BENCH, REQUESTS,
                CONCURRENCY, WARMUP, ROUNDS, config.databaseName(), configOnH2.databaseName(), pkcs11.databaseName(),
                (System.nanoTime() - started) / 1e9);
        targets.forEach(t -> System.out.println(t.line()));
        // like for like: the pkcs11 server runs on H2 (startWithPkcs11), as does onH2()'s config server
        System.out.println(load.ratio(pkcs11Target, configH2Target));
        System.out.println(load.ratio(pkcs11Target, configTarget));
        for (ExchangeLoad.Target target : targets) {
            assertThat(target.errors()).as(target.name() + " errors " + target.errorSummary()).isZero();
            assertThat(target.measured()).as(target.name() + " measured requests").isEqualTo(REQUESTS);
        }

        coldExchangesOnPkcs11(pkcs11User);
    }

    private ExchangeLoad.Target exchangeTarget(ExchangeLoad load, String name, ConduitEnvironment env, UserTokens user) {
        AppTokens apps = new AppTokens(env);
        String upstream = ok(apps.exchange(user.access(), Map.of("audience", "google")), name + " exchange").get("access_token").asText();
        assertThat(env.sandbox().engine().accessTokenActive(upstream)).as(name + " serves the live sandbox token").isTrue();
        String basic = AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret());
        String tokenUrl = env.realmUrl() + "/protocol/openid-connect/token";
        return load.target(name, upstream, () -> {
            Map<String, String> exchange = new HashMap<>(GOOGLE_EXCHANGE);
            exchange.put("subject_token", user.access());
            return form(tokenUrl, basic, exchange);
        });
    }

    private static UserTokens googleUser(ConduitEnvironment env) {
        env.admin().deleteUserByEmail(REALM, GOOGLE_ACCOUNT.email());
        return UserTokens.login(env, "google", GOOGLE_ACCOUNT);
    }

    /**
     * The pkcs11 server keeps one unwrapped data key: exchanges alternating between the user's connection (the realm's
     * data key) and an organization's server connection (the organization's data key) each unwrap at the HSM; the same
     * user exchange repeated back to back unwraps nothing. Sequential requests, one at a time.
     */
    private void coldExchangesOnPkcs11(UserTokens user) throws Exception {
        AppTokens apps = new AppTokens(pkcs11);
        String password = Secrets.generate();
        Organizations organizations = new Organizations(pkcs11, password);
        String alias = "conduit-bench-custody";
        String organizationId = organizations.create(alias, "Custody Bench Org", "custody-bench.example");
        organizations.createUser("custody-member");
        organizations.addMember(organizationId, "custody-member");
        String serverToken = pkcs11.sandbox().engine().serverToServer().createHubSpotPrivateApp("7474", Set.of("crm.objects.contacts.read"));
        HttpResponse<String> server = new ServerConnectionsApi(pkcs11.admin(), REALM).create(organizationId, "hubspot",
                "hubspot-private-app", Map.of("access_token", serverToken, "scopes", "crm.objects.contacts.read"));
        assertThat(server.statusCode()).as(server.body()).isEqualTo(201);
        String memberToken = apps.passwordLogin("custody-member", password);
        Map<String, String> organizationExchange = Map.of("audience", "hubspot", "organization", alias, "scope", "crm.contacts.read");
        user.renew();

        long[] warm = new long[COLD];
        ok(apps.exchange(user.access(), Map.of("audience", "google")), "warm-up");
        for (int i = 0; i < COLD; i++) {
            long t0 = System.nanoTime();
            ok(apps.exchange(user.access(), Map.of("audience", "google")), "warm exchange");
            warm[i] = System.nanoTime() - t0;
        }
        long[] cold = new long[COLD];
        long[] coldOrganization = new long[COLD];
        for (int i = 0; i < COLD; i++) {
            long t0 = System.nanoTime();
            assertThat(ok(apps.exchange(memberToken, organizationExchange), "organization exchange").get("access_token").asText())
                    .isEqualTo(serverToken);
            coldOrganization[i] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            ok(apps.exchange(user.access(), Map.of("audience", "google")), "cold exchange");
            cold[i] = System.nanoTime() - t0;
        }
        Arrays.sort(warm);
        Arrays.sort(cold);
        Arrays.sort(coldOrganization);
        System.out.printf(Locale.ROOT, "BENCHMARK %s cold provider=pkcs11 samples=%d concurrency=1"
                        + " warm_p50_ms=%.2f warm_max_ms=%.2f cold_user_p50_ms=%.2f cold_user_max_ms=%.2f"
                        + " cold_organization_p50_ms=%.2f hsm_unwraps=%d (one per cold exchange: data-key-cache-size=1,"
                        + " two scopes alternating; the server exposes no unwrap counter)%n", BENCH, COLD,
                ExchangeLoad.percentileMillis(warm, 0.5), ExchangeLoad.percentileMillis(warm, 1.0),
                ExchangeLoad.percentileMillis(cold, 0.5), ExchangeLoad.percentileMillis(cold, 1.0),
                ExchangeLoad.percentileMillis(coldOrganization, 0.5), 2 * COLD);
    }

    // ---- 2. KEK rotation over many connections in many realms ---------------------------------------

    @Test
    void kekRotationRewrapsOneDataKeyPerRealmAndTouchesNoConnectionRow() throws Exception {
        Database.requirePostgres("seeds and digests CONDUIT_CONNECTION over JDBC");
        AppTokens apps = new AppTokens(config);
        VaultApi vault = new VaultApi(config);
        DataKeys underOldKek = new DataKeys(ConfigKeyEncryptionKeys.parse(config.vaultKeys(), "it0"),
                new DataKeyCache(Duration.ofMinutes(10), REALMS + 1, Clock.systemUTC()));

        // the demo realm: a real user's connection, migrated by the server under the realm's data key
        String password = Secrets.generate();
        String username = "custody-user";
        HttpResponse<String> created = config.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", "custody@members.example", "emailVerified", true, "enabled", true, "firstName", "Cus",
                "lastName", "Tody", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isIn(201, 409);
        String userId = config.admin().userIdByUsername(REALM, username);
        MintedGrant grant = config.sandbox().engine().mintGrant(Provider.HUBSPOT, config.client(Provider.HUBSPOT).clientId(),
                Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));
        try (Connection db = seedingConnection()) {
            String demoRealmId = KeyRotationIT.realmId(db);
            try (PreparedStatement delete = db.prepareStatement("delete from conduit_connection where realm_id = ? and owner_id = ?")) {
                delete.setString(1, demoRealmId);
                delete.setString(2, userId);
                delete.executeUpdate();
            }
            KeyRotationIT.insertSealedUnderOldKey(config, db, UUID.randomUUID().toString(), demoRealmId, userId, grant);
            assertThat(vault.rotateKey().get("state").asText()).as("migrated under the realm's data key").isEqualTo("FINISHED");

            List<String> realmIds = new ArrayList<>(List.of(demoRealmId));
            for (int r = 1; r < REALMS; r++) {
                String name = SEED_REALM + r;
                config.admin().call("DELETE", name, null);
                HttpResponse<String> made = config.admin().call("POST", "", Map.of("realm", name, "enabled", true));
                assertThat(made.statusCode()).as("create realm " + name).isEqualTo(201);
                createdRealms.add(name);
                realmIds.add(config.admin().get(name).get("id").asText());
            }

            // every realm's data key under the older KEK it0 (the demo realm's rewrapped back, the others made so)
            List<SealedDataKey> realmKeys = new ArrayList<>();
            for (String realmId : realmIds) {
                realmKeys.add(underOldKek(db, underOldKek, realmId));
            }
            assertThat(RowCount.of(db, "select count(*) from conduit_data_key where kek_id <> 'it1'"))
                    .as("data keys not under the active KEK before the rotation").isEqualTo(REALMS);

            long seedStarted = System.nanoTime();
            int seeded = seed(db, underOldKek, realmKeys);
            long seedMillis = (System.nanoTime() - seedStarted) / 1_000_000;
            Map<String, String> digestBefore = connectionDigest(db);
            long rowsBefore = RowCount.of(db, "select count(*) from conduit_connection");
            Map<String, String> wrappedBefore = wrappedDataKeys(db);
            long logBefore = Files.size(config.logFile());

            long rotateStarted = System.nanoTime();
            HttpResponse<String> rotate = config.admin().call("POST", REALM + "/conduit-vault/rotate-key", null);
            long rotateMillis = (System.nanoTime() - rotateStarted) / 1_000_000;
            assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(202);
            String finished = vault.rotateKey().get("state").asText();

            Map<String, String> digestAfter = connectionDigest(db);
            long touched = digestBefore.entrySet().stream().filter(e -> !e.getValue().equals(digestAfter.get(e.getKey()))).count()
                    + digestAfter.keySet().stream().filter(id -> !digestBefore.containsKey(id)).count();
            Map<String, String> wrappedAfter = wrappedDataKeys(db);
            long rewrappedRows = wrappedBefore.keySet().stream().filter(id -> !wrappedBefore.get(id).equals(wrappedAfter.get(id))).count();
            long notUnderActive = RowCount.of(db, "select count(*) from conduit_data_key where kek_id <> 'it1'");
            Integer rewrappedLogged = rewrappedInLog(logBefore);
            HttpResponse<String> exchange = apps.exchange(apps.passwordLogin(username, password), Map.of("audience", "hubspot"));
            CopiedRowOpener opener = new CopiedRowOpener(db, config.vaultKeys(), "it1");
            int opened = 0;
            for (String realmId : realmIds) {
                CopiedRowOpener.Copy copy = CopiedRowOpener.copy(db, realmId, null).get(0);
                assertThat(opener.accessToken(copy)).isNotBlank();
                opened++;
            }

            System.out.printf(Locale.ROOT, "BENCHMARK %s kek-rotation provider=config db=%s connections=%d realms=%d"
                            + " seeded=%d seed_ms=%d rotate_key_ms=%d data_keys_rewrapped=%s data_keys_changed=%d"
                            + " data_keys_not_under_active_after=%d connection_rows=%d rows_touched=%d background_run=%s"
                            + " exchange_after=%d rows_opened_with_new_kek=%d%n", BENCH, config.databaseName(), CONNECTIONS,
                    REALMS, seeded, seedMillis, rotateMillis, rewrappedLogged, rewrappedRows, notUnderActive, rowsBefore,
                    touched, finished, exchange.statusCode(), opened);

            assertThat(rewrappedRows).as("data keys rewrapped").isEqualTo(REALMS);
            assertThat(rewrappedLogged).as("the server's count of data keys rewrapped").isEqualTo(REALMS);
            assertThat(notUnderActive).isZero();
            assertThat(touched).as("connection rows touched").isZero();
            assertThat(ok(exchange, "exchange after the rotation").get("access_token").asText()).isEqualTo(grant.accessToken());
        }
    }

    /** The realm's ACTIVE data key, wrapped under it0: rewrapped so when the server made it, else made so. */
    private static SealedDataKey underOldKek(Connection db, DataKeys underOldKek, String realmId) throws SQLException {
        String id = DataKeysDb.active(db, realmId, null);
        if (id == null) {
            SealedDataKey made = underOldKek.create(realmId, null);
            try (PreparedStatement insert = db.prepareStatement("insert into conduit_data_key (id, realm_id, organization_id,"
                    + " wrapped, kek_id, state, created_at, active_scope) values (?, ?, null, ?, ?, 'ACTIVE', ?, ?)")) {
                insert.setString(1, made.scope().dataKeyId());
                insert.setString(2, realmId);
                insert.setString(3, made.wrapped().stored());
                insert.setString(4, made.wrapped().kekId());
                insert.setLong(5, System.currentTimeMillis() / 1000);
                insert.setString(6, DataKeyEntity.scope(realmId, null));
                insert.executeUpdate();
            }
            return made;
        }
        String wrapped;
        try (PreparedStatement query = db.prepareStatement("select wrapped from conduit_data_key where id = ?")) {
            query.setString(1, id);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                wrapped = rs.getString(1);
            }
        }
        SealedDataKey rewrapped = underOldKek.rewrap(new SealedDataKey(DataKeyScope.realm(realmId, id), WrappedKey.parse(wrapped)));
        try (PreparedStatement update = db.prepareStatement("update conduit_data_key set wrapped = ?, kek_id = ? where id = ?")) {
            update.setString(1, rewrapped.wrapped().stored());
            update.setString(2, rewrapped.wrapped().kekId());
            update.setString(3, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        return rewrapped;
    }

    /** {@link #CONNECTIONS} rows over the realms (the demo realm's real one counted), sealed v2 under each realm's key. */
    private static int seed(Connection db, DataKeys keys, List<SealedDataKey> realmKeys) throws SQLException {
        Map<String, DataKeySource.SealingKey> sealing = new HashMap<>();
        for (SealedDataKey sealed : realmKeys) {
            SecretKey key = keys.key(sealed);
            sealing.put(sealed.scope().realmId(), new DataKeySource.SealingKey(sealed.scope().dataKeyId(), key));
        }
        // the refresh token's fingerprint too, under the realm's data key as every seal writes it (a row without one, or
        // with one under another key, is re-fingerprinted by the rotation run)
        TokenFingerprints fingerprints = new TokenFingerprints(dev.conduit.vault.crypto.KeyRing.empty(),
                new dev.conduit.vault.crypto.RealmKeys() {
                    @Override
                    public DataKeySource.SealingKey realmActive(String realmId) {
                        return sealing.get(realmId);
                    }

                    @Override
                    public List<DataKeySource.SealingKey> realmKeys(String realmId) {
                        return List.of(sealing.get(realmId));
                    }

                    @Override
                    public SecretKey realmOpening(String dataKeyId, String realmId) {
                        throw new UnsupportedOperationException("the seed opens nothing");
                    }
                });
        TokenCipher cipher = new TokenCipher(KeyRingConfig.parse(ConduitEnvironment.get().vaultKeys(), "it1"), new DataKeySource() {
            @Override
            public SealingKey active(TokenOwner owner) {
                return sealing.get(owner.realmId());
            }

            @Override
            public SealingKey parked() {
                throw new UnsupportedOperationException("the seed parks nothing");
            }

            @Override
            public SecretKey opening(String dataKeyId, TokenOwner owner) {
                return sealing.get(owner.realmId()).key();
            }
        });
        int rows = CONNECTIONS - 1;
        long now = System.currentTimeMillis() / 1000;
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try (PreparedStatement insert = db.prepareStatement("insert into conduit_connection (id, realm_id, owner_kind, owner_id,"
                + " provider_alias, provider_id, account_id, organization_id, access_token, refresh_token, key_id, scopes,"
                + " issued_at, expires_at, status, connected_by, connected_at, version, last_refresh_at, next_refresh_at,"
                + " failure_count, health_checked_at, refresh_fingerprint) values (?, ?, 'USER', ?, 'hubspot', 'conduit-hubspot', ?, ?, ?, ?, ?,"
                + " 'oauth crm.objects.contacts.read', ?, ?, 'HEALTHY', ?, ?, 0, ?, ?, 0, ?, ?)")) {
            for (int start = 0; start < rows; start += INSERT_BATCH) {
                List<String[]> batch = IntStream.range(start, Math.min(start + INSERT_BATCH, rows)).parallel().mapToObj(i -> {
                    String realmId = realmKeys.get(i % realmKeys.size()).scope().realmId();
                    String owner = SEED_OWNER + i;
                    TokenOwner access = TokenOwner.user(realmId, owner, "hubspot", "access");
                    TokenCipher.Sealer sealer = cipher.sealer(access);
                    String refresh = "custody-refresh-" + i;
                    return new String[] {realmId, owner, sealer.encrypt("custody-access-" + i, access),
                            sealer.encrypt(refresh, TokenOwner.user(realmId, owner, "hubspot", "refresh")),
                            sealer.keyId(), fingerprints.of(realmId, "hubspot", refresh)};
                }).toList();
                for (String[] row : batch) {
                    int c = 1;
                    insert.setString(c++, UUID.randomUUID().toString());
                    insert.setString(c++, row[0]);
                    insert.setString(c++, row[1]);
                    insert.setString(c++, "hs-" + row[1]);
                    insert.setString(c++, Accounts.HUBSPOT_HUB);
                    insert.setString(c++, row[2]);
                    insert.setString(c++, row[3]);
                    insert.setString(c++, row[4]);
                    insert.setLong(c++, now);
                    insert.setLong(c++, now + 86_400);
                    insert.setString(c++, row[1]);
                    insert.setLong(c++, now);
                    insert.setLong(c++, now);
                    // due tomorrow and health-checked now: no scheduled run touches them during the measurement
                    insert.setLong(c++, now + 86_400);
                    insert.setLong(c++, now);
                    insert.setString(c++, row[5]);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
        try (Statement analyze = db.createStatement()) {
            analyze.execute("analyze conduit_connection");
        }
        return rows;
    }

    /** Every connection row's digest of its sealed columns, key id, fingerprint and VERSION (PostgreSQL's md5), by id. */
    private static Map<String, String> connectionDigest(Connection db) throws SQLException {
        Map<String, String> digests = new HashMap<>();
        try (Statement query = db.createStatement(); ResultSet rs = query.executeQuery("select id, md5(coalesce(access_token, '')"
                + " || ':' || coalesce(refresh_token, '') || ':' || coalesce(key_id, '') || ':' || coalesce(refresh_fingerprint, '')"
                + " || ':' || version) from conduit_connection")) {
            while (rs.next()) {
                digests.put(rs.getString(1), rs.getString(2));
            }
        }
        return digests;
    }

    private static Map<String, String> wrappedDataKeys(Connection db) throws SQLException {
        Map<String, String> wrapped = new HashMap<>();
        try (Statement query = db.createStatement(); ResultSet rs = query.executeQuery("select id, wrapped, kek_id from conduit_data_key")) {
            while (rs.next()) {
                wrapped.put(rs.getString(1), rs.getString(3) + ":" + rs.getString(2));
            }
        }
        return wrapped;
    }

    /** The count of the server's "Rewrapped N data key(s)" line written after {@code offset} of its log, or null. */
    private Integer rewrappedInLog(long offset) throws java.io.IOException {
        String log = Files.readString(config.logFile());
        Matcher rewrapped = Pattern.compile("Rewrapped (\\d+) data key").matcher(log.substring((int) Math.min(offset, log.length())));
        return rewrapped.find() ? Integer.valueOf(rewrapped.group(1)) : null;
    }

    private static Connection seedingConnection() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", Database.user());
        properties.setProperty("password", Database.password());
        properties.setProperty("reWriteBatchedInserts", "true");
        return DriverManager.getConnection(Database.url(), properties);
    }
}
