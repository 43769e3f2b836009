package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.Await;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.DataKeysDb;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 16: with the {@code pkcs11} key provider no key material is needed outside the HSM. The server runs without the
 * vault's {@code keys} option (SoftHSM2 holds the one KEK) and everything the vault keys works: a first login's sealed
 * handover (under the realm's data key), the row, its refresh token's keyed fingerprint (under the realm's data key,
 * {@code f2.}), a refresh, a data-key rotation that re-writes the fingerprint, and a disconnect that looks the
 * fingerprint up before it revokes at the provider.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Pkcs11OnlyIT {

    private ConduitEnvironment env;

    @BeforeAll
    void start() {
        env = ConduitEnvironment.startWithPkcs11Only();
    }

    @AfterAll
    void stop() {
        if (env != null) {
            env.stop();
        }
    }

    @Test
    void withNoKeyOutsideTheHsmAPersonSignsInExchangesRefreshesRotatesAndDisconnects() throws Exception {
        JsonNode vaultInfo = AdminApi.mapper().readTree(env.admin().serverInfo().body()).path("providers")
                .path("conduit-vault").path("providers").path("conduit-vault").path("operationalInfo");
        assertThat(vaultInfo.path("key-ids").asText()).as("no legacy key configured").isEmpty();
        assertThat(vaultInfo.has("active-key")).isFalse();
        assertThat(Files.readString(env.logFile())).contains("no legacy keys (option 'keys')");

        // the first login's grant waits in the authentication session sealed under the realm's data key
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), "hubspot", Accounts.HUBSPOT_ELIZABETH);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        AppTokens apps = new AppTokens(env);
        String appToken = apps.accessToken(end);
        String first = upstream(apps, appToken);

        VaultApi vault = new VaultApi(env);
        String userId = env.admin().userIdByEmail(ConduitEnvironment.REALM, Accounts.HUBSPOT_ELIZABETH.email());
        String id = vault.connection("USER", userId, "hubspot").get("id").asText();
        try (Connection db = env.database("reads the row over JDBC")) {
            String realmId = KeyRotationIT.realmId(db);
            String realmKey = DataKeysDb.active(db, realmId, null);
            assertThat(KeyRotationIT.keyColumns(db, id)).containsExactly(realmKey, "v2." + realmKey + ".", "v2." + realmKey + ".");
            assertThat(KeyRotationIT.fingerprint(db, id)).as("keyed by the realm's data key").startsWith("f2." + realmKey + ".");

            assertThat(vault.refresh(id).path("refreshed").asInt()).isEqualTo(1);
            String refreshed = upstream(apps, appToken);
            assertThat(refreshed).isNotEqualTo(first);
            assertThat(KeyRotationIT.fingerprint(db, id)).startsWith("f2." + realmKey + ".");

            JsonNode rotation = vault.rotateDataKeys();
            assertThat(rotation.get("state").asText()).isEqualTo("FINISHED");
            String newKey = DataKeysDb.active(db, realmId, null);
            assertThat(newKey).isNotEqualTo(realmKey);
            assertThat(KeyRotationIT.keyColumns(db, id).get(0)).isEqualTo(newKey);
            assertThat(KeyRotationIT.fingerprint(db, id)).as("re-written under the new key").startsWith("f2." + newKey + ".");
            assertThat(upstream(apps, appToken)).isEqualTo(refreshed);
        }

        env.sandbox().engine().resetCounts();
        HttpResponse<String> disconnected = vault.disconnect(id);
        assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(204);
        Await.until("the disconnect revokes at HubSpot", () -> env.sandbox().engine().calls(Provider.HUBSPOT, Endpoint.REVOKE) == 1);
        assertThat(apps.exchange(appToken, Map.of("audience", "hubspot")).statusCode()).isNotEqualTo(200);
    }

    private static String upstream(AppTokens apps, String appToken) {
        HttpResponse<String> answer = apps.exchange(appToken, Map.of("audience", "hubspot"));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return AppTokens.json(answer).get("access_token").asText();
    }
}
