package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.DataKeysDb;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The key provider goes away after start (issue 16, item 5): Keycloak's data keys are wrapped by a KEK in a SoftHSM2
 * token ({@code pkcs11} provider) and each node keeps one unwrapped data key ({@code data-key-cache-size=1}). With the
 * token deleted under the running server, the organization connection whose data key is cached keeps answering 200;
 * the user connection whose realm key is not cached answers 503 {@code temporarily_unavailable}; a data-key rotation
 * answers 503 and changes nothing; no row is re-sealed under another key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyProviderOutageIT {

    private ConduitEnvironment env;

    @BeforeAll
    void start() {
        env = ConduitEnvironment.startWithPkcs11();
    }

    @AfterAll
    void stop() {
        if (env != null) {
            env.stop();
        }
    }

    @Test
    void withTheHsmGoneACachedDataKeyServesAndAnUncachedOneAnswers503() throws Exception {
        AppTokens apps = new AppTokens(env);
        VaultApi vault = new VaultApi(env);
        String password = Secrets.generate();
        String username = "outage-user";
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", "outage@members.example", "emailVerified", true, "enabled", true, "firstName", "Out",
                "lastName", "Age", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).isEqualTo(201);
        String userId = env.admin().userIdByUsername(REALM, username);
        MintedGrant grant = env.sandbox().engine().mintGrant(Provider.HUBSPOT, env.client(Provider.HUBSPOT).clientId(),
                Accounts.HUBSPOT_GRACE.userId(), Set.of("oauth", "crm.objects.contacts.read"));
        Organizations organizations = new Organizations(env, password);
        String alias = "conduit-it-outage";
        String organizationId = organizations.create(alias, "Outage Org", "outage-org.example");
        organizations.createUser("outage-member");
        organizations.addMember(organizationId, "outage-member");
        String serverToken = env.sandbox().engine().serverToServer().createHubSpotPrivateApp("6363", Set.of("crm.objects.contacts.read"));

        try (Connection db = env.database("reads the rows over JDBC")) {
            String realmId = KeyRotationIT.realmId(db);
            String userRow = UUID.randomUUID().toString();
            KeyRotationIT.insertSealedUnderOldKey(env, db, userRow, realmId, userId, grant);
            assertThat(vault.rotateKey().get("state").asText()).as("migrated under the realm's data key").isEqualTo("FINISHED");
            String realmKey = DataKeysDb.active(db, realmId, null);
            assertThat(KeyRotationIT.keyColumns(db, userRow).get(0)).isEqualTo(realmKey);
            HttpResponse<String> server = new ServerConnectionsApi(env.admin(), REALM).create(organizationId, "hubspot",
                    "hubspot-private-app", Map.of("access_token", serverToken, "scopes", "crm.objects.contacts.read"));
            assertThat(server.statusCode()).as(server.body()).isEqualTo(201);
            String serverRow = AppTokens.json(server).get("id").asText();
            String organizationKey = DataKeysDb.active(db, realmId, organizationId);
            assertThat(KeyRotationIT.keyColumns(db, serverRow).get(0)).isEqualTo(organizationKey);

            String userToken = apps.passwordLogin(username, password);
            String memberToken = apps.passwordLogin("outage-member", password);
            Map<String, String> userExchange = Map.of("audience", "hubspot");
            Map<String, String> organizationExchange = Map.of("audience", "hubspot", "organization", alias,
                    "scope", "crm.contacts.read");
            assertThat(ok(apps.exchange(userToken, userExchange)).get("access_token").asText()).isEqualTo(grant.accessToken());
            // the organization's key is now the one key in the node's memory
            assertThat(ok(apps.exchange(memberToken, organizationExchange)).get("access_token").asText()).isEqualTo(serverToken);
            JsonNode keysBefore = vault.keys().get("dataKeys");

            env.hsm().deleteToken(ConduitEnvironment.HSM_TOKEN);

            assertThat(ok(apps.exchange(memberToken, organizationExchange)).get("access_token").asText())
                    .as("the cached data key keeps serving").isEqualTo(serverToken);
            HttpResponse<String> uncached = apps.exchange(userToken, userExchange);
            assertRefused(uncached, 503, "temporarily_unavailable", "The key provider is unreachable");
            assertThat(uncached.body()).doesNotContain(grant.accessToken()).doesNotContain("Exception");
            HttpResponse<String> rotate = env.admin().call("POST", REALM + "/conduit-vault/data-keys/rotate", null);
            assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(503);
            assertThat(rotate.body()).contains("temporarily_unavailable");
            assertThat(vault.keys().get("dataKeys")).as("no data key made, retired or deleted").isEqualTo(keysBefore);
            assertThat(KeyRotationIT.keyColumns(db, userRow)).as("nothing re-sealed weaker")
                    .containsExactly(realmKey, "v2." + realmKey + ".", "v2." + realmKey + ".");
            assertThat(KeyRotationIT.keyColumns(db, serverRow).get(0)).isEqualTo(organizationKey);
            assertThat(Files.readString(env.logFile())).contains("the key provider is unreachable");
        }
    }
}
