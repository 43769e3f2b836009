package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacker: Anita, a realm user whose HubSpot connection an administrator disconnects (she left the team), and who
 * keeps asking an internal app for her upstream token right away, hoping the node still holds her connection's row
 * in its sealed-row cache (issue 17). The row was cached by her exchanges just before; the disconnect must still be
 * refused at once, with no token in the answer, and nothing comes back: the row stays gone and the provider was asked
 * to revoke once. The same cache must not hide a change made the other way: her reconnect is served at once.
 * (Two nodes: ClusterIT, a disconnect on node A refused at once on node B.)
 */
class RowCacheAttackIT {

    private static final Map<String, String> HUBSPOT = Map.of("audience", "hubspot");

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);

    @AfterEach
    void removeAnita() {
        env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_ANITA.email());
    }

    @Test
    void aDisconnectedConnectionWhoseRowWasCachedIsRefusedAtOnce() {
        String appToken = connectAnita();
        String id = vault.connection("USER", userId(), "hubspot").get("id").asText();
        String served = upstreamToken(appToken);
        assertThat(upstreamToken(appToken)).as("served again, from the node's cache").isEqualTo(served);
        int revocationsBefore = sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE);

        assertThat(vault.disconnect(id).statusCode()).isEqualTo(204);
        HttpResponse<String> refused = apps.exchange(appToken, HUBSPOT);

        assertConduitRefused(refused, 400, "invalid_target", "not_connected", "No hubspot connection for this user; connect it first");
        assertThat(refused.body().contains(served)).as("the refusal carries the old token").isFalse();
        Await.until("revoked at HubSpot", () -> sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE) - revocationsBefore >= 1);
        Await.until("the row is gone", () -> vault.connection(id) == null);
        HttpResponse<String> again = apps.exchange(appToken, HUBSPOT);
        assertConduitRefused(again, 400, "invalid_target", "not_connected", "No hubspot connection for this user; connect it first");
        assertThat(sandbox.calls(Provider.HUBSPOT, Endpoint.REVOKE) - revocationsBefore).as("revoked at HubSpot once").isEqualTo(1);
    }

    @Test
    void aReconnectReplacesTheCachedRowAtOnce() {
        String firstAppToken = connectAnita();
        String first = upstreamToken(firstAppToken);
        assertThat(upstreamToken(firstAppToken)).isEqualTo(first);

        String secondAppToken = login();
        String second = upstreamToken(secondAppToken);

        assertThat(second.equals(first)).as("the cached row of the first connect was served").isFalse();
        assertThat(sandbox.accessTokenActive(second)).isTrue();
    }

    private String connectAnita() {
        env.admin().deleteUserByEmail(REALM, Accounts.HUBSPOT_ANITA.email());
        return login();
    }

    private String login() {
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), "hubspot", Accounts.HUBSPOT_ANITA);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        return apps.accessToken(end);
    }

    private String userId() {
        return env.admin().userIdByEmail(REALM, Accounts.HUBSPOT_ANITA.email());
    }

    private String upstreamToken(String appToken) {
        HttpResponse<String> answer = apps.exchange(appToken, HUBSPOT);
        assertThat(answer.statusCode()).as(answer.body().replaceAll("\"access_token\":\"[^\"]*\"", "\"access_token\":\"…\"")).isEqualTo(200);
        return AppTokens.json(answer).get("access_token").asText();
    }
}
