package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.ConnectionRow;
import dev.conduit.it.support.ExchangeLoad;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.crypto.TokenOwner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 3: pool pressure. A Keycloak of its own on PostgreSQL with a database pool of {@value #POOL} connections
 * ({@link ConduitEnvironment#startWithDatabasePool}); {@value #CONNECTIONS} users, each with a HubSpot connection whose
 * access token has expired; the provider answers each refresh after {@value #PROVIDER_MILLIS} ms; then {@value #CALLERS}
 * callers ({@value #PER_CONNECTION} per connection) exchange at once. Every caller must be answered 200 with its
 * connection's new token (no pool timeout: no 500, no 503, and no Agroal "acquisition timeout" in Keycloak's log), and the
 * provider must see exactly one refresh per connection. Meanwhile PostgreSQL's {@code pg_stat_activity} is sampled for the
 * server's connections (by their application name): how many are open, how many in use (in a statement or a
 * transaction), how many wait on a lock. Prints the figures (wall time, p50/p99 of the answers, the samples' maxima).
 *
 * <p>The connections are written over JDBC, sealed under the active key (v1, as before data keys), then re-sealed by the
 * server's own key rotation under the realm's data key, so what the storm refreshes is what the server wrote. Before the
 * storm each user exchanges once with a fresh token (the steady state of apps in use: Keycloak's caches hold the users,
 * their sessions and the client); then the access tokens expire through the vault's admin API.
 */
class PoolPressureIT {

    private static final int POOL = 20;
    private static final int CONNECTIONS = 50;
    private static final int PER_CONNECTION = 4;
    private static final int CALLERS = CONNECTIONS * PER_CONNECTION;
    private static final long PROVIDER_MILLIS = 2_000;
    private static final long SAMPLE_MILLIS = 50;
    private static final Map<String, String> HUBSPOT = Map.of("audience", "hubspot");
    private static final Set<String> SCOPES = Set.of("oauth", "crm.objects.contacts.read");
    /** The pool's connections as PostgreSQL sees them: open, in use (a statement or a transaction), waiting on a lock. */
    private static final String POOL_ACTIVITY = "select count(*),"
            + " count(*) filter (where state = 'active' or state like 'idle in transaction%'),"
            + " count(*) filter (where wait_event_type = 'Lock')"
            + " from pg_stat_activity where application_name = ?";

    private static ConduitEnvironment env;

    @BeforeAll
    static void start() {
        env = ConduitEnvironment.startWithDatabasePool(POOL);
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.stop();
        }
    }

    /** One user with a connection: the app's token for the user, the connection, its access token before the storm. */
    private record User(String subjectToken, String connectionId, String before) {
    }

    /** One caller's answer: its user, status, the access token (null when none) and the time to the answer. */
    private record Answer(int user, int status, String error, String accessToken, long nanos) {
    }

    @Test
    void twoHundredCallersOverFiftyExpiredConnectionsWithASlowProviderAndAPoolOfTwentyAreAllAnswered() throws Exception {
        SandboxEngine sandbox = env.sandbox().engine();
        AppTokens apps = new AppTokens(env);
        VaultApi vault = new VaultApi(env);
        List<User> users = connectedUsers(apps, vault);

        users.forEach(user -> vault.expireAccessToken(user.connectionId()));
        long logOffset = Files.size(env.logFile());
        int refreshesBefore = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token");
        sandbox.injectFault(Provider.HUBSPOT, Endpoint.TOKEN, Fault.delay(PROVIDER_MILLIS), CONNECTIONS);

        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            int index = i % CONNECTIONS;
            futures.add(callers.submit(() -> {
                go.await();
                long t0 = System.nanoTime();
                HttpResponse<String> response;
                try {
                    response = apps.exchange(users.get(index).subjectToken(), HUBSPOT);
                } catch (UncheckedIOException e) {
                    // no answer within the client's 60 s (a server stuck on its pool) is a failure like a 500
                    return new Answer(index, -1, e.getCause().getClass().getSimpleName(), null, System.nanoTime() - t0);
                }
                long nanos = System.nanoTime() - t0;
                String token = response.statusCode() == 200 ? AppTokens.json(response).path("access_token").asText(null) : null;
                return new Answer(index, response.statusCode(), response.statusCode() == 200 ? null
                        : ExchangeLoad.errorOf(response), token, nanos);
            }));
        }
        Sampler sampler = new Sampler();
        Thread sampling = new Thread(sampler, "pool-sampler");
        sampling.start();
        long started = System.nanoTime();
        go.countDown();
        List<Answer> answers = new ArrayList<>();
        try {
            for (Future<Answer> future : futures) {
                answers.add(future.get(90, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
            sampler.stop.set(true);
            sampling.join(10_000);
        }
        long wallMillis = (System.nanoTime() - started) / 1_000_000;
        int refreshes = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token") - refreshesBefore;
        sandbox.clearFaults();

        long[] nanos = answers.stream().mapToLong(Answer::nanos).sorted().toArray();
        Map<String, Integer> failures = new TreeMap<>();
        answers.stream().filter(a -> a.status() != 200).forEach(a -> failures.merge(a.status() + " " + a.error(), 1, Integer::sum));
        String log = Files.readString(env.logFile(), StandardCharsets.UTF_8);
        String logSince = log.substring((int) Math.min(logOffset, log.length()));
        // Agroal's "Sorry, acquisition timeout!", and Hibernate's wrapping of it
        long poolTimeouts = logSince.lines().map(l -> l.toLowerCase(Locale.ROOT))
                .filter(l -> l.contains("acquisition timeout") || l.contains("unable to acquire jdbc connection")).count();
        System.out.printf(Locale.ROOT, "FIGURE pool-pressure db=PostgreSQL db_pool_max=%d connections=%d callers=%d"
                        + " provider_ms=%d wall_ms=%d p50_ms=%.0f p99_ms=%.0f max_ms=%.0f answered_200=%d refreshes=%d"
                        + " samples=%d max_pooled_open=%d max_pooled_in_use=%d max_waiting_on_lock=%d"
                        + " acquisition_timeouts_in_log=%d failures=%s%n",
                POOL, CONNECTIONS, CALLERS, PROVIDER_MILLIS, wallMillis, ExchangeLoad.percentileMillis(nanos, 0.50),
                ExchangeLoad.percentileMillis(nanos, 0.99), ExchangeLoad.percentileMillis(nanos, 1.0),
                answers.stream().filter(a -> a.status() == 200).count(), refreshes, sampler.samples, sampler.maxOpen,
                sampler.maxInUse, sampler.maxLockWaits, poolTimeouts, failures);

        assertThat(failures).as("callers not answered 200 (status and error)").isEmpty();
        assertThat(poolTimeouts).as("Agroal's acquisition timeouts in Keycloak's log during the storm").isZero();
        assertThat(refreshes).as("refresh calls the provider received: one per connection").isEqualTo(CONNECTIONS);
        assertThat(wallMillis).as("the provider's slow answers were waited for").isGreaterThanOrEqualTo(PROVIDER_MILLIS);
        assertThat(sampler.samples).as("pg_stat_activity samples during the storm").isPositive();
        assertThat(sampler.maxOpen).as("the server's pooled connections never exceed its pool").isLessThanOrEqualTo(POOL);
        Map<Integer, Set<String>> tokensByUser = new HashMap<>();
        answers.forEach(a -> tokensByUser.computeIfAbsent(a.user(), k -> new HashSet<>()).add(a.accessToken()));
        for (int i = 0; i < CONNECTIONS; i++) {
            Set<String> tokens = tokensByUser.get(i);
            assertThat(tokens).as("the callers of connection %d got one token", i).hasSize(1);
            String token = tokens.iterator().next();
            assertThat(token).as("connection %d's expired token was served", i).isNotEqualTo(users.get(i).before());
            assertThat(sandbox.accessTokenActive(token)).as("connection %d's token is one the provider issued and holds", i).isTrue();
        }
        assertThat(tokensByUser.values().stream().flatMap(Set::stream).distinct().count())
                .as("each connection its own new token").isEqualTo(CONNECTIONS);
        // the new tokens are the connections' own: served again without a refresh
        for (int i = 0; i < CONNECTIONS; i++) {
            String again = VaultRefreshIT.ok(apps.exchange(users.get(i).subjectToken(), HUBSPOT)).get("access_token").asText();
            assertThat(again).as("connection %d serves the token its callers got", i).isEqualTo(tokensByUser.get(i).iterator().next());
        }
        assertThat(sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token") - refreshesBefore).as("no refresh after the storm")
                .isEqualTo(CONNECTIONS);
    }

    /**
     * {@value #CONNECTIONS} users with a password, each signed in to the demo app and holding a HubSpot connection with
     * a grant of its own at the sandbox, served once (fresh) so the caches hold what the storm's requests read.
     */
    private List<User> connectedUsers(AppTokens apps, VaultApi vault) throws Exception {
        String password = Secrets.generate();
        List<String> userIds = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            String username = "pool-user-" + i;
            HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                    "email", username + "@pool.example", "emailVerified", true, "enabled", true, "firstName", "Pool",
                    "lastName", "User" + i, "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            userIds.add(env.admin().userIdByUsername(REALM, username));
        }
        List<MintedGrant> grants = new ArrayList<>();
        try (Connection db = env.database("seeds CONDUIT_CONNECTION")) {
            String realmId = KeyRotationIT.realmId(db);
            for (String userId : userIds) {
                MintedGrant grant = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                        Accounts.HUBSPOT_GRACE.userId(), SCOPES);
                insertConnection(db, realmId, userId, grant);
                grants.add(grant);
            }
        }
        // the server re-seals them under the realm's data key, as it does every row sealed before data keys
        assertThat(vault.rotateKey().get("state").asText()).as("the seeded rows re-sealed by the server").isEqualTo("FINISHED");

        ExecutorService logins = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> tokens = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                String username = "pool-user-" + i;
                tokens.add(logins.submit(() -> apps.passwordLogin(username, password)));
            }
            List<User> users = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                String subjectToken = tokens.get(i).get(60, TimeUnit.SECONDS);
                String served = VaultRefreshIT.ok(apps.exchange(subjectToken, HUBSPOT)).get("access_token").asText();
                assertThat(served).as("user %d's connection serves its grant", i).isEqualTo(grants.get(i).accessToken());
                users.add(new User(subjectToken, vault.connection("USER", userIds.get(i), "hubspot").get("id").asText(), served));
            }
            return users;
        } finally {
            logins.shutdownNow();
        }
    }

    /** A HubSpot connection of {@code userId} holding {@code grant}, sealed under the active key (v1), due in a day. */
    private static void insertConnection(Connection db, String realmId, String userId, MintedGrant grant) throws SQLException {
        KeyRing keys = KeyRingConfig.parse(env.vaultKeys(), "it1");
        TokenCipher cipher = new TokenCipher(keys);
        long now = System.currentTimeMillis() / 1000;
        ConnectionRow.healthy(UUID.randomUUID().toString(), realmId, "USER", userId, "hubspot", "conduit-hubspot", now)
                .set("account_id", Accounts.HUBSPOT_GRACE.userId())
                .set("organization_id", Accounts.HUBSPOT_HUB)
                .set("access_token", cipher.encrypt(grant.accessToken(), TokenOwner.user(realmId, userId, "hubspot", "access")))
                .set("refresh_token", cipher.encrypt(grant.refreshToken(), TokenOwner.user(realmId, userId, "hubspot", "refresh")))
                .set("key_id", "it1")
                .set("scopes", String.join(" ", SCOPES))
                .set("expires_at", grant.expiresAt())
                .set("connected_by", userId)
                .set("next_refresh_at", now + 86_400)
                .set("refresh_fingerprint", new TokenFingerprints(keys).of(realmId, "hubspot", grant.refreshToken()))
                .insert(db);
    }

    /** Samples the server's pooled connections in PostgreSQL every {@value #SAMPLE_MILLIS} ms until stopped. */
    private static final class Sampler implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        volatile int samples;
        volatile int maxOpen;
        volatile int maxInUse;
        volatile int maxLockWaits;

        @Override
        public void run() {
            try (Connection db = env.database("samples pg_stat_activity");
                 PreparedStatement query = db.prepareStatement(POOL_ACTIVITY)) {
                query.setString(1, ConduitEnvironment.POOL_APPLICATION);
                while (!stop.get()) {
                    try (ResultSet rs = query.executeQuery()) {
                        rs.next();
                        maxOpen = Math.max(maxOpen, rs.getInt(1));
                        maxInUse = Math.max(maxInUse, rs.getInt(2));
                        maxLockWaits = Math.max(maxLockWaits, rs.getInt(3));
                        samples++;
                    }
                    Thread.sleep(SAMPLE_MILLIS);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("could not sample pg_stat_activity", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
