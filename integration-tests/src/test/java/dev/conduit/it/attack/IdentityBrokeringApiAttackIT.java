package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokeringApiClient;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attackers on Keycloak's Identity Brokering API V2 served by Conduit's brokers. Each asserts the refusal (Keycloak's
 * own error shape) and that nothing changed: no upstream refresh, the vault's row as it was.
 */
class IdentityBrokeringApiAttackIT {

    private static final String DOWNSTREAM = "conduit-v2atk-downstream";
    private static final String AUDIENCE_MAPPER = "v2atk audience " + DOWNSTREAM;
    private static final String HELD = "crm.contacts.read";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private BrokeringApiClient client;

    @AfterEach
    void restoreClient() {
        if (client != null) {
            client.restore();
        }
    }

    /** Mallory's app may not retrieve external tokens at all (no external.token.enabled): Keycloak refuses. */
    @Test
    void malloryWithoutExternalTokensEnabledIsRefused() {
        client = BrokeringApiClient.allow(env);
        Victim victim = expiredVictim(Accounts.SALESFORCE_MARGARET);

        assertRefused(client.retrieve("salesforce", victim.token), 403, "invalid_client",
                "Client not allowed to retrieve token for the provider");
        victim.assertUntouched();
    }

    /** Trudy's app is allowed HubSpot only and asks for Salesforce: Keycloak refuses. */
    @Test
    void trudyAskingForAnAliasOutsideTheAllowListIsRefused() {
        client = BrokeringApiClient.allow(env, "hubspot");
        Victim victim = expiredVictim(Accounts.SALESFORCE_MARGARET);

        assertRefused(client.retrieve("salesforce", victim.token), 403, "invalid_client",
                "Client not allowed to retrieve token for the provider");
        victim.assertUntouched();
    }

    /** Eve has no link to HubSpot and asks for one with her own (Salesforce-linked) session: Keycloak refuses. */
    @Test
    void eveWithoutALinkIsRefused() {
        client = BrokeringApiClient.allow(env, "salesforce", "hubspot");
        Victim eve = expiredVictim(Accounts.SALESFORCE_HEDY);

        assertRefused(client.retrieve("hubspot", eve.token), 400, "invalid_request", "User not associated to identity provider");
        eve.assertUntouched();
    }

    /** Oscar replays a token whose session was logged out: Keycloak refuses it as invalid. */
    @Test
    void oscarWithALoggedOutSessionIsRefused() {
        client = BrokeringApiClient.allow(env, "salesforce");
        Victim victim = expiredVictim(Accounts.SALESFORCE_MARGARET);
        HttpResponse<String> logout = env.admin().call("POST", REALM + "/users/" + victim.userId + "/logout", null);
        assertThat(logout.statusCode()).isEqualTo(204);

        assertRefused(client.retrieve("salesforce", victim.token), 400, "invalid_token", "Invalid token");
        victim.assertUntouched();
    }

    /**
     * Sybil's Salesforce refresh token was revoked at Salesforce and her access token has expired: the vault cannot
     * refresh, so V2 answers Keycloak's {@code token_expired} (what Keycloak answers for a stored token it cannot
     * refresh) with Conduit's {@code reconnect_required}, and serves no stale token. Asked again, the vault does not
     * call Salesforce again.
     */
    @Test
    void sybilWithARevokedConnectionGetsTokenExpiredAndNoStaleToken() {
        client = BrokeringApiClient.allow(env, "salesforce");
        java.util.Set<String> issuedBefore = new java.util.HashSet<>(sandbox.issuedTokens());
        Victim sybil = expiredVictim(Accounts.SALESFORCE_KATHERINE);
        String refreshToken = sandbox.issuedTokens().stream().filter(t -> !issuedBefore.contains(t))
                .filter(t -> t.startsWith("5Aep861")).findFirst().orElseThrow();
        assertThat(apps.post(env.sandbox().baseUrl() + "/salesforce/services/oauth2/revoke", Map.of("token", refreshToken), null)
                .statusCode()).isEqualTo(200);

        JsonNode first = assertConduitRefused(client.retrieve("salesforce", sybil.token), 400, "token_expired",
                "reconnect_required", "linked token is expired");
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(1);
        JsonNode afterFirst = vault.connection(sybil.connectionId);
        sandbox.resetCounts();

        assertConduitRefused(client.retrieve("salesforce", sybil.token), 400, "token_expired", "reconnect_required",
                "linked token is expired");
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).as("no second refresh").isZero();
        assertThat(vault.connection(sybil.connectionId)).isEqualTo(afterFirst);
        assertThat(refusalEvents(null, sybil.userId, "reconnect_required")).as("an error event per refusal").isEqualTo(2);
    }

    /**
     * Conduit's {@code IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR} events for V2 refusals with {@code error}, as Keycloak's
     * logging listener wrote them (a warning per error event) for this user, and for a token issued to this client when
     * named.
     */
    private long refusalEvents(String clientId, String userId, String error) {
        try {
            return Files.readAllLines(env.logFile()).stream()
                    .filter(line -> line.contains("type=\"IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR\""))
                    .filter(line -> line.contains("conduit_action=\"brokering_api\""))
                    .filter(line -> line.contains("userId=\"" + userId + "\""))
                    .filter(line -> line.contains("error=\"" + error + "\""))
                    .filter(line -> clientId == null || line.contains("token_client_id=\"" + clientId + "\""))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Mallory runs a downstream service that the internal app hands a token narrowed to Ada's Salesforce connection
     * and one permission ({@value #HELD}). Her service is also a V2 client for Salesforce, and she posts the narrowed
     * token there to get the connection's whole upstream token. Conduit refuses: a narrowed token is exchanged
     * (RFC 8693) within what it holds, never turned into the upstream token by V2. The internal app itself (the
     * token's azp) is refused the same way.
     */
    @Test
    void malloryCannotWidenANarrowedTokenIntoTheUpstreamToken() {
        client = BrokeringApiClient.allow(env, "salesforce");
        RealmSetup realm = new RealmSetup(env.admin());
        String internalAppId = realm.clientUuid(AppTokens.INTERNAL_APP);
        String downstreamSecret = Secrets.generate();
        String downstreamId = createDownstream(realm, downstreamSecret);
        realm.addAudienceMapper(internalAppId, AUDIENCE_MAPPER, DOWNSTREAM);
        try {
            Victim ada = expiredVictim(Accounts.SALESFORCE_MARGARET);
            HttpResponse<String> narrowing = apps.exchange(ada.token,
                    Map.of("audience", DOWNSTREAM, "conduit_connection", "salesforce", "scope", HELD));
            assertThat(narrowing.statusCode()).as(AppTokens.redacted(narrowing)).isEqualTo(200);
            String narrowed = AppTokens.json(narrowing).get("access_token").asText();
            sandbox.resetCounts();
            JsonNode before = vault.connection(ada.connectionId);
            long eventsBefore = refusalEvents(AppTokens.INTERNAL_APP, ada.userId, "bound_token");

            assertRefused(apps.post(env.realmUrl() + "/broker/salesforce/token", Map.of("token", narrowed),
                    AppTokens.basic(DOWNSTREAM, downstreamSecret)), 400, "invalid_token", "narrowed to a Conduit connection");
            assertRefused(client.retrieve("salesforce", narrowed), 400, "invalid_token", "narrowed to a Conduit connection");

            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).as("refreshes at the sandbox").isZero();
            assertThat(vault.connection(ada.connectionId)).as("the vault's row").isEqualTo(before);
            // Keycloak records its own event as a success; Conduit's error event says who was refused and why
            assertThat(refusalEvents(AppTokens.INTERNAL_APP, ada.userId, "bound_token") - eventsBefore)
                    .as("Conduit's error events for the two refusals of Ada's narrowed token").isEqualTo(2);
        } finally {
            env.admin().call("DELETE", REALM + "/clients/" + downstreamId, null);
            for (JsonNode mapper : env.admin().get(REALM + "/clients/" + internalAppId + "/protocol-mappers/models")) {
                if (mapper.get("name").asText().equals(AUDIENCE_MAPPER)) {
                    env.admin().call("DELETE", REALM + "/clients/" + internalAppId + "/protocol-mappers/models/"
                            + mapper.get("id").asText(), null);
                }
            }
        }
    }

    /** A confidential downstream client that receives narrowed tokens and may use V2 for Salesforce. */
    private String createDownstream(RealmSetup realm, String secret) {
        Map<String, Object> downstream = new LinkedHashMap<>();
        downstream.put("clientId", DOWNSTREAM);
        downstream.put("publicClient", false);
        downstream.put("secret", secret);
        downstream.put("standardFlowEnabled", false);
        downstream.put("attributes", Map.of("standard.token.exchange.enabled", "true",
                "conduit.exchange.providers", "salesforce",
                "external.token.enabled", "true", "external.token.idp", "salesforce"));
        String id = realm.recreateClient(downstream);
        RealmSetup.expect(204, env.admin().call("PUT", REALM + "/clients/" + id + "/optional-client-scopes/" + realm.scopeId(HELD), null));
        realm.addClaimMapper(id);
        realm.addAudienceMapper(id, AUDIENCE_MAPPER, DOWNSTREAM);
        return id;
    }

    /** A logged-in user whose connection's access token has expired, so any served answer would show as a refresh. */
    private Victim expiredVictim(Account account) {
        BrowserSession.Page page = new BrokerFlows(env).login(new BrowserSession(), "salesforce", account);
        assertThat(page.endedAtApp()).as(String.valueOf(page.uri())).isTrue();
        String token = apps.accessToken(page);
        String userId = env.admin().userIdByEmail(REALM, account.email());
        String connectionId = vault.connection("USER", userId, "salesforce").get("id").asText();
        vault.expireAccessToken(connectionId);
        sandbox.resetCounts();
        return new Victim(token, userId, connectionId, vault.connection(connectionId));
    }

    private final class Victim {
        final String token;
        final String userId;
        final String connectionId;
        final JsonNode before;

        Victim(String token, String userId, String connectionId, JsonNode before) {
            this.token = token;
            this.userId = userId;
            this.connectionId = connectionId;
            this.before = before;
        }

        void assertUntouched() {
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).as("refreshes at the sandbox").isZero();
            assertThat(vault.connection(connectionId)).as("the vault's row").isEqualTo(before);
        }
    }
}
