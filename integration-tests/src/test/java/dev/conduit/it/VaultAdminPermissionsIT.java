package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.RealmAdmins;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The vault's admin API under Keycloak's admin permissions: a view-only admin reads but cannot refresh or
 * disconnect, an admin of another realm sees nothing, a user manager (Umberto) reads no connection; searching,
 * paging, counts and key status answer for dashboards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VaultAdminPermissionsIT {

    private static final String OTHER_REALM = "conduit-it-other";
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String password = Secrets.generate();
    private final VaultApi vault = new VaultApi(env);
    private final RealmAdmins admins = new RealmAdmins(env, password);
    private String userId;
    private String connectionId;

    @BeforeAll
    void setUp() {
        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_GRACE_H.email());
        assertThat(new BrokerFlows(env).login(new BrowserSession(), "google", Accounts.GOOGLE_GRACE_H).endedAtApp()).isTrue();
        userId = env.admin().userIdByEmail(REALM, Accounts.GOOGLE_GRACE_H.email());
        connectionId = vault.connection("USER", userId, "google").get("id").asText();

        admins.create(REALM, "vault-viewer", "view-identity-providers");
        admins.create(REALM, "umberto", "manage-users");
        env.admin().call("DELETE", OTHER_REALM, null);
        assertThat(env.admin().call("POST", "", Map.of("realm", OTHER_REALM, "enabled", true)).statusCode()).isEqualTo(201);
        admins.create(OTHER_REALM, "other-admin", "realm-admin");
    }

    @AfterAll
    void tearDown() {
        env.admin().call("DELETE", OTHER_REALM, null);
        for (String admin : List.of("vault-viewer", "umberto")) {
            admins.delete(REALM, admin);
        }
        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_GRACE_H.email());
    }

    @Test
    void aViewOnlyAdminSeesConnectionsButCannotRefreshOrDisconnect() {
        String token = admins.token(REALM, "vault-viewer");
        String base = "/admin/realms/" + REALM + "/conduit-vault";

        assertThat(call(token, "GET", base + "/connections/" + connectionId).statusCode()).isEqualTo(200);
        HttpResponse<String> providers = call(token, "GET", base + "/providers");
        assertThat(providers.statusCode()).isEqualTo(200);
        assertThat(AppTokens.json(providers).findValuesAsText("alias")).contains("google", "hubspot", "salesforce")
                .doesNotContain(ConduitEnvironment.GOOGLE_STORED_ALIAS);
        assertThat(call(token, "POST", base + "/connections/" + connectionId + "/refresh").statusCode()).isEqualTo(403);
        assertThat(call(token, "DELETE", base + "/connections/" + connectionId).statusCode()).isEqualTo(403);
        assertThat(call(token, "POST", base + "/rotate-key").statusCode()).isEqualTo(403);
        assertThat(call(token, "GET", base + "/rotate-key").statusCode()).isEqualTo(403);
        assertThat(vault.connection(connectionId)).as("still there").isNotNull();
    }

    /** Mallory administers users of the realm (query-users), not its identity providers: the vault names none. */
    @Test
    void malloryWithoutViewIdentityProvidersLearnsNoBrokerNames() {
        admins.create(REALM, "vault-mallory", "query-users");
        try {
            HttpResponse<String> answer = call(admins.token(REALM, "vault-mallory"), "GET", "/admin/realms/" + REALM + "/conduit-vault/providers");
            assertThat(answer.statusCode()).isEqualTo(403);
            assertThat(answer.body()).doesNotContain("salesforce").doesNotContain("google").doesNotContain("hubspot");
        } finally {
            env.admin().call("DELETE", REALM + "/users/" + env.admin().userIdByUsername(REALM, "vault-mallory"), null);
        }
    }

    @Test
    void anAdminOfAnotherRealmSeesNothing() {
        String token = admins.token(OTHER_REALM, "other-admin");
        String base = "/admin/realms/" + REALM + "/conduit-vault";

        for (String path : List.of("/connections", "/connections/" + connectionId, "/counts", "/providers")) {
            HttpResponse<String> answer = call(token, "GET", path.isEmpty() ? base : base + path);
            // authenticated in its own realm, forbidden in this one
            assertThat(answer.statusCode()).as(path).isEqualTo(403);
            assertThat(answer.body()).doesNotContain(connectionId).doesNotContain("google");
        }
        assertThat(call(token, "DELETE", base + "/connections/" + connectionId).statusCode()).isEqualTo(403);
    }

    /**
     * Umberto, a user manager (realm-management manage-users, without view-identity-providers), goes after Grace's
     * connection. The brokers' per-user path that let anyone who may view the user read it is gone (404), and the
     * vault's API, the only one left, refuses him: he learns nothing of the row and nothing changes.
     */
    @Test
    void aUserManagerWithoutTheVaultsPermissionReadsNoConnection() {
        JsonNode graceBefore = vault.connection(connectionId);
        String rowsBefore = vault.all().toString();
        String token = admins.token(REALM, "umberto");
        String admin = "/admin/realms/" + REALM;
        assertThat(call(token, "GET", admin + "/users/" + userId).statusCode()).as("he may view Grace herself").isEqualTo(200);

        HttpResponse<String> removed = call(token, "GET", admin + "/conduit-connections/users/" + userId);
        HttpResponse<String> list = call(token, "GET", admin + "/conduit-vault/connections?ownerKind=USER&ownerId=" + userId);
        HttpResponse<String> one = call(token, "GET", admin + "/conduit-vault/connections/" + connectionId);
        HttpResponse<String> disconnect = call(token, "DELETE", admin + "/conduit-vault/connections/" + connectionId);

        assertThat(removed.statusCode()).as("the removed path: " + removed.body()).isEqualTo(404);
        for (HttpResponse<String> refused : List.of(list, one, disconnect)) {
            assertThat(refused.statusCode()).as(refused.request().method() + " " + refused.uri()).isEqualTo(403);
        }
        for (HttpResponse<String> answer : List.of(removed, list, one, disconnect)) {
            assertThat(answer.body()).as(answer.uri().toString())
                    .doesNotContain(connectionId).doesNotContain(Accounts.GOOGLE_GRACE_H.userId());
        }
        assertThat(vault.connection(connectionId)).as("Grace's connection").isEqualTo(graceBefore);
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(rowsBefore);
    }

    @Test
    void pagesOfTheListingTogetherAreTheWholeListing() {
        JsonNode all = vault.all();
        List<String> paged = new ArrayList<>();
        for (int first = 0; first <= all.size(); first += 2) {
            env.admin().get(REALM + "/conduit-vault/connections?first=" + first + "&max=2")
                    .forEach(row -> paged.add(row.get("id").asText()));
        }
        assertThat(all.size()).as("Grace's connection at least").isPositive();
        assertThat(paged).as("every row once, in the listing's order").isEqualTo(all.findValuesAsText("id"));
    }

    @Test
    void searchCountsAndKeyStatusAnswerForADashboard() {
        JsonNode page = env.admin().get(REALM + "/conduit-vault/connections?provider=google&status=HEALTHY&max=1");
        assertThat(page.size()).isEqualTo(1);
        assertThat(page.get(0).get("providerAlias").asText()).isEqualTo("google");
        assertThat(page.toString()).doesNotContain("accessToken").doesNotContain("refreshToken\":\"");
        JsonNode counts = env.admin().get(REALM + "/conduit-vault/counts");
        assertThat(counts.get("HEALTHY").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(counts.has("RECONNECT_REQUIRED")).isTrue();
        JsonNode keys = env.admin().get(REALM + "/conduit-vault/keys");
        assertThat(keys.get("activeKeyId").asText()).as("the KEK that wraps the data keys").isEqualTo("it1");
        JsonNode realmKey = null;
        for (JsonNode dataKey : keys.get("dataKeys")) {
            if (dataKey.get("state").asText().equals("ACTIVE") && !dataKey.hasNonNull("organizationId")) {
                realmKey = dataKey;
            }
        }
        assertThat(realmKey).as("the realm's data key is listed").isNotNull();
        assertThat(realmKey.get("kekId").asText()).isEqualTo("it1");
        assertThat(realmKey.get("rows").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(keys.get("connectionsByKey").get(realmKey.get("id").asText()).asLong()).isGreaterThanOrEqualTo(1);
        assertThat(keys.toString()).as("never key material").doesNotContain("k1.").doesNotContain("wrapped");
    }

    private HttpResponse<String> call(String token, String method, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(env.keycloakUrl() + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
