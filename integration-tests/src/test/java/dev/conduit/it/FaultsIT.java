package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The provider misbehaving at each step that reaches it: 503, 429 with Retry-After, a reply slower than the
 * timeout, a reset connection and a malformed body, during login (the code redemption), during an exchange that
 * must refresh first, and during the revocation of a disconnect. For each, what the person or the app sees (a
 * clear error or success, never a 500 or a stack trace), and that no connection is lost: once the provider
 * behaves again, the same connection works. Prints one FIGURE line per case.
 */
class FaultsIT {

    /** Longer than Keycloak's outbound socket timeout (10 s, set by the test environment) for the login. */
    private static final long LOGIN_TIMEOUT_DELAY_MILLIS = 11_500;
    /** Longer than the vault's read timeout (2 s in the test environment). */
    private static final long VAULT_TIMEOUT_DELAY_MILLIS = 3_000;
    /** The vault's inline attempts for a refresh a caller waits for (inline-attempts, default 3). */
    private static final int INLINE_ATTEMPTS = 3;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);

    @AfterEach
    void clearFaults() {
        sandbox.clearFaults();
    }

    /** The five faults, with "slower than the timeout" meaning slower than the given timeout. */
    private static Stream<Arguments> faults(long slowerThanTimeoutMillis) {
        return Stream.of(Arguments.of("503", Fault.serverError()),
                Arguments.of("429 Retry-After 1", Fault.rateLimited(1)),
                Arguments.of("slower than the timeout", Fault.delay(slowerThanTimeoutMillis)),
                Arguments.of("connection reset", Fault.connectionReset()),
                Arguments.of("malformed body", Fault.malformedBody()));
    }

    static Stream<Arguments> loginFaults() {
        return faults(LOGIN_TIMEOUT_DELAY_MILLIS);
    }

    static Stream<Arguments> refreshFaults() {
        return faults(VAULT_TIMEOUT_DELAY_MILLIS);
    }

    /** A revocation answered 2xx counts as done whatever its body, so a malformed body is not a failure here. */
    static Stream<Arguments> revocationFaults() {
        return faults(VAULT_TIMEOUT_DELAY_MILLIS).filter(a -> ((Fault) a.get()[1]).kind() != Fault.Kind.MALFORMED_BODY);
    }

    @ParameterizedTest(name = "login, {0}")
    @MethodSource("loginFaults")
    void aFailingCodeRedemptionShowsAnErrorPageAndTheNextLoginConnects(String name, Fault fault) {
        Account account = Accounts.SALESFORCE_EVELYN;
        env.admin().deleteUserByEmail(REALM, account.email());
        BrokerFlows flows = new BrokerFlows(env);
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page consent = flows.openConsent(browser, "salesforce");
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.TOKEN, fault, 1);

        BrowserSession.Page failed = flows.allow(browser, consent, account);

        assertThat(failed.endedAtApp()).as("no login with a failed code redemption").isFalse();
        assertThat(failed.status()).as(failed.body()).isNotEqualTo(500).isBetween(400, 599);
        assertThat(failed.body()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(env.admin().userIdByEmail(REALM, account.email())).as("nobody was created").isNull();
        String title = failed.document().title();

        BrowserSession.Page retried = flows.login(new BrowserSession(), "salesforce", account);
        assertThat(retried.endedAtApp()).isTrue();
        String userId = env.admin().userIdByEmail(REALM, account.email());
        assertThat(vault.connection("USER", userId, "salesforce").get("status").asText()).isEqualTo("HEALTHY");
        System.out.printf("FIGURE fault phase=login provider=salesforce fault=\"%s\" person_sees=\"HTTP %d %s\" then=\"the next login connects\"%n",
                name, failed.status(), title);
    }

    @ParameterizedTest(name = "exchange, {0}")
    @MethodSource("refreshFaults")
    void aFailingRefreshOnTheWayToAnExchangeIsRetriedThenReportedAndTheConnectionSurvives(String name, Fault fault) {
        Connected connected = connect(Accounts.HUBSPOT_KATHLEEN);

        // once: the vault's inline retry absorbs it, the app gets its token
        vault.expireAccessToken(connected.connectionId());
        sandbox.injectFault(Provider.HUBSPOT, Endpoint.TOKEN, fault, 1);
        HttpResponse<String> absorbed = apps.exchange(connected.keycloakToken(), Map.of("audience", "hubspot"));
        assertThat(absorbed.statusCode()).as(absorbed.body()).isEqualTo(200);
        sandbox.clearFaults();

        // every inline attempt: a clear, retryable error; the stored tokens stay
        vault.expireAccessToken(connected.connectionId());
        sandbox.injectFault(Provider.HUBSPOT, Endpoint.TOKEN, fault, INLINE_ATTEMPTS);
        HttpResponse<String> refused = apps.exchange(connected.keycloakToken(), Map.of("audience", "hubspot"));
        JsonNode error = assertRefused(refused, 503, "temporarily_unavailable", "The provider could not refresh the token (");
        assertThat(refused.body()).doesNotContain("\"access_token\"").doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode connection = vault.connection(connected.connectionId());
        assertThat(connection.get("status").asText()).isEqualTo("EXPIRING");
        assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();
        sandbox.clearFaults();

        // the provider is back: the same connection serves again
        HttpResponse<String> recovered = apps.exchange(connected.keycloakToken(), Map.of("audience", "hubspot"));
        assertThat(recovered.statusCode()).as(recovered.body()).isEqualTo(200);
        assertThat(sandbox.accessTokenActive(AppTokens.json(recovered).get("access_token").asText())).isTrue();
        assertThat(vault.connection(connected.connectionId()).get("status").asText()).isEqualTo("HEALTHY");
        System.out.printf("FIGURE fault phase=exchange provider=hubspot fault=\"%s\" once=\"HTTP %d\" every_attempt=\"HTTP %d %s,"
                        + " connection EXPIRING, tokens kept\" then=\"HTTP %d, HEALTHY\"%n",
                name, absorbed.statusCode(), refused.statusCode(), error.get("error").asText(), recovered.statusCode());
    }

    @ParameterizedTest(name = "revocation, {0}")
    @MethodSource("revocationFaults")
    void aFailingRevocationIsParkedAndRetriedUntilTheProviderAnswers(String name, Fault fault) {
        Connected connected = connect(Accounts.HUBSPOT_KATHLEEN);
        // rows other tests' user deletions parked are not this one's
        java.util.Set<String> parkedBefore = parkedRevocations();
        int revocationsBefore = sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE);
        // more faults than attempts: the HTTP client itself retries a DELETE on a reset connection
        sandbox.injectFault(Provider.HUBSPOT, Endpoint.REVOKE, fault, 20);

        HttpResponse<String> disconnect = vault.disconnect(connected.connectionId());

        assertThat(disconnect.statusCode()).as(disconnect.body()).isEqualTo(204);
        assertThat(vault.connectionsOf("USER", connected.userId())).as("gone for the user at once").isEmpty();
        JsonNode parked = parkedRevocation(parkedBefore);
        assertThat(parked).as("the revocation is parked, not forgotten").isNotNull();
        assertThat(parked.get("status").asText()).isEqualTo("REVOKED");
        // sent once after the commit, on the vault's workers: wait for its failure to be recorded
        String parkedId = parked.get("id").asText();
        Await.until("the failed send is recorded", () -> vault.connection(parkedId).path("failureCount").asInt() >= 1);
        sandbox.clearFaults();

        // the scheduled run retries it once its backoff is over; the admin's refresh-now does it at once
        int revocationsBeforeRetry = sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE);
        assertThat(revocationsBeforeRetry).as("the send after the commit").isGreaterThan(revocationsBefore);
        vault.refresh(parked.get("id").asText());
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).as("retried").isEqualTo(revocationsBeforeRetry + 1);
        assertThat(vault.connection(parked.get("id").asText())).as("revoked at the provider, then removed").isNull();
        System.out.printf("FIGURE fault phase=revocation provider=hubspot fault=\"%s\" admin_sees=\"HTTP %d, connection gone\""
                + " then=\"parked as REVOKED after %d attempt(s) sent after the commit, revoked on retry\"%n", name, disconnect.statusCode(),
                revocationsBeforeRetry - revocationsBefore);
    }

    @Test
    void aClientSecretMissingFromKeycloaksVaultIsAConfigurationErrorAndIsNeverSent() {
        Connected connected = connect(Accounts.HUBSPOT_KATHLEEN);
        JsonNode original = env.admin().identityProvider(REALM, "hubspot");
        assertThat(original.path("config").path("clientSecret").asText()).startsWith("${vault.");
        ObjectNode broken = original.deepCopy();
        ((ObjectNode) broken.get("config")).put("clientSecret", "${vault.conduit-no-such-secret}");
        String path = REALM + "/identity-provider/instances/hubspot";
        int refreshesBefore = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token");
        // the vault's refresh events, saved for this test only (Keycloak does not save their types by default)
        JsonNode eventsConfig = env.admin().get(REALM + "/events/config");
        ObjectNode withRefreshEvents = eventsConfig.deepCopy();
        withRefreshEvents.putArray("enabledEventTypes").add("IDENTITY_PROVIDER_RETRIEVE_TOKEN").add("IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR");
        assertThat(env.admin().call("PUT", REALM + "/events/config", withRefreshEvents).statusCode()).isEqualTo(204);
        assertThat(env.admin().call("PUT", path, broken).statusCode()).isEqualTo(204);
        try {
            vault.expireAccessToken(connected.connectionId());
            HttpResponse<String> refused = apps.exchange(connected.keycloakToken(), Map.of("audience", "hubspot"));

            assertRefused(refused, 503, "temporarily_unavailable", "The provider could not refresh the token (client_secret_missing");
            assertThat(refused.body()).doesNotContain("${vault");
            assertThat(sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token")).as("requests sent to HubSpot").isEqualTo(refreshesBefore);
            JsonNode connection = vault.connection(connected.connectionId());
            assertThat(connection.get("lastError").asText()).startsWith("client_secret_missing");
            assertThat(connection.get("status").asText()).isEqualTo("EXPIRING");
            assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();
            System.out.printf("FIGURE fault phase=exchange provider=hubspot fault=\"client secret missing from Keycloak's vault\""
                    + " app_sees=\"HTTP %d temporarily_unavailable\" requests_sent=0 then=\"HTTP 200 once the secret is back\"%n",
                    refused.statusCode());
        } finally {
            assertThat(env.admin().call("PUT", path, original).statusCode()).isEqualTo(204);
        }
        HttpResponse<String> recovered;
        JsonNode events;
        try {
            recovered = apps.exchange(connected.keycloakToken(), Map.of("audience", "hubspot"));
            events = env.admin().get(REALM + "/events?type=IDENTITY_PROVIDER_RETRIEVE_TOKEN&type=IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR&user="
                    + connected.userId());
        } finally {
            assertThat(env.admin().call("PUT", REALM + "/events/config", eventsConfig).statusCode()).isEqualTo(204);
        }
        assertThat(recovered.statusCode()).as(recovered.body()).isEqualTo(200);
        assertThat(vault.connection(connected.connectionId()).get("status").asText()).isEqualTo("HEALTHY");

        // what an operator's event log shows: the failure, the fall to EXPIRING (errors), the recovery (a success)
        JsonNode failure = event(events, "refresh_failure", "IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR");
        assertThat(failure.path("details").path("trigger").asText()).isEqualTo("on_demand");
        assertThat(failure.path("error").asText()).startsWith("client_secret_missing");
        JsonNode fell = event(events, "health_change", "IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR");
        assertThat(fell.path("details").path("status").asText()).isEqualTo("EXPIRING");
        JsonNode recovery = event(events, "health_change", "IDENTITY_PROVIDER_RETRIEVE_TOKEN");
        assertThat(recovery.path("details").path("previous_status").asText()).isEqualTo("EXPIRING");
        assertThat(recovery.path("details").path("status").asText()).isEqualTo("HEALTHY");
        assertThat(recovery.has("error")).as("the recovery is not an error event").isFalse();
    }

    private static JsonNode event(JsonNode events, String action, String type) {
        for (JsonNode event : events) {
            if (action.equals(event.path("details").path("conduit_action").asText()) && type.equals(event.path("type").asText())) {
                return event;
            }
        }
        throw new AssertionError("no " + action + " event of type " + type + " among " + events.size() + " events");
    }

    private record Connected(String userId, String connectionId, String keycloakToken) {
    }

    private Connected connect(Account account) {
        env.admin().deleteUserByEmail(REALM, account.email());
        BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), "hubspot", account);
        assertThat(page.endedAtApp()).isTrue();
        String userId = env.admin().userIdByEmail(REALM, account.email());
        return new Connected(userId, vault.connection("USER", userId, "hubspot").get("id").asText(), apps.accessToken(page));
    }

    /** A parked revocation of HubSpot (owner kind REVOKING), if one is left. */
    /** Ids of the HubSpot rows parked for revocation now. */
    private java.util.Set<String> parkedRevocations() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (JsonNode connection : vault.parked("hubspot")) {
            ids.add(connection.get("id").asText());
        }
        return ids;
    }

    /** The HubSpot row parked since {@code before}; null when none was. */
    private JsonNode parkedRevocation(java.util.Set<String> before) {
        for (String id : parkedRevocations()) {
            if (!before.contains(id)) {
                return vault.connection(id);
            }
        }
        return null;
    }
}
