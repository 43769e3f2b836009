package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.GOOGLE_STORED_ALIAS;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.ExchangeLoad.errorOf;
import static dev.conduit.it.support.ExchangeLoad.form;
import static dev.conduit.it.support.ExchangeLoad.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.BenchProfiling;
import dev.conduit.it.support.MachineLoad;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.SqlStatements;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.ExchangeLoad;
import dev.conduit.it.support.ExchangeLoad.UserTokens;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Throughput and latency of Conduit's upstream-token exchange with a fresh stored token, against Keycloak's own
 * endpoints and the token endpoint's floor, measured in the same run on the same server (machines are noisy: the
 * ratios are the figures to compare):
 * <ul>
 *   <li>{@code conduit_upstream}: RFC 8693 exchange by {@code conduit-internal-app} of a user's Keycloak access token
 *       for the user's Google token held by the token vault ({@code audience=google}); the token is fresh, so no
 *       refresh happens (asserted on the sandbox);</li>
 *   <li>{@code client_credentials}: Keycloak's {@code client_credentials} grant for the same client;</li>
 *   <li>{@code brokering_v2}: Keycloak's Identity Brokering API V2 ({@code POST /realms/{realm}/broker/{alias}/token},
 *       feature {@code identity-brokering-api:v2}) for the same client, returning another user's Google token that
 *       Keycloak stored itself (plain {@code oidc} provider {@value ConduitEnvironment#GOOGLE_STORED_ALIAS} with Store
 *       Tokens on, read from FEDERATED_IDENTITY, not from session notes); also fresh, so no refresh;</li>
 *   <li>{@code brokering_v2_vault}: the same V2 endpoint on Conduit's {@code google} broker for the same user as
 *       {@code conduit_upstream}, which Conduit answers from the vault (the app written against Keycloak's API): the
 *       same Google token as {@code conduit_upstream}. Against {@code brokering_v2} it is Conduit's vault against
 *       Keycloak's own stored token behind one endpoint, so that ratio is the vault's cost alone;</li>
 *   <li>{@code token_endpoint_floor}: the same exchange request as {@code conduit_upstream} (same client, same user
 *       token) with {@code audience=conduit-test-floor}, answered by the test-only floor exchange of module
 *       test-providers ({@code FloorTokenExchangeProviderFactory}, never shipped): it verifies the subject token with
 *       Conduit's own check, records the {@code TOKEN_EXCHANGE} event and answers one value fixed at server start, so
 *       it costs what any RFC 8693 exchange on Keycloak's token endpoint costs (the form's sanitising, client
 *       authentication, the grant's dispatch, subject-token verification, the event stored in the request's
 *       transaction, RESTEasy). {@code conduit_upstream/token_endpoint_floor} is Conduit's own share,
 *       {@code token_endpoint_floor/brokering_v2} what the token endpoint alone costs against V2.</li>
 * </ul>
 * Every endpoint gets a warm-up, then the measured requests run interleaved in rounds: each round runs one block per
 * endpoint, the order rotating from round to round, so slow drifts of the machine hit all of them alike. Each block runs
 * at a fixed concurrency (closed loop: each worker sends its next request when the previous answer is read), over
 * HTTP/1.1 keep-alive connections, with client_secret_basic. Latency is per request (send to body read); requests
 * per second are the endpoint's measured requests over the summed wall time of its blocks.
 * <p>
 * Sizes: {@code conduit.bench.requests} (measured per endpoint, default 2000), {@code conduit.bench.concurrency}
 * (default 8), {@code conduit.bench.warmup} (per endpoint, default 200), {@code conduit.bench.rounds} (default
 * requests/500, 1 to 10). The {@code benchmark} Maven profile runs larger sizes. Asserts correctness only (every
 * answer 200 with the expected token, no upstream refresh), never timing. Off by default: {@code conduit.bench.jfr},
 * {@code conduit.bench.sql} ({@link BenchProfiling}: a flight recording and SQL statement counts per endpoint) and
 * {@code conduit.bench.events=alike} (every endpoint stores its event, {@link #EVENTS_ALIKE}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExchangeBenchmarkIT {

    private static final int REQUESTS = Integer.getInteger("conduit.bench.requests", 2000);
    private static final int CONCURRENCY = Integer.getInteger("conduit.bench.concurrency", 8);
    private static final int WARMUP = Integer.getInteger("conduit.bench.warmup", 200);
    private static final int ROUNDS = Math.max(1, Math.min(REQUESTS,
            Integer.getInteger("conduit.bench.rounds", Math.max(1, Math.min(10, REQUESTS / 500)))));

    /**
     * {@code conduit.bench.events=alike}: for the run, the realm stores exactly the endpoints' success events
     * ({@code TOKEN_EXCHANGE} of Conduit and the floor, {@code CLIENT_LOGIN} and V2's {@code IDENTITY_PROVIDER_RETRIEVE_TOKEN}, which Keycloak's
     * default set leaves out), so that each endpoint writes its audit record; by default the demo realm's settings
     * (events on, Keycloak's default set: V2 stores none).
     */
    private static final boolean EVENTS_ALIKE = "alike".equals(System.getProperty("conduit.bench.events", ""));
    private static final String[] ALIKE_EVENT_TYPES = {"TOKEN_EXCHANGE", "CLIENT_LOGIN", "IDENTITY_PROVIDER_RETRIEVE_TOKEN"};

    private static final Account CONDUIT_ACCOUNT = Accounts.GOOGLE_CLAUDE;
    private static final Account STORED_ACCOUNT = Accounts.GOOGLE_RADIA;
    /** The audience the test-only floor exchange takes (test-providers' {@code FloorTokenExchangeProviderFactory}). */
    static final String FLOOR_AUDIENCE = "conduit-test-floor";
    private static final String EXTERNAL_TOKEN_ENABLED = "external.token.enabled";
    private static final String EXTERNAL_TOKEN_IDP = "external.token.idp";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final ExchangeLoad load = new ExchangeLoad("exchange", CONCURRENCY);

    private String internalClientUuid;
    private UserTokens conduitUser;
    private UserTokens storedUser;
    private boolean createdIdp;
    private boolean changedClient;
    private JsonNode eventsConfig;

    @BeforeAll
    void setUp() {
        createStoredTokenProvider();
        allowInternalAppToUseBrokeringV2();
        if (EVENTS_ALIKE) {
            storeEachEndpointsEvent();
        }
        env.admin().deleteUserByEmail(REALM, CONDUIT_ACCOUNT.email());
        env.admin().deleteUserByEmail(REALM, STORED_ACCOUNT.email());
        conduitUser = login("google", CONDUIT_ACCOUNT);
        storedUser = login(GOOGLE_STORED_ALIAS, STORED_ACCOUNT);
    }

    @AfterAll
    void tearDown() {
        if (eventsConfig != null) {
            env.admin().call("PUT", REALM + "/events/config", eventsConfig);
        }
        if (changedClient) {
            JsonNode client = env.admin().get(REALM + "/clients/" + internalClientUuid);
            ObjectNode attributes = (ObjectNode) client.get("attributes");
            attributes.remove(EXTERNAL_TOKEN_ENABLED);
            attributes.remove(EXTERNAL_TOKEN_IDP);
            env.admin().call("PUT", REALM + "/clients/" + internalClientUuid, client);
        }
        env.admin().deleteUserByEmail(REALM, CONDUIT_ACCOUNT.email());
        env.admin().deleteUserByEmail(REALM, STORED_ACCOUNT.email());
        if (createdIdp) {
            env.admin().call("DELETE", REALM + "/identity-provider/instances/" + GOOGLE_STORED_ALIAS, null);
        }
    }

    @Test
    void exchangeThroughputAndLatencyAgainstKeycloaksOwnEndpoints() throws Exception {
        String secret = apps.internalSecret();
        String basic = AppTokens.basic(AppTokens.INTERNAL_APP, secret);
        String tokenUrl = env.realmUrl() + "/protocol/openid-connect/token";
        String brokerTokenUrl = env.realmUrl() + "/broker/" + GOOGLE_STORED_ALIAS + "/token";
        String vaultBrokerTokenUrl = env.realmUrl() + "/broker/google/token";

        // one checked call per endpoint before anything is timed: the answers the measured calls must repeat
        JsonNode conduitAnswer = ok(apps.exchange(conduitUser.access(), Map.of("audience", "google")), "conduit_upstream");
        String conduitUpstreamToken = conduitAnswer.get("access_token").asText();
        assertThat(sandbox.accessTokenActive(conduitUpstreamToken)).as("Conduit serves the live sandbox Google token").isTrue();
        assertThat(conduitAnswer.get("identity_provider").asText()).isEqualTo("google");
        assertThat(conduitAnswer.has("refresh_token")).isFalse();

        JsonNode ccAnswer = ok(apps.post(tokenUrl, Map.of("grant_type", "client_credentials"), basic), "client_credentials");
        assertThat(ccAnswer.get("access_token").asText()).isNotBlank();

        HttpResponse<String> v2Probe = apps.post(brokerTokenUrl, Map.of("token", storedUser.access()), basic);
        String v2Missing = v2Probe.statusCode() == 200 ? null
                : "POST /broker/" + GOOGLE_STORED_ALIAS + "/token answered " + v2Probe.statusCode() + " " + errorOf(v2Probe);
        String storedUpstreamToken = null;
        if (v2Missing == null) {
            JsonNode v2Answer = AppTokens.json(v2Probe);
            storedUpstreamToken = v2Answer.path("access_token").asText();
            assertThat(sandbox.accessTokenActive(storedUpstreamToken)).as("V2 serves the live sandbox Google token").isTrue();
            assertThat(v2Answer.has("refresh_token")).isFalse();
            JsonNode v2VaultAnswer = ok(apps.post(vaultBrokerTokenUrl, Map.of("token", conduitUser.access()), basic),
                    "brokering_v2_vault");
            assertThat(v2VaultAnswer.get("access_token").asText())
                    .as("V2 on Conduit's broker serves the vault's token, the one the exchange serves")
                    .isEqualTo(conduitUpstreamToken);
            assertThat(v2VaultAnswer.has("refresh_token")).isFalse();
        }

        String floorToken = checkedFloorAnswer();

        List<ExchangeLoad.Target> endpoints = new ArrayList<>();
        endpoints.add(load.target("conduit_upstream", conduitUpstreamToken, () -> form(tokenUrl, basic, Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", conduitUser.access(),
                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                "audience", "google"))));
        endpoints.add(load.target("client_credentials", null,
                () -> form(tokenUrl, basic, Map.of("grant_type", "client_credentials"))));
        if (v2Missing == null) {
            endpoints.add(load.target("brokering_v2", storedUpstreamToken,
                    () -> form(brokerTokenUrl, basic, Map.of("token", storedUser.access()))));
            endpoints.add(load.target("brokering_v2_vault", conduitUpstreamToken,
                    () -> form(vaultBrokerTokenUrl, basic, Map.of("token", conduitUser.access()))));
        }
        ExchangeLoad.Target floor = load.target("token_endpoint_floor", floorToken, () -> form(tokenUrl, basic, Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", conduitUser.access(),
                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                "audience", FLOOR_AUDIENCE)));
        endpoints.add(floor);

        BenchProfiling.resetWindows();
        SqlStatements sql = SqlStatements.openIfAvailable();
        MachineLoad machine = MachineLoad.start();
        int refreshesBefore = sandbox.tokenCalls(Provider.GOOGLE, "refresh_token");
        int googleTokenCallsBefore = sandbox.calls(Provider.GOOGLE, Endpoint.TOKEN);
        long benchStarted = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            for (ExchangeLoad.Target endpoint : endpoints) {
                freshUserTokens();
                endpoint.run(pool, WARMUP, false);
            }
            for (int round = 0; round < ROUNDS; round++) {
                int block = REQUESTS / ROUNDS + (round < REQUESTS % ROUNDS ? 1 : 0);
                for (int i = 0; i < endpoints.size(); i++) {
                    // user access tokens live 5 minutes: every block starts with fresh ones
                    freshUserTokens();
                    ExchangeLoad.Target endpoint = endpoints.get((round + i) % endpoints.size());
                    if (sql != null) {
                        sql.reset();
                    }
                    endpoint.run(pool, block, true);
                    if (sql != null) {
                        sql.collect(endpoint.name());
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        String busy = machine.summary();
        int refreshes = sandbox.tokenCalls(Provider.GOOGLE, "refresh_token") - refreshesBefore;
        int googleTokenCalls = sandbox.calls(Provider.GOOGLE, Endpoint.TOKEN) - googleTokenCallsBefore;

        System.out.printf(Locale.ROOT, "BENCHMARK exchange setup requests=%d concurrency=%d warmup=%d rounds=%d"
                        + " order=interleaved-rounds (one block per endpoint per round, order rotating) http=1.1-keepalive"
                        + " client_auth=client_secret_basic upstream=google(sandbox) google_refresh_calls=%d elapsed_s=%.1f events=%s%n",
                REQUESTS, CONCURRENCY, WARMUP, ROUNDS, refreshes, (System.nanoTime() - benchStarted) / 1e9,
                EVENTS_ALIKE ? "alike(" + String.join(",", ALIKE_EVENT_TYPES) + ")" : "realm-default");
        System.out.println("BENCHMARK exchange machine " + busy);
        for (ExchangeLoad.Target endpoint : endpoints) {
            System.out.println(endpoint.line());
        }
        if (sql != null) {
            for (ExchangeLoad.Target endpoint : endpoints) {
                System.out.println(sql.line("exchange", endpoint.name(), endpoint.measured()));
            }
        }
        Path jfr = BenchProfiling.jfrFile();
        if (jfr != null) {
            env.dumpFlightRecording(jfr);
            System.out.printf(Locale.ROOT, "BENCHMARK exchange jfr=%s windows=%s (java scripts/JfrPhases.java %s)%n", jfr,
                    BenchProfiling.windowsFile(jfr), jfr);
        }
        ExchangeLoad.Target conduit = endpoints.get(0);
        System.out.println(load.ratio(conduit, endpoints.get(1)));
        if (v2Missing == null) {
            System.out.println(load.ratio(conduit, endpoints.get(2)));
            System.out.println(load.ratio(endpoints.get(3), endpoints.get(2)));
        } else {
            System.out.printf(Locale.ROOT, "BENCHMARK exchange endpoint=brokering_v2 unavailable reason=\"%s\"%n", v2Missing);
        }
        System.out.println(load.ratio(conduit, floor));
        if (v2Missing == null) {
            System.out.println(load.ratio(floor, endpoints.get(2)));
        }

        for (ExchangeLoad.Target endpoint : endpoints) {
            assertThat(endpoint.errors()).as(endpoint.name() + " errors " + endpoint.errorSummary()).isZero();
            assertThat(endpoint.measured()).as(endpoint.name() + " measured requests").isEqualTo(REQUESTS);
        }
        assertThat(refreshes).as("Google refresh_token calls the sandbox saw during warm-up and measurement").isZero();
        assertThat(googleTokenCalls).as("Google token endpoint calls the sandbox saw during warm-up and measurement").isZero();
        assertThat(v2Missing).as("Identity Brokering API V2 (identity-brokering-api:v2) on " + GOOGLE_STORED_ALIAS).isNull();
    }

    /**
     * The floor's answer to the benchmark's user token, checked: 200 with {@code Cache-Control: no-store}, an RFC 8693
     * access-token answer, and the same value on a second call (the floor's one token, which the measured calls must
     * repeat).
     */
    private String checkedFloorAnswer() {
        HttpResponse<String> first = apps.exchange(conduitUser.access(), Map.of("audience", FLOOR_AUDIENCE));
        JsonNode answer = ok(first, "token_endpoint_floor");
        assertThat(first.headers().firstValue("Cache-Control")).as("token_endpoint_floor Cache-Control").hasValue("no-store");
        assertThat(answer.path("issued_token_type").asText()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(answer.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(answer.path("expires_in").asInt()).isEqualTo(300);
        assertThat(answer.has("refresh_token")).isFalse();
        String token = answer.path("access_token").asText();
        assertThat(token).as("the floor's token").matches("[A-Za-z0-9_-]{43}");
        JsonNode again = ok(apps.exchange(conduitUser.access(), Map.of("audience", FLOOR_AUDIENCE)), "token_endpoint_floor");
        assertThat(again.path("access_token").asText()).as("the floor answers its one token").isEqualTo(token);
        return token;
    }

    // ---- setup -----------------------------------------------------------------------------------

    /**
     * A plain Keycloak {@code oidc} provider at the sandbox's Google, with Keycloak's own token storage on (Store
     * Tokens, not in session notes) and offline access asked for, so the stored token response has a refresh token
     * like the vault's connection.
     */
    private void createStoredTokenProvider() {
        ObjectNode idp = new RealmSetup(env.admin()).plainGoogleProvider(GOOGLE_STORED_ALIAS,
                env.googleStoredClient().clientId(), "${vault.google-stored-client-secret}");
        idp.put("displayName", "Google (Keycloak stored tokens)");
        ((ObjectNode) idp.get("config")).put("storeTokenInSession", "false");
        HttpResponse<String> created = env.admin().call("POST", REALM + "/identity-provider/instances", idp);
        assertThat(created.statusCode()).as("create " + GOOGLE_STORED_ALIAS + ": " + created.body()).isEqualTo(201);
        createdIdp = true;
    }

    /** The realm stores the three endpoints' success events, and only those, for this run ({@link #EVENTS_ALIKE}). */
    private void storeEachEndpointsEvent() {
        eventsConfig = env.admin().get(REALM + "/events/config");
        ObjectNode alike = eventsConfig.deepCopy();
        alike.put("eventsEnabled", true);
        var types = alike.putArray("enabledEventTypes");
        for (String type : ALIKE_EVENT_TYPES) {
            types.add(type);
        }
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/events/config", alike);
        assertThat(updated.statusCode()).as("events config: " + updated.body()).isEqualTo(204);
    }

    /**
     * Identity Brokering API V2: the calling client needs {@code external.token.enabled} and the aliases in
     * {@code external.token.idp} (Keycloak's stored-token provider and Conduit's {@code google}).
     */
    private void allowInternalAppToUseBrokeringV2() {
        internalClientUuid = env.admin().get(REALM + "/clients?clientId=" + AppTokens.INTERNAL_APP).get(0).get("id").asText();
        JsonNode client = env.admin().get(REALM + "/clients/" + internalClientUuid);
        ObjectNode attributes = (ObjectNode) client.get("attributes");
        attributes.put(EXTERNAL_TOKEN_ENABLED, "true");
        attributes.put(EXTERNAL_TOKEN_IDP, GOOGLE_STORED_ALIAS + "##google");
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/clients/" + internalClientUuid, client);
        assertThat(updated.statusCode()).as("update " + AppTokens.INTERNAL_APP).isEqualTo(204);
        changedClient = true;
    }

    private UserTokens login(String alias, Account account) {
        return UserTokens.login(env, alias, account);
    }

    private void freshUserTokens() {
        conduitUser.renew();
        storedUser.renew();
    }
}
