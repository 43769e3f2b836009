package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: at most one pooled database connection per in-flight refresh, and none held while waiting on the
 * provider. Ten apps ask at once for a connection whose access token has expired; the provider takes 5 s to send
 * its answer's body (headers at once, so no read timeout). Meanwhile PostgreSQL's {@code pg_stat_activity} is
 * sampled every ~100 ms for Keycloak's connections that are in a transaction ("active" or "idle in transaction"),
 * above what was so before the requests. The refresh itself claims its lease in one short transaction, calls the
 * provider with none open and stores the answer in another, so while the provider answers, Conduit holds none: not
 * one per waiting caller, and not one for the refresh either (the window ends 200 ms before the body is due, when
 * the refresh's storing transaction may open: that one is the "at most one per in-flight refresh").
 *
 * <p>What Conduit cannot release: Keycloak reads the client, its scopes and the user session in the request's own
 * transaction before it hands the request to Conduit, from its caches, and a read its caches miss keeps that
 * request's pooled connection until the request ends (Keycloak's transaction manager refuses a new transaction after
 * a commit, so a provider cannot end it early). So a connection counts as held when its transaction has been open
 * for more than a second while the provider answers (not the short transactions that come and go: the callers' own
 * reads, the scheduled task's claims of other connections), and is told apart by its last statement: one on
 * Conduit's tables is Conduit's and fails the test; one on Keycloak's is Keycloak's cache miss. After a warm-up round
 * of as many concurrent exchanges, a missed cache entry is loaded by one caller while the others wait for it
 * (Keycloak serialises loads per key), whereas a read that goes to the database on every request (such as the
 * "is this alias a client id?" lookup, which Keycloak's cache does not keep when the answer is "no") holds one per
 * caller: so fewer than half the callers may hold one of Keycloak's. With Keycloak's caches cleared, every caller may
 * hold one of Keycloak's (measured: ten of ten), never more. Prints the figures.
 */
class RefreshPoolIT {

    private static final int CALLERS = 10;
    private static final long PROVIDER_MILLIS = 5_000;
    private static final long SAMPLE_MILLIS = 100;
    private static final Map<String, String> SALESFORCE = Map.of("audience", "salesforce");
    /** Keycloak's sessions in a transaction; the sampling connection itself is left out by its pid. */
    private static final String IN_TRANSACTION = "select count(*) from pg_stat_activity where datname = current_database()"
            + " and pid <> pg_backend_pid() and backend_type = 'client backend'"
            + " and (state = 'active' or state like 'idle in transaction%')";
    /**
     * Of those, the ones whose transaction has been open for more than a second: held across the wait, not the short
     * transactions that come and go (the callers' own reads, the scheduled task's claims for other connections).
     */
    private static final String HELD = "select pid, state || ': ' || left(query, 4000) from pg_stat_activity"
            + " where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'"
            + " and (state = 'active' or state like 'idle in transaction%') and xact_start < now() - interval '1 second'";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);

    @AfterEach
    void clearFaults() {
        sandbox.clearFaults();
    }

    @Test
    void aRefreshWhoseProviderTakesFiveSecondsHoldsNoPooledConnectionWhileItWaits() throws Exception {
        Database.requirePostgres("pg_stat_activity");
        BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), "salesforce", Accounts.SALESFORCE_NORA);
        assertThat(page.endedAtApp()).isTrue();
        String userToken = apps.accessToken(page);
        String userId = env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_NORA.email());
        String connectionId = vault.connection("USER", userId, "salesforce").get("id").asText();
        String before = VaultRefreshIT.ok(apps.exchange(userToken, SALESFORCE)).get("access_token").asText();

        warmUp(userToken, before);
        Round warm = round("warm", userToken, connectionId, before);
        assertThat(warm.conduits()).as("pooled connections Conduit held in a transaction while the provider answers: %s",
                warm.held()).isZero();
        assertThat(warm.keycloaks()).as("connections held by Keycloak's own reads in the callers' requests after a"
                + " warm-up (one per caller is a database read on every request): %s", warm.held()).isLessThan(CALLERS / 2);

        // Keycloak's caches cleared: each caller's request may read from the database before Conduit is asked
        assertThat(env.admin().call("POST", REALM + "/clear-realm-cache", null).statusCode()).isEqualTo(204);
        Round cold = round("cold", userToken, connectionId, warm.token());
        assertThat(cold.conduits()).as("pooled connections Conduit held while the provider answers, caches cold: %s",
                cold.held()).isZero();
        assertThat(cold.keycloaks()).as("connections held by Keycloak's own reads, caches cold: at most one per caller")
                .isLessThanOrEqualTo(CALLERS);
    }

    /** What one round measured while the provider answered; {@code held} lists the statements, shortened. */
    private record Round(int conduits, int keycloaks, Set<String> held, String token) {
    }

    /** Expires the connection, sends the callers at once, samples PostgreSQL until all are answered; prints figures. */
    private Round round(String label, String userToken, String connectionId, String before) throws Exception {
        vault.expireAccessToken(connectionId);
        int refreshesBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        try (Connection db = Database.connect(); Statement query = db.createStatement()) {
            db.setAutoCommit(true);
            int idle = count(query);
            Set<Integer> heldBefore = held(query).keySet();
            sandbox.injectFault(Provider.SALESFORCE, Endpoint.TOKEN, Fault.slowBody(PROVIDER_MILLIS), 1);
            long started = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> apps.exchange(userToken, SALESFORCE)));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
            // samples taken while the provider is answering: from its first request until its body is due to end
            int samples = 0;
            int maxAbove = 0;
            int maxAboveOverall = 0;
            int maxConduit = 0;
            int maxKeycloak = 0;
            long firstProviderCall = -1;
            Set<String> heldWhileAnswering = new HashSet<>();
            while (!all.isDone()) {
                boolean providerAnswering = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") > refreshesBefore;
                int above = count(query) - idle;
                long now = System.nanoTime();
                maxAboveOverall = Math.max(maxAboveOverall, above);
                if (providerAnswering) {
                    firstProviderCall = firstProviderCall < 0 ? now : firstProviderCall;
                    if (now - firstProviderCall < TimeUnit.MILLISECONDS.toNanos(PROVIDER_MILLIS - 2 * SAMPLE_MILLIS)) {
                        samples++;
                        maxAbove = Math.max(maxAbove, above);
                        Map<Integer, String> held = held(query);
                        held.keySet().removeAll(heldBefore);
                        int conduit = (int) held.values().stream().filter(RefreshPoolIT::conduits).count();
                        maxConduit = Math.max(maxConduit, conduit);
                        maxKeycloak = Math.max(maxKeycloak, held.size() - conduit);
                        held.values().forEach(statement -> heldWhileAnswering.add(conduits(statement) ? statement
                                : statement.length() > 160 ? statement.substring(0, 160) + "..." : statement));
                    }
                }
                try {
                    all.get(SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillWaiting) {
                    // the next sample
                }
            }
            long wallMillis = (System.nanoTime() - started) / 1_000_000;
            long answeringMillis = firstProviderCall < 0 ? 0 : (System.nanoTime() - firstProviderCall) / 1_000_000;

            Set<String> tokens = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                tokens.add(VaultRefreshIT.ok(answer.get()).get("access_token").asText());
            }
            int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") - refreshesBefore;
            System.out.printf("FIGURE refresh-pool round=%s callers=%d provider_ms=%d idle_in_transaction_baseline=%d"
                            + " samples=%d max_above_idle_while_provider_answers=%d held_over_1s_conduits=%d held_over_1s_keycloaks=%d"
                            + " max_above_idle_whole_run=%d answering_ms=%d wall_ms=%d refreshes=%d distinct_tokens=%d%n",
                    label, CALLERS, PROVIDER_MILLIS, idle, samples, maxAbove, maxConduit, maxKeycloak, maxAboveOverall,
                    answeringMillis, wallMillis, refreshes, tokens.size());

            assertThat(wallMillis).as("the provider's slow answer was waited for").isGreaterThanOrEqualTo(PROVIDER_MILLIS);
            assertThat(samples).as("samples while the provider answered").isGreaterThanOrEqualTo(20);
            assertThat(refreshes).as("refreshes that reached the provider").isEqualTo(1);
            assertThat(tokens).as("every caller got the same fresh token").hasSize(1).doesNotContain(before);
            String token = tokens.iterator().next();
            assertThat(sandbox.accessTokenActive(token)).isTrue();
            return new Round(maxConduit, maxKeycloak, heldWhileAnswering, token);
        }
    }

    /**
     * As many concurrent exchanges as the measured round, served from the connection's fresh token (no refresh, no
     * wait): whatever Keycloak's caches lacked for these requests is loaded now.
     */
    private void warmUp(String userToken, String current) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> warm = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            warm.add(CompletableFuture.supplyAsync(() -> apps.exchange(userToken, SALESFORCE)));
        }
        for (CompletableFuture<HttpResponse<String>> answer : warm) {
            assertThat(VaultRefreshIT.ok(answer.get()).get("access_token").asText()).isEqualTo(current);
        }
    }

    /** Whether a held session's last statement was on one of Conduit's tables. */
    private static boolean conduits(String held) {
        return held.toUpperCase(java.util.Locale.ROOT).contains("CONDUIT_");
    }

    private static int count(Statement query) throws SQLException {
        try (ResultSet rows = query.executeQuery(IN_TRANSACTION)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** The sessions held in a transaction for more than a second, by pid: what they last ran (state and statement). */
    private static Map<Integer, String> held(Statement query) throws SQLException {
        Map<Integer, String> held = new java.util.HashMap<>();
        try (ResultSet rows = query.executeQuery(HELD)) {
            while (rows.next()) {
                held.put(rows.getInt(1), rows.getString(2));
            }
        }
        return held;
    }
}
