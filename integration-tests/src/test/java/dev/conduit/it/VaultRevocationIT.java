package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.Await;
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
import org.junit.jupiter.api.Test;

/**
 * Disconnecting in any of Keycloak's ways revokes the upstream tokens at the provider (asserted on the
 * sandbox's own view of the token) and removes the connection; a revocation the provider does not answer
 * is kept and retried, never dropped.
 */
class VaultRevocationIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final VaultApi vault = new VaultApi(env);

    @Test
    void unlinkingTheProviderRevokesTheRefreshTokenAtHubSpot() {
        Connected connected = connect("hubspot", Accounts.HUBSPOT_BARBARA, "na1-");
        sandbox.resetCounts();

        env.admin().removeFederatedIdentity(REALM, connected.userId(), "hubspot");

        // sent after the unlink committed, on the vault's workers
        assertThat(vault.connectionsOf("USER", connected.userId())).isEmpty();
        Await.until("the revocation reaches HubSpot", () -> !sandbox.refreshTokenActive(connected.refreshToken()));
        Await.until("the parked row is deleted", () -> vault.connection(connected.connectionId()) == null);
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE)).isEqualTo(1);

        // the revocation is an event with what happened and never a token
        JsonNode events = env.admin().get(REALM + "/events?type=REMOVE_FEDERATED_IDENTITY&user=" + connected.userId());
        JsonNode revoke = null;
        for (JsonNode event : events) {
            if ("revoke".equals(event.path("details").path("conduit_action").asText())) {
                revoke = event;
            }
        }
        assertThat(revoke).as("a conduit revoke event").isNotNull();
        assertThat(revoke.get("details").get("why").asText()).isEqualTo("unlink");
        assertThat(revoke.get("details").get("identity_provider").asText()).isEqualTo("hubspot");
        assertThat(events.toString()).doesNotContain(connected.refreshToken());
        env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_BARBARA.email());
    }

    @Test
    void deletingTheUserParksTheRevocationAndTheScheduledTaskSendsItToGoogle() {
        Connected connected = connect("google", Accounts.GOOGLE_EDSGER, "1//");
        sandbox.resetCounts();

        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_EDSGER.email());

        // the removal itself never waits on the provider: the row is parked, due now
        assertThat(sandbox.calls(Provider.GOOGLE, Endpoint.REVOKE)).as("no call during the removal").isZero();
        assertThat(sandbox.refreshTokenActive(connected.refreshToken())).isTrue();
        JsonNode parked = vault.connection(connected.connectionId());
        assertThat(parked.get("status").asText()).isEqualTo("REVOKED");
        assertThat(parked.get("ownerKind").asText()).isEqualTo("REVOKING");

        vault.refresh(connected.connectionId()); // what the scheduled task does to a due parked row

        assertThat(sandbox.calls(Provider.GOOGLE, Endpoint.REVOKE)).isEqualTo(1);
        assertThat(sandbox.refreshTokenActive(connected.refreshToken())).isFalse();
        assertThat(vault.connection(connected.connectionId())).isNull();
    }

    @Test
    void aRevocationTheProviderDoesNotAnswerIsKeptAndRetriedUntilItSucceeds() {
        Connected connected = connect("salesforce", Accounts.SALESFORCE_HEDY, "5Aep861");
        sandbox.resetCounts();
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.REVOKE, Fault.serverError(), 1);
        try {
            assertThat(vault.disconnect(connected.connectionId()).statusCode()).isEqualTo(204);

            // one send after the commit, which fails: parked for the scheduled retry
            Await.until("the failed send is recorded", () -> {
                JsonNode row = vault.connection(connected.connectionId());
                return row != null && row.path("lastError").asText().contains("503");
            });
            assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).isEqualTo(1);
            assertThat(sandbox.refreshTokenActive(connected.refreshToken())).isTrue();
            JsonNode parked = vault.connection(connected.connectionId());
            assertThat(parked.get("status").asText()).isEqualTo("REVOKED");
            assertThat(parked.get("ownerKind").asText()).isEqualTo("REVOKING");
            assertThat(parked.get("lastError").asText()).contains("503");
            assertThat(vault.connectionsOf("USER", connected.userId())).as("no longer the user's").isEmpty();
            // one more retry the provider does not answer: counted as a failed revocation, not as a failed refresh
            sandbox.injectFault(Provider.SALESFORCE, Endpoint.REVOKE, Fault.serverError(), 1);
            JsonNode failedRetry = vault.refresh(connected.connectionId());
            assertThat(failedRetry.path("revocationsFailed").asInt()).isEqualTo(1);
            assertThat(failedRetry.path("revocationsSent").asInt()).isZero();
            assertThat(failedRetry.path("failed").asInt()).isZero();
            assertThat(vault.connection(connected.connectionId()).get("status").asText()).as("still parked").isEqualTo("REVOKED");
        } finally {
            sandbox.clearFaults();
        }

        JsonNode retried = vault.refresh(connected.connectionId());

        assertThat(retried.path("revocationsSent").asInt()).isEqualTo(1);
        assertThat(retried.path("revocationsFailed").asInt()).isZero();
        assertThat(retried.path("failed").asInt()).isZero();
        assertThat(sandbox.calls(Provider.SALESFORCE, Endpoint.REVOKE)).isEqualTo(3);
        assertThat(sandbox.refreshTokenActive(connected.refreshToken())).isFalse();
        assertThat(vault.connection(connected.connectionId())).isNull();
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_HEDY.email());
    }

    private record Connected(String userId, String connectionId, String refreshToken) {
    }

    private Connected connect(String alias, Account account, String refreshTokenPrefix) {
        env.admin().deleteUserByEmail(REALM, account.email());
        Set<String> before = new HashSet<>(sandbox.issuedTokens());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), alias, account).endedAtApp()).isTrue();
        List<String> issued = new ArrayList<>(sandbox.issuedTokens());
        issued.removeAll(before);
        String refreshToken = issued.stream().filter(t -> t.startsWith(refreshTokenPrefix)).findFirst().orElseThrow();
        assertThat(sandbox.refreshTokenActive(refreshToken)).isTrue();
        String userId = env.admin().userIdByEmail(REALM, account.email());
        JsonNode connection = vault.connection("USER", userId, alias);
        assertThat(connection).isNotNull();
        return new Connected(userId, connection.get("id").asText(), refreshToken);
    }
}
