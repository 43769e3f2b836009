package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.Database;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Fault;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Attacker: an internal app (or anybody who reads what an app shows) collecting the deployment's internals from
 * error messages. When a refresh token is refused after another node lost a refresh answer, the connection's
 * {@code lastError} names that node ({@code host:pid}) for administrators; the token-exchange
 * {@code error_description} must not. Writes the lost attempt over JDBC, so it runs on PostgreSQL
 * (the tests' embedded PostgreSQL by default, see support/Database).
 */
class InternalDetailAttackIT {

    private static final String NODE = "kc-secret-host.internal.example:4242";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);

    @Test
    @DisplayName("an app's error_description never names a node; the admin API does")
    void appReadingErrorDescriptionsLearnsNoNodeName() throws SQLException {
        Database.requirePostgres("writes a row over JDBC");
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_MARIE.email());
        BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), "salesforce", Accounts.SALESFORCE_MARIE);
        assertThat(page.endedAtApp()).isTrue();
        String userToken = apps.accessToken(page);
        String userId = env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_MARIE.email());
        String connectionId = vault.connection("USER", userId, "salesforce").get("id").asText();
        try (Connection db = Database.connect();
                PreparedStatement insert = db.prepareStatement(
                        "insert into conduit_refresh_attempt (connection_id, node, started_at) values (?, ?, ?)")) {
            insert.setString(1, connectionId);
            insert.setString(2, NODE);
            insert.setLong(3, System.currentTimeMillis() / 1000 - 60);
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
        vault.expireAccessToken(connectionId);
        env.sandbox().engine().injectFault(Provider.SALESFORCE, Endpoint.TOKEN, Fault.oauthError(400, "invalid_grant"), 1);
        HttpResponse<String> refused;
        try {
            refused = apps.exchange(userToken, Map.of("audience", "salesforce"));
        } finally {
            env.sandbox().engine().clearFaults();
        }
        HttpResponse<String> again = apps.exchange(userToken, Map.of("audience", "salesforce"));

        JsonNode admin = vault.connection(connectionId);
        assertThat(admin.get("status").asText()).isEqualTo("RECONNECT_REQUIRED");
        assertThat(admin.get("lastError").asText()).as("administrators keep the node").contains(NODE)
                .contains("never stored its answer");
        for (HttpResponse<String> answer : new HttpResponse[] {refused, again}) {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
            JsonNode body = AppTokens.json(answer);
            assertThat(body.get("conduit_error").asText()).isEqualTo("reconnect_required");
            assertThat(body.get("error_description").asText()).contains("invalid_grant").doesNotContain("kc-secret-host")
                    .doesNotContain("4242").doesNotContain("admin detail");
        }
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_MARIE.email());
    }
}
