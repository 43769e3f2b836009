package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacker: a hostile (or misconfigured) upstream revocation endpoint. It answers a disconnect with something
 * that is neither success nor its documented "no such token" answer: a wrong client secret ({@code invalid_client}),
 * an RFC 7009 server that wants {@code token_type_hint} ({@code unsupported_token_type}), another 4xx, a 5xx, an
 * unreadable body. The token stays valid upstream, so Conduit must not report the revocation as done: the row is
 * parked (owner kind REVOKING, its last error naming the answer), the event is a revoke failure, and once the fault
 * is lifted a retry revokes the token at the provider and removes the row.
 */
class RevocationAttackIT {

    private static final int FAULTS = 6;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final VaultApi vault = new VaultApi(env);

    static Stream<Arguments> hostileAnswers() {
        return Stream.of(
                Arguments.of("salesforce", "400 invalid_client (wrong client secret)", Fault.oauthError(400, "invalid_client"), "invalid_client"),
                Arguments.of("salesforce", "400 unsupported_token_type", Fault.oauthError(400, "unsupported_token_type"), "unsupported_token_type"),
                Arguments.of("salesforce", "401 invalid_client", Fault.oauthError(401, "invalid_client"), "HTTP 401"),
                Arguments.of("salesforce", "400 with an HTML body", Fault.status(400, "<html><body>Bad Request</body></html>"), "unreadable answer"),
                Arguments.of("salesforce", "403 with an empty JSON body", Fault.status(403, "{}"), "HTTP 403"),
                Arguments.of("salesforce", "502 bad gateway", Fault.status(502, "<html>502</html>"), "HTTP 502"),
                Arguments.of("google", "400 invalid_client (wrong client secret)", Fault.oauthError(400, "invalid_client"), "invalid_client"),
                Arguments.of("google", "400 invalid_request", Fault.oauthError(400, "invalid_request"), "invalid_request"),
                Arguments.of("hubspot", "400 with HubSpot's error body", Fault.status(400,
                        "{\"status\":\"error\",\"message\":\"This app is not installed\",\"category\":\"VALIDATION_ERROR\"}"), "HTTP 400"),
                Arguments.of("hubspot", "404 HTML page (wrong revocation URL)", Fault.status(404, "<html>Not Found</html>"), "HTTP 404"));
    }

    @ParameterizedTest(name = "hostile upstream: {0} answers {1}")
    @MethodSource("hostileAnswers")
    @DisplayName("a hostile upstream's refusal is never taken for a done revocation")
    void hostileUpstreamRefusalIsParkedNotReportedRevoked(String alias, String name, Fault fault, String expectedInError) {
        Connected connected = connect(alias);
        Provider provider = Provider.valueOf(alias.toUpperCase());
        sandbox.resetCounts();
        sandbox.injectFault(provider, Endpoint.REVOKE, fault, FAULTS);
        JsonNode parked;
        try {
            HttpResponse<String> disconnect = vault.disconnect(connected.connectionId());
            assertThat(disconnect.statusCode()).as(disconnect.body()).isEqualTo(204);

            // sent after the commit: wait for its answer to be recorded
            Await.until("the refused send is recorded", () -> {
                JsonNode row = vault.connection(connected.connectionId());
                return row != null && row.path("lastError").asText().contains(expectedInError);
            });
            assertThat(sandbox.calls(provider, Endpoint.REVOKE)).as("the provider was asked").isGreaterThanOrEqualTo(1);
            assertThat(sandbox.refreshTokenActive(connected.refreshToken())).as("still valid upstream").isTrue();
            parked = vault.connection(connected.connectionId());
            assertThat(parked).as("the revocation is parked, not reported done").isNotNull();
            assertThat(parked.get("status").asText()).isEqualTo("REVOKED");
            assertThat(parked.get("ownerKind").asText()).isEqualTo("REVOKING");
            assertThat(parked.get("lastError").asText()).contains(expectedInError);
            assertThat(vault.connectionsOf("USER", connected.userId())).as("no longer served to the user").isEmpty();
            assertThat(revokeEvents(connected.userId(), "REMOVE_FEDERATED_IDENTITY", connected.connectionId()))
                    .as("no 'revoked' event").isEmpty();
            List<JsonNode> failures = revokeEvents(connected.userId(), "REMOVE_FEDERATED_IDENTITY_ERROR", connected.connectionId());
            assertThat(failures).as("a revoke_failure event").isNotEmpty();
            assertThat(failures.toString()).doesNotContain(connected.refreshToken());
        } finally {
            sandbox.clearFaults();
        }

        int before = sandbox.calls(provider, Endpoint.REVOKE);
        vault.refresh(parked.get("id").asText());

        assertThat(sandbox.calls(provider, Endpoint.REVOKE)).as("retried once the fault is lifted").isEqualTo(before + 1);
        assertThat(sandbox.refreshTokenActive(connected.refreshToken())).as("revoked at the provider").isFalse();
        assertThat(vault.connection(connected.connectionId())).as("then removed").isNull();
        env.admin().deleteUserByEmail(REALM, connected.account().email());
    }

    @Test
    @DisplayName("an RFC 7009 revocation endpoint (Salesforce) gets token_type_hint; Google and HubSpot get their documented request")
    void rfc7009UpstreamThatWantsTokenTypeHintGetsIt() {
        Connected salesforce = connect("salesforce");
        Connected google = connect("google");
        sandbox.resetCounts();

        assertThat(vault.disconnect(salesforce.connectionId()).statusCode()).isEqualTo(204);
        assertThat(vault.disconnect(google.connectionId()).statusCode()).isEqualTo(204);
        Await.until("both revocations sent", () -> vault.connection(salesforce.connectionId()) == null
                && vault.connection(google.connectionId()) == null);

        assertThat(sandbox.revocationHints(Provider.SALESFORCE)).containsExactly("refresh_token");
        assertThat(sandbox.revocationHints(Provider.GOOGLE)).as("Google documents token= alone").containsExactly("");
        assertThat(sandbox.refreshTokenActive(salesforce.refreshToken())).isFalse();
        assertThat(sandbox.refreshTokenActive(google.refreshToken())).isFalse();
        assertThat(vault.connection(salesforce.connectionId())).isNull();
        assertThat(vault.connection(google.connectionId())).isNull();
        env.admin().deleteUserByEmail(REALM, salesforce.account().email());
        env.admin().deleteUserByEmail(REALM, google.account().email());
    }

    @Test
    @DisplayName("the provider's documented 'no such token' answer still counts as done")
    void aTokenTheProviderAlreadyDroppedIsDoneNotParkedForever() {
        Connected connected = connect("salesforce");
        sandbox.injectFault(Provider.SALESFORCE, Endpoint.REVOKE,
                Fault.status(400, "{\"error\":\"invalid_token\",\"error_description\":\"Token was invalid\"}"), 1);
        try {
            assertThat(vault.disconnect(connected.connectionId()).statusCode()).isEqualTo(204);
            Await.until("the 'no such token' answer counts as done", () -> vault.connection(connected.connectionId()) == null);
        } finally {
            sandbox.clearFaults();
        }
        assertThat(revokeEvents(connected.userId(), "REMOVE_FEDERATED_IDENTITY", connected.connectionId())).hasSize(1);
        env.admin().deleteUserByEmail(REALM, connected.account().email());
    }

    private List<JsonNode> revokeEvents(String userId, String type, String connectionId) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode event : env.admin().get(REALM + "/events?type=" + type + "&user=" + userId + "&max=200")) {
            if (connectionId.equals(event.path("details").path("connection_id").asText())
                    && event.path("details").path("conduit_action").asText().startsWith("revoke")) {
                out.add(event);
            }
        }
        return out;
    }

    private record Connected(Account account, String userId, String connectionId, String refreshToken) {
    }

    private Connected connect(String alias) {
        Account account = switch (alias) {
            case "salesforce" -> Accounts.SALESFORCE_KAREN;
            case "google" -> Accounts.GOOGLE_LESLIE;
            default -> Accounts.HUBSPOT_RUTH;
        };
        String prefix = switch (alias) {
            case "salesforce" -> "5Aep861";
            case "google" -> "1//";
            default -> "na1-";
        };
        env.admin().deleteUserByEmail(REALM, account.email());
        Set<String> before = new HashSet<>(sandbox.issuedTokens());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), alias, account).endedAtApp()).isTrue();
        List<String> issued = new ArrayList<>(sandbox.issuedTokens());
        issued.removeAll(before);
        String refreshToken = issued.stream().filter(t -> t.startsWith(prefix)).findFirst().orElseThrow();
        assertThat(sandbox.refreshTokenActive(refreshToken)).isTrue();
        String userId = env.admin().userIdByEmail(REALM, account.email());
        JsonNode connection = vault.connection("USER", userId, alias);
        assertThat(connection).isNotNull();
        return new Connected(account, userId, connection.get("id").asText(), refreshToken);
    }
}
