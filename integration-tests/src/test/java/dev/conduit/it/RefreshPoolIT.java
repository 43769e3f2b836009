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
 * provider with none open and stores the answer in another, so while the provider answers, the number held is 0:
 * not one per waiting caller, and not one for the refresh either (the window ends 200 ms before the body is due,
 * when the refresh's storing transaction may open: that one is the "at most one per in-flight refresh"). Over the
 * whole run the figure is printed, not bounded: the callers' short reads after the answer come and go. Prints the
 * figures.
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
        vault.expireAccessToken(connectionId);
        int refreshesBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");

        try (Connection db = Database.connect(); Statement query = db.createStatement()) {
            db.setAutoCommit(true);
            int idle = count(query);
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
                        if (above > 0) {
                            heldWhileAnswering.addAll(held(query));
                        }
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
            System.out.printf("FIGURE refresh-pool callers=%d provider_ms=%d idle_in_transaction_baseline=%d samples=%d"
                            + " max_above_idle_while_provider_answers=%d max_above_idle_whole_run=%d answering_ms=%d wall_ms=%d"
                            + " refreshes=%d distinct_tokens=%d%n",
                    CALLERS, PROVIDER_MILLIS, idle, samples, maxAbove, maxAboveOverall, answeringMillis, wallMillis, refreshes,
                    tokens.size());

            assertThat(wallMillis).as("the provider's slow answer was waited for").isGreaterThanOrEqualTo(PROVIDER_MILLIS);
            assertThat(samples).as("samples while the provider answered").isGreaterThanOrEqualTo(20);
            assertThat(refreshes).as("refreshes that reached the provider").isEqualTo(1);
            assertThat(tokens).as("every caller got the same fresh token").hasSize(1).doesNotContain(before);
            assertThat(sandbox.accessTokenActive(tokens.iterator().next())).isTrue();
            assertThat(maxAbove).as("pooled connections held in a transaction while the provider answers: %s", heldWhileAnswering)
                    .isZero();
        }
    }

    private static int count(Statement query) throws SQLException {
        try (ResultSet rows = query.executeQuery(IN_TRANSACTION)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** What the sessions in a transaction last ran (state and statement, shortened): said when the test fails. */
    private static Set<String> held(Statement query) throws SQLException {
        Set<String> held = new HashSet<>();
        try (ResultSet rows = query.executeQuery(IN_TRANSACTION.replace("count(*)", "state || ': ' || left(query, 160)"))) {
            while (rows.next()) {
                held.add(rows.getString(1));
            }
        }
        return held;
    }
}
