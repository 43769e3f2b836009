package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.KeycloakCluster;
import dev.conduit.it.support.KeycloakProcess;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The token vault on a two-node Keycloak cluster (production start, embedded Infinispan over jdbc-ping, one
 * PostgreSQL): one upstream refresh per expiry whatever node the callers reach, a disconnect seen by the other node
 * at once, a refresh on one node served by the other at once (the nodes' sealed-row caches, issue 17), a switch to a Conduit broker on one node seen by the other at once, the proactive refresher on one node
 * per round, and a node killed with a refresh and a server connection's mint in flight. The nodes
 * share ConduitEnvironment's provider sandbox, whose counts are the evidence. PostgreSQL only (the tests' embedded one by default, see support/Database).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final int CALLERS = 200;
    private static final int REFRESH_INTERVAL_SECONDS = 5;
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    /** How long the sandbox holds the answer of the refresh in flight when its node is killed (below the read timeout). */
    private static final long IN_FLIGHT_MILLIS = 8_000;
    private static final Map<String, String> SALESFORCE = Map.of("audience", "salesforce");
    private static final Map<String, String> HUBSPOT = Map.of("audience", "hubspot");
    private static final String PROACTIVE_RUNS = "conduit_vault_proactive_run_seconds_count";
    private static final String REFRESHES = "conduit_vault_refresh_total";

    private KeycloakCluster cluster;
    private SandboxEngine sandbox;

    @BeforeAll
    void startCluster() {
        Database.requirePostgres("the cluster discovers its members through the database (jdbc-ping)");
        ConduitEnvironment env = ConduitEnvironment.get();
        sandbox = env.sandbox().engine();
        cluster = KeycloakCluster.start(env, List.of(
                KeycloakProcess.vaultOption("refresh-interval-seconds", Integer.toString(REFRESH_INTERVAL_SECONDS)),
                KeycloakProcess.vaultOption("read-timeout-millis", Integer.toString(READ_TIMEOUT_MILLIS))));
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void twoHundredCallersOverBothNodesOnAnExpiredConnectionCauseOneRefreshAndAllGetTheNewToken() throws Exception {
        String userToken = cluster.brokerLogin("salesforce", Accounts.SALESFORCE_HEDY);
        String id = connectionId(Accounts.SALESFORCE_HEDY, "salesforce");
        // a token issued through node A (the hostname) is accepted by node B
        String before = ok(cluster.b().exchange(userToken, SALESFORCE)).get("access_token").asText();
        cluster.expireForCallersOnly(id);
        int refreshesBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        AtomicInteger next = new AtomicInteger();

        long started = System.nanoTime();
        List<HttpResponse<String>> answers = VaultRefreshIT.concurrently(CALLERS,
                () -> cluster.nodes().get(next.getAndIncrement() % 2).exchange(userToken, SALESFORCE));
        long millis = (System.nanoTime() - started) / 1_000_000;

        Set<String> tokens = new HashSet<>();
        for (HttpResponse<String> answer : answers) {
            tokens.add(ok(answer).get("access_token").asText());
        }
        int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") - refreshesBefore;
        System.out.printf("FIGURE cluster refresh calls per expiry with %d callers over 2 nodes: %d (distinct tokens served: %d, %d ms)%n",
                CALLERS, refreshes, tokens.size(), millis);
        assertThat(refreshes).isEqualTo(1);
        // token values stay out of failure messages
        assertThat(tokens.size()).as("distinct access tokens served").isEqualTo(1);
        assertThat(tokens.contains(before)).as("the expired token was served").isFalse();
        assertThat(sandbox.accessTokenActive(tokens.iterator().next())).isTrue();
        JsonNode connection = cluster.a().vault().connection(id);
        assertThat(connection.get("status").asText()).isEqualTo("HEALTHY");
        assertThat(connection.get("failureCount").asInt()).isZero();
    }

    /** An ended session reported by callers on both nodes at once: one refresh, whichever node reaches the row first. */
    @Test
    @Order(1)
    void aRefusedTokenReportedOverBothNodesAtOnceIsReplacedByOneRefresh() throws Exception {
        String userToken = cluster.brokerLogin("salesforce", Accounts.SALESFORCE_IDA);
        String refused = ok(cluster.a().exchange(userToken, SALESFORCE)).get("access_token").asText();
        assertThat(sandbox.endSession(refused)).isTrue();
        Map<String, String> report = Map.of("audience", "salesforce", RefusedTokenIT.PARAMETER, RefusedTokenIT.sha256(refused));
        int refreshesBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        AtomicInteger next = new AtomicInteger();

        List<HttpResponse<String>> answers = VaultRefreshIT.concurrently(40,
                () -> cluster.nodes().get(next.getAndIncrement() % 2).exchange(userToken, report));

        Set<String> tokens = new HashSet<>();
        for (HttpResponse<String> answer : answers) {
            tokens.add(ok(answer).get("access_token").asText());
        }
        int refreshes = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") - refreshesBefore;
        System.out.printf("FIGURE cluster refusal refreshes for 40 reports of one refused token over 2 nodes: %d (distinct tokens: %d)%n",
                refreshes, tokens.size());
        assertThat(refreshes).isEqualTo(1);
        assertThat(tokens.size()).as("distinct access tokens served").isEqualTo(1);
        assertThat(tokens.contains(refused)).as("the refused token was served").isFalse();
        assertThat(sandbox.accessTokenActive(tokens.iterator().next())).isTrue();
    }

    @Test
    @Order(2)
    void aDisconnectOnNodeAIsSeenAtOnceOnNodeB() {
        String userToken = cluster.brokerLogin("hubspot", Accounts.HUBSPOT_SOPHIE);
        String id = connectionId(Accounts.HUBSPOT_SOPHIE, "hubspot");
        String served = ok(cluster.b().exchange(userToken, HUBSPOT)).get("access_token").asText();
        assertThat(sandbox.accessTokenActive(served)).isTrue();
        int revocationsBefore = sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE);

        assertThat(cluster.a().vault().disconnect(id).statusCode()).isEqualTo(204);
        HttpResponse<String> refused = cluster.b().exchange(userToken, HUBSPOT);

        assertConduitRefused(refused, 400, "invalid_target", "not_connected", "No hubspot connection for this user; connect it first");
        assertThat(refused.body().contains(served)).as("the refusal carries the old token").isFalse();
        // the revocation is sent after node A's commit, on its workers
        Await.until("revoked at HubSpot", () -> sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE) - revocationsBefore >= 1);
        Await.until("gone for node B too", () -> cluster.b().vault().connection(id) == null);
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE) - revocationsBefore).as("revoked at HubSpot once").isEqualTo(1);
    }

    /**
     * The sealed-row cache (issue 17) on both nodes: node B serves a connection (and keeps its row), an administrator
     * refreshes it on node A, and node B's next exchange serves the new token at once, never the replaced one; then an
     * administrator's expiry on node A makes node B's next exchange refresh it (one upstream call).
     */
    @Test
    @Order(2)
    void aRefreshOnNodeAIsServedAtOnceOnNodeB() {
        String userToken = cluster.brokerLogin("hubspot", Accounts.HUBSPOT_KATHLEEN);
        String id = connectionId(Accounts.HUBSPOT_KATHLEEN, "hubspot");
        String before = ok(cluster.b().exchange(userToken, HUBSPOT)).get("access_token").asText();
        assertThat(ok(cluster.b().exchange(userToken, HUBSPOT)).get("access_token").asText())
                .as("node B serves the same token again").isEqualTo(before);

        assertThat(cluster.a().vault().refresh(id).get("refreshed").asInt()).isEqualTo(1);
        String after = ok(cluster.b().exchange(userToken, HUBSPOT)).get("access_token").asText();

        assertThat(after.equals(before)).as("node B served the token node A replaced").isFalse();
        assertThat(sandbox.accessTokenActive(after)).isTrue();

        int refreshesBefore = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token");
        cluster.a().vault().expireAccessToken(id);
        String renewed = ok(cluster.b().exchange(userToken, HUBSPOT)).get("access_token").asText();
        assertThat(renewed.equals(after)).as("node B served the token node A expired").isFalse();
        assertThat(sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token") - refreshesBefore).isGreaterThanOrEqualTo(1);
    }

    /**
     * Conduit's switch of an identity provider on node A (README, coming from Keycloak's stored tokens): node B, which
     * had the provider cached as {@code oidc}, shows the Conduit broker at once, with Store Tokens off, the same internal
     * id and the user's link; Keycloak's own update invalidated its caches cluster-wide.
     */
    @Test
    @Order(2)
    void aSwitchOnNodeAIsSeenAtOnceOnNodeB() {
        String realm = ConduitEnvironment.REALM;
        String alias = "s27swk-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String issuer = sandbox.issuer(Provider.SALESFORCE);
        Map<String, Object> oidc = Map.of("alias", alias, "providerId", "oidc", "enabled", true, "storeToken", true,
                "config", Map.of("clientId", "s27swk-app", "clientSecret", "s27swk-not-a-secret",
                        "authorizationUrl", issuer + "/auth", "tokenUrl", issuer + "/token"));
        HttpResponse<String> created = cluster.a().admin().call("POST", realm + "/identity-provider/instances", oidc);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        try {
            String userId = cluster.a().admin().userIdByUsername(realm, ConduitEnvironment.EXISTING_USER);
            HttpResponse<String> linked = cluster.a().admin().call("POST", realm + "/users/" + userId + "/federated-identity/" + alias,
                    Map.of("identityProvider", alias, "userId", "s27swk-account", "userName", "s27swk"));
            assertThat(linked.statusCode()).as(linked.body()).isEqualTo(204);
            JsonNode before = cluster.b().admin().identityProvider(realm, alias);
            assertThat(before.get("providerId").asText()).as("node B has it cached as oidc").isEqualTo("oidc");

            HttpResponse<String> switched = cluster.a().admin().call("POST",
                    realm + "/conduit-vault/identity-providers/" + alias + "/switch", Map.of("providerId", "conduit-salesforce",
                            "config", Map.of("loginHost", sandbox.issuer(Provider.SALESFORCE))));
            assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);

            JsonNode after = cluster.b().admin().identityProvider(realm, alias);
            assertThat(after.get("providerId").asText()).isEqualTo("conduit-salesforce");
            assertThat(after.get("storeToken").asBoolean()).isFalse();
            assertThat(after.get("internalId").asText()).isEqualTo(before.get("internalId").asText());
            assertThat(cluster.b().admin().federatedIdentities(realm, userId).toString()).contains(alias, "s27swk-account");
        } finally {
            cluster.a().admin().call("DELETE", realm + "/identity-provider/instances/" + alias, null);
        }
    }

    @Test
    @Order(3)
    void dueConnectionsAreRefreshedExactlyOnceByTheProactiveRefresher() throws InterruptedException {
        List<Account> accounts = List.of(Accounts.SALESFORCE_ANNIE, Accounts.SALESFORCE_JEAN, Accounts.HUBSPOT_JOAN);
        List<String> ids = accounts.stream().map(account -> {
            String alias = account.provider().name().toLowerCase();
            cluster.brokerLogin(alias, account);
            return connectionId(account, alias);
        }).toList();
        int salesforceBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        int hubspotBefore = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token");
        double[] proactiveBefore = {proactiveSuccesses(cluster.a()), proactiveSuccesses(cluster.b())};
        // the connections were refreshed (connected) in an earlier second than the one they expire in
        Thread.sleep(1_100);
        long expiredAt = System.currentTimeMillis() / 1000;

        // due for the proactive refresher too (NEXT_REFRESH_AT = expiry - lead, in the past)
        ids.forEach(cluster.a().vault()::expireAccessToken);
        long deadline = System.currentTimeMillis() + Duration.ofSeconds(6L * REFRESH_INTERVAL_SECONDS).toMillis();
        while (!ids.stream().allMatch(id -> refreshedSince(id, expiredAt)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
        }
        // two more rounds, in which a second refresh of the same connection would show
        Thread.sleep(2_000L * REFRESH_INTERVAL_SECONDS);

        int salesforce = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") - salesforceBefore;
        int hubspot = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token") - hubspotBefore;
        double proactive = proactiveSuccesses(cluster.a()) + proactiveSuccesses(cluster.b()) - proactiveBefore[0] - proactiveBefore[1];
        System.out.printf("FIGURE cluster proactive refresh calls for 3 due connections (2 Salesforce, 1 HubSpot): Salesforce %d, HubSpot %d"
                        + " (proactive successes in the metrics: node A %.0f, node B %.0f)%n", salesforce, hubspot,
                proactiveSuccesses(cluster.a()) - proactiveBefore[0], proactiveSuccesses(cluster.b()) - proactiveBefore[1]);
        for (String id : ids) {
            JsonNode connection = cluster.b().vault().connection(id);
            assertThat(connection.get("status").asText()).as(id).isEqualTo("HEALTHY");
            assertThat(connection.get("lastRefreshAt").asLong()).as("refreshed: " + id).isGreaterThanOrEqualTo(expiredAt);
            assertThat(connection.get("nextRefreshAt").asLong()).as("next refresh of " + id)
                    .isGreaterThan(System.currentTimeMillis() / 1000);
        }
        // every connection was refreshed, and the sandbox saw one call per connection: each exactly once
        assertThat(salesforce).as("Salesforce refresh calls").isEqualTo(2);
        assertThat(hubspot).as("HubSpot refresh calls").isEqualTo(1);
        assertThat(proactive).as("refreshes by the proactive refresher, summed over both nodes").isEqualTo(3.0);
    }

    @Test
    @Order(4)
    void theProactiveRoundRunsOnOneNodePerInterval() throws InterruptedException {
        int intervals = 4;
        String acquired = "Successfully acquired lock for task";
        double runsA = cluster.a().metric(PROACTIVE_RUNS);
        double runsB = cluster.b().metric(PROACTIVE_RUNS);
        long locksA = cluster.a().logLines(acquired, "conduit-vault-refresh");
        long locksB = cluster.b().logLines(acquired, "conduit-vault-refresh");
        long started = System.nanoTime();

        Thread.sleep(1_000L * intervals * REFRESH_INTERVAL_SECONDS);

        double seconds = (System.nanoTime() - started) / 1e9;
        long ranA = Math.round(cluster.a().metric(PROACTIVE_RUNS) - runsA);
        long ranB = Math.round(cluster.b().metric(PROACTIVE_RUNS) - runsB);
        long lockedA = cluster.a().logLines(acquired, "conduit-vault-refresh") - locksA;
        long lockedB = cluster.b().logLines(acquired, "conduit-vault-refresh") - locksB;
        System.out.printf("FIGURE cluster proactive rounds executed in %.1f s with a %d s interval: node A %d, node B %d"
                        + " (task lock taken per the logs: node A %d, node B %d)%n",
                seconds, REFRESH_INTERVAL_SECONDS, ranA, ranB, lockedA, lockedB);
        long possibleRounds = (long) Math.floor(seconds / REFRESH_INTERVAL_SECONDS) + 1;
        assertThat(ranA + ranB).as("rounds executed by both nodes together in %.1f s (at most one per %d s interval)",
                seconds, REFRESH_INTERVAL_SECONDS).isBetween(1L, possibleRounds);
    }

    @Test
    @Order(5)
    void killingTheNodeWithARefreshOrAMintInFlightLeavesTheConnectionUsableOnTheOtherNode() throws Exception {
        String hubspotToken = cluster.brokerLogin("hubspot", Accounts.HUBSPOT_EMMY);
        String hubspotId = connectionId(Accounts.HUBSPOT_EMMY, "hubspot");
        String salesforceToken = cluster.brokerLogin("salesforce", Accounts.SALESFORCE_ADELE);
        String salesforceId = connectionId(Accounts.SALESFORCE_ADELE, "salesforce");
        String hubspotBefore = ok(cluster.a().exchange(hubspotToken, HUBSPOT)).get("access_token").asText();
        ok(cluster.a().exchange(salesforceToken, SALESFORCE));
        // Adele is also a member of an organization with a server connection (issue 15: Salesforce JWT bearer)
        ServerMint server = serverConnection(Accounts.SALESFORCE_ADELE);
        String serverBefore = ok(cluster.b().exchange(salesforceToken, server.exchange())).get("access_token").asText();
        assertThat(sandbox.mints(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT)).isEqualTo(server.mintsBefore() + 1);
        // and the same organization's Google connection mints per Workspace user (a lease per user, not per connection)
        GoogleMint google = googleConnection(server.exchange().get("organization"));
        int googleMintsBefore = sandbox.mints(Provider.GOOGLE, ServerConnectionsApi.JWT_BEARER_GRANT);
        String googleBefore = ok(cluster.b().exchange(google.memberToken(), google.exchange())).get("access_token").asText();
        assertThat(sandbox.mints(Provider.GOOGLE, ServerConnectionsApi.JWT_BEARER_GRANT)).isEqualTo(googleMintsBefore + 1);
        expireSubjectTokens(google.id());
        cluster.expireForCallersOnly(hubspotId);
        cluster.expireForCallersOnly(salesforceId);
        cluster.expireForCallersOnly(server.id());
        int hubspotCalls = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token");
        int salesforceCalls = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        int serverCalls = sandbox.tokenCalls(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT);
        int googleCalls = sandbox.tokenCalls(Provider.GOOGLE, ServerConnectionsApi.JWT_BEARER_GRANT);
        // the providers take the refresh (Salesforce rotates its refresh token) and the mint, but answer late
        sandbox.injectFault(Provider.HUBSPOT, Endpoint.TOKEN, Fault.delay(IN_FLIGHT_MILLIS), 1);
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.TOKEN, Fault.delay(IN_FLIGHT_MILLIS), 2);
        sandbox.injectFault(Provider.GOOGLE, Endpoint.TOKEN, Fault.delay(IN_FLIGHT_MILLIS), 1);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            Future<HttpResponse<String>> onA = callers.submit(() -> cluster.a().exchange(hubspotToken, HUBSPOT));
            Future<HttpResponse<String>> salesforceOnA = callers.submit(() -> cluster.a().exchange(salesforceToken, SALESFORCE));
            Future<HttpResponse<String>> serverOnA = callers.submit(() -> cluster.a().exchange(salesforceToken, server.exchange()));
            Future<HttpResponse<String>> googleOnA = callers.submit(() -> cluster.a().exchange(google.memberToken(), google.exchange()));
            long deadline = System.currentTimeMillis() + 20_000;
            while ((sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token") == hubspotCalls
                    || sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") == salesforceCalls
                    || sandbox.tokenCalls(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT) == serverCalls
                    || sandbox.tokenCalls(Provider.GOOGLE, ServerConnectionsApi.JWT_BEARER_GRANT) == googleCalls)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token")).as("HubSpot refresh in flight").isEqualTo(hubspotCalls + 1);
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).as("Salesforce refresh in flight").isEqualTo(salesforceCalls + 1);
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT))
                    .as("Salesforce JWT bearer mint in flight").isEqualTo(serverCalls + 1);
            assertThat(sandbox.tokenCalls(Provider.GOOGLE, ServerConnectionsApi.JWT_BEARER_GRANT))
                    .as("Google per-user mint in flight").isEqualTo(googleCalls + 1);
            JsonNode inFlight = cluster.b().vault().connection(hubspotId);
            assertThat(inFlight.get("hasRefreshToken").asBoolean()).as("tokens kept while the refresh is in flight").isTrue();

            cluster.a().killHard();

            assertThat(cluster.a().alive()).isFalse();
            assertFailed(onA);
            assertFailed(salesforceOnA);
            assertFailed(serverOnA);
            assertFailed(googleOnA);

            // the server connection: node B waits out node A's dead claim, mints once itself, and serves
            long mintStarted = System.nanoTime();
            HttpResponse<String> serverOnB = cluster.b().exchange(salesforceToken, server.exchange());
            long mintMillis = (System.nanoTime() - mintStarted) / 1_000_000;
            String minted = ok(serverOnB).get("access_token").asText();
            System.out.printf("FIGURE cluster server connection (Salesforce JWT bearer) on node B right after node A was"
                    + " killed mid-mint: HTTP %d in %d ms, mint requests %d (node A's lost one and node B's)%n",
                    serverOnB.statusCode(), mintMillis,
                    sandbox.tokenCalls(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT) - serverCalls);
            assertThat(mintMillis).as("node B's wait for node A's dead mint, ms").isLessThan(40_000);
            assertThat(minted).as("the expired token was served").isNotEqualTo(serverBefore);
            assertThat(sandbox.accessTokenActive(minted)).as("node B's minted token is live at the provider").isTrue();
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT))
                    .as("mint requests: node A's lost one, then node B's").isEqualTo(serverCalls + 2);
            JsonNode serverRow = cluster.b().vault().connection(server.id());
            assertThat(serverRow.get("status").asText()).isEqualTo("HEALTHY");
            assertThat(serverRow.get("failureCount").asInt()).isZero();
            assertThat(ok(cluster.b().exchange(salesforceToken, server.exchange())).get("access_token").asText())
                    .as("the same token served again, without a mint").isEqualTo(minted);
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT)).isEqualTo(serverCalls + 2);

            // the Google user's token: node B waits out node A's dead lease on that user's row, mints once, and serves
            long googleStarted = System.nanoTime();
            HttpResponse<String> googleOnB = cluster.b().exchange(google.memberToken(), google.exchange());
            long googleMillis = (System.nanoTime() - googleStarted) / 1_000_000;
            String googleMinted = ok(googleOnB).get("access_token").asText();
            System.out.printf("FIGURE cluster server connection (Google, per Workspace user) on node B after node A was"
                    + " killed mid-mint: HTTP %d in %d ms, mint requests %d (node A's lost one and node B's)%n",
                    googleOnB.statusCode(), googleMillis,
                    sandbox.tokenCalls(Provider.GOOGLE, ServerConnectionsApi.JWT_BEARER_GRANT) - googleCalls);
            assertThat(googleMillis).as("node B's wait for node A's dead per-user mint, ms").isLessThan(40_000);
            assertThat(googleMinted).as("the expired token was served").isNotEqualTo(googleBefore);
            assertThat(sandbox.accessTokenActive(googleMinted)).as("node B's minted token is live at Google").isTrue();
            assertThat(AppTokens.json(googleOnB).get("account_id").asText()).isEqualTo(Accounts.GOOGLE_BETTY.email());
            assertThat(ok(cluster.b().exchange(google.memberToken(), google.exchange())).get("access_token").asText())
                    .as("the same token served again, without a mint").isEqualTo(googleMinted);
            assertThat(sandbox.tokenCalls(Provider.GOOGLE, ServerConnectionsApi.JWT_BEARER_GRANT))
                    .as("Google mint requests: node A's lost one, then node B's").isEqualTo(googleCalls + 2);
            assertThat(cluster.b().vault().connection(google.id()).get("status").asText()).isEqualTo("HEALTHY");

            long started = System.nanoTime();
            HttpResponse<String> onB = cluster.b().exchange(hubspotToken, HUBSPOT);
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("FIGURE cluster exchange on node B right after node A was killed mid-refresh (HubSpot): HTTP %d in %d ms"
                    + " (node A's lease lasts one attempt: connect + read timeout + 3 s)%n", onB.statusCode(), millis);
            // the lease of every inline attempt (3 x (5 + 10 + 2) + 10 = 61 s) held node B for 58.6 s before; one
            // attempt's lease is 18 s (generous bound: the machine is loaded)
            assertThat(millis).as("node B's wait for node A's dead claim, ms").isLessThan(40_000);
            String after = ok(onB).get("access_token").asText();
            assertThat(after.equals(hubspotBefore)).as("the expired token was served").isFalse();
            assertThat(sandbox.accessTokenActive(after)).isTrue();
            assertThat(sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token")).as("the lost refresh, then node B's").isEqualTo(hubspotCalls + 2);
            JsonNode hubspot = cluster.b().vault().connection(hubspotId);
            assertThat(hubspot.get("status").asText()).isEqualTo("HEALTHY");
            assertThat(hubspot.get("hasRefreshToken").asBoolean()).isTrue();
            assertThat(hubspot.get("failureCount").asInt()).isZero();
            assertThat(ok(cluster.b().exchange(hubspotToken, HUBSPOT)).get("access_token").asText().equals(after))
                    .as("the same token served again, without a refresh").isTrue();
            assertThat(sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token")).isEqualTo(hubspotCalls + 2);
            // the refresh node A recorded before sending it was found by node B, unfinished
            assertThat(cluster.b().logLines("Connection " + hubspotId + ": a refresh started at", "never stored its answer"))
                    .as("node B's log of node A's lost refresh").isEqualTo(1);

            // Salesforce rotated the refresh token in the answer node A never received: node B holds the old one, whose
            // reuse makes Salesforce revoke the chain. Node A recorded its refresh before sending it, so lastError
            // says why the provider refused, instead of looking like a revocation by the user.
            HttpResponse<String> salesforceOnB = cluster.b().exchange(salesforceToken, SALESFORCE);
            JsonNode salesforce = cluster.b().vault().connection(salesforceId);
            System.out.printf("FIGURE cluster Salesforce (rotating) after node A was killed mid-refresh: exchange on node B HTTP %d %s,"
                            + " connection %s, lastError \"%s\", refresh calls %d%n",
                    salesforceOnB.statusCode(), AppTokens.json(salesforceOnB).path("conduit_error").asText("-"),
                    salesforce.get("status").asText(), salesforce.path("lastError").asText(""),
                    sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") - salesforceCalls);
            assertConduitRefused(salesforceOnB, 400, "invalid_target", "reconnect_required", "invalid_grant");
            assertThat(salesforce.get("status").asText()).isEqualTo("RECONNECT_REQUIRED");
            assertThat(salesforce.get("lastError").asText()).contains("invalid_grant").contains("never stored its answer");
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(salesforceCalls + 2);
        } finally {
            sandbox.clearFaults();
            callers.shutdownNow();
        }
    }

    /** An organization's Google connection (domain-wide delegation) and a member with a Workspace address. */
    private record GoogleMint(String id, String memberToken, Map<String, String> exchange) {
    }

    /**
     * The organization's Google service-account connection, the service account registered and delegated at the
     * sandbox, and a member whose verified e-mail is a Workspace user of its domain; the member's app token.
     */
    private GoogleMint googleConnection(String organizationId) {
        String realm = ConduitEnvironment.REALM;
        String scope = "https://www.googleapis.com/auth/calendar.readonly";
        var serviceAccount = sandbox.serverToServer().registerGoogleServiceAccount("cluster-"
                + java.util.UUID.randomUUID().toString().substring(0, 8), "conduit", "acme.example", Set.of(scope));
        ServerConnectionsApi servers = new ServerConnectionsApi(cluster.b().admin(), realm);
        HttpResponse<String> connection = servers.create(organizationId, "google", "google-service-account",
                Map.of("service_account_key", serviceAccount.jsonKeyFile(), "domain", "acme.example", "scopes", scope));
        assertThat(connection.statusCode()).as(connection.body()).isEqualTo(201);
        String username = "cluster-google-betty";
        String password = dev.conduit.it.support.Secrets.generate();
        String existing = cluster.b().admin().userIdByUsername(realm, username);
        if (existing != null) {
            cluster.b().admin().call("DELETE", realm + "/users/" + existing, null);
        }
        HttpResponse<String> user = cluster.b().admin().call("POST", realm + "/users", Map.of("username", username,
                "email", Accounts.GOOGLE_BETTY.email(), "emailVerified", true, "enabled", true, "firstName", "Betty",
                "lastName", "Cluster", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        HttpResponse<String> added = cluster.b().admin().call("POST", realm + "/organizations/" + organizationId + "/members",
                cluster.b().admin().userIdByUsername(realm, username));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        return new GoogleMint(AppTokens.json(connection).get("id").asText(), cluster.passwordLogin(username, password),
                Map.of("audience", "google", "organization", organizationId, "scope", "calendar.read"));
    }

    /** The per-user tokens of a connection expired for callers (so the next exchange mints on demand). */
    private void expireSubjectTokens(String connectionId) {
        try (java.sql.Connection db = cluster.database();
             java.sql.PreparedStatement update = db.prepareStatement(
                     "update conduit_subject_token set expires_at = ? where connection_id = ?")) {
            update.setLong(1, System.currentTimeMillis() / 1000);
            update.setString(2, connectionId);
            assertThat(update.executeUpdate()).as("the member's token row").isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not expire the per-user tokens of " + connectionId, e);
        }
    }

    /** An organization's server connection that a member exchanges for; {@code mintsBefore} as it was created. */
    private record ServerMint(String id, Map<String, String> exchange, int mintsBefore) {
    }

    /**
     * A fresh organization in the cluster's realm with {@code member} in it, and its Salesforce JWT bearer connection:
     * the key pair Conduit generates, its certificate registered at the sandbox's app with the integration user.
     */
    private ServerMint serverConnection(Account member) {
        String alias = "conduit-it-cluster-s2s";
        String realm = ConduitEnvironment.REALM;
        for (JsonNode organization : cluster.b().admin().get(realm + "/organizations?search=" + alias + "&exact=true")) {
            cluster.b().admin().call("DELETE", realm + "/organizations/" + organization.get("id").asText(), null);
        }
        HttpResponse<String> created = cluster.b().admin().call("POST", realm + "/organizations", Map.of("name", "Cluster S2S",
                "alias", alias, "enabled", true, "domains", List.of(Map.of("name", "cluster-s2s.example"))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String organizationId = created.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1)).orElseThrow();
        HttpResponse<String> added = cluster.b().admin().call("POST", realm + "/organizations/" + organizationId + "/members",
                cluster.userId(member));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);

        String consumerKey = "cluster-s2s-" + java.util.UUID.randomUUID();
        String username = Accounts.SALESFORCE_ADA.username();
        ServerConnectionsApi servers = new ServerConnectionsApi(cluster.b().admin(), realm);
        HttpResponse<String> connection = servers.create(organizationId, "salesforce", "salesforce-jwt-bearer",
                Map.of("consumer_key", consumerKey, "username", username));
        assertThat(connection.statusCode()).as(connection.body()).isEqualTo(201);
        String id = AppTokens.json(connection).get("id").asText();
        HttpResponse<String> certificate = servers.certificate(id);
        assertThat(certificate.statusCode()).isEqualTo(200);
        sandbox.serverToServer().registerSalesforceJwtApp(consumerKey, certificate.body(), Set.of("api"), Set.of(username));
        return new ServerMint(id, Map.of("audience", "salesforce", "organization", organizationId, "scope", "crm.contacts.read"),
                sandbox.mints(Provider.SALESFORCE, ServerConnectionsApi.JWT_BEARER_GRANT));
    }

    /** The exchange whose node was killed got no answer: the connection broke, it was not answered. */
    private static void assertFailed(Future<HttpResponse<String>> exchange) throws InterruptedException {
        try {
            HttpResponse<String> answer = exchange.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the exchange on the killed node was answered: HTTP " + answer.statusCode());
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UncheckedIOException.class);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the exchange on the killed node neither failed nor was answered", e);
        }
    }

    private String connectionId(Account account, String alias) {
        String userId = cluster.userId(account);
        assertThat(userId).as("user of " + account.email()).isNotNull();
        JsonNode connection = cluster.b().vault().connection("USER", userId, alias);
        assertThat(connection).as(alias + " connection of " + account.email()).isNotNull();
        return connection.get("id").asText();
    }

    private boolean refreshedSince(String id, long since) {
        JsonNode connection = cluster.a().vault().connection(id);
        return connection.get("lastRefreshAt").asLong() >= since && "HEALTHY".equals(connection.get("status").asText());
    }

    private static double proactiveSuccesses(KeycloakCluster.Node node) {
        return node.metric(REFRESHES, "outcome=\"success\"", "trigger=\"proactive\"");
    }
}
