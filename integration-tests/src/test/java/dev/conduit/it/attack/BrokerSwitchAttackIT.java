package dev.conduit.it.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.Map;
import java.util.UUID;

import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.StoredTokenRealms;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the switch to a Conduit broker (POST {@code .../conduit-vault/identity-providers/{alias}/switch}), which
 * would let its caller point a realm's broker, and with it every linked user's next login and stored token, at an
 * endpoint of their choosing. Realm A has a storing {@code oidc} broker and a user linked with a stored token. Mallory is
 * the administrator of realm B (manage-realm there); Trudy manages realm A's identity providers but not the realm; Eve is
 * a plain user of realm A. Each is refused, and realm A's provider (id, Store Tokens, every setting), its federated
 * identity and its stored token are unchanged.
 */
class BrokerSwitchAttackIT {

    private static final Map<String, String> MALLORYS_BROKER = Map.of("clientId", "mallory-app",
            "clientSecret", "mallory-secret", "loginHost", "https://mallory.example");

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final StoredTokenRealms realms = new StoredTokenRealms(env);

    @Test
    void noOneButTheRealmsManagerSwitchesItsBroker() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String realmA = "s27swa-" + tag;
        String realmB = "s27swb-" + tag;
        String alias = "salesforce";
        createRealm(realmA);
        createRealm(realmB);
        try (Connection db = realms.database()) {
            realms.plainOidcWithStoreTokens(realmA, alias);
            String victim = realms.createUser(realmA, "victim-" + tag, "victim-" + UUID.randomUUID());
            realms.link(realmA, victim, alias, Accounts.SALESFORCE_MARGARET);
            String stored = realms.tokenResponse("s27swa-at-" + tag, "s27swa-rt-" + tag);
            StoredTokenRealms.setStoredToken(db, victim, alias, stored);

            String malloryPassword = "mallory-" + UUID.randomUUID();
            String mallory = realms.createUser(realmB, "mallory-" + tag, malloryPassword);
            realms.grantRealmManagement(realmB, mallory, "manage-realm", "manage-identity-providers", "view-realm");
            String malloryToken = realms.passwordToken(realmB, "mallory-" + tag, malloryPassword);
            String trudyPassword = "trudy-" + UUID.randomUUID();
            String trudy = realms.createUser(realmA, "trudy-" + tag, trudyPassword);
            realms.grantRealmManagement(realmA, trudy, "manage-identity-providers", "view-identity-providers", "view-realm");
            String trudyToken = realms.passwordToken(realmA, "trudy-" + tag, trudyPassword);
            String evePassword = "eve-" + UUID.randomUUID();
            realms.createUser(realmA, "eve-" + tag, evePassword);
            String eveToken = realms.passwordToken(realmA, "eve-" + tag, evePassword);
            String row = StoredTokenRealms.identityProviderRow(db, realmA, alias);

            // Mallory, with realm B's token, at realm A's switch: Keycloak refuses an admin of another realm
            assertRefusedStatus(realms.switchToConduit(realmA, alias, "conduit-salesforce", MALLORYS_BROKER, malloryToken), 403);
            // ...and realm B's switch knows no broker of realm A
            assertRefusedStatus(realms.switchToConduit(realmB, alias, "conduit-salesforce", MALLORYS_BROKER, malloryToken), 404);
            // Trudy may edit realm A's brokers with Keycloak's own API, but the switch needs manage-realm
            assertRefusedStatus(realms.switchToConduit(realmA, alias, "conduit-salesforce", MALLORYS_BROKER, trudyToken), 403);
            assertRefusedStatus(realms.switchToConduit(realmA, alias, "conduit-salesforce", MALLORYS_BROKER, eveToken), 403);

            assertThat(StoredTokenRealms.identityProviderRow(db, realmA, alias)).as("realm A's broker").isEqualTo(row);
            assertThat(env.admin().identityProvider(realmA, alias).get("providerId").asText()).isEqualTo("oidc");
            assertThat(StoredTokenRealms.federatedIdentities(db, realmA, alias)).isEqualTo(1);
            assertThat(StoredTokenRealms.storedToken(db, victim, alias)).isEqualTo(stored);
        } finally {
            env.admin().call("DELETE", realmA, null);
            env.admin().call("DELETE", realmB, null);
        }
    }

    private void createRealm(String realm) {
        HttpResponse<String> created = env.admin().call("POST", "", Map.of("realm", realm, "enabled", true));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private static void assertRefusedStatus(HttpResponse<String> answer, int status) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.body()).doesNotContain("mallory-secret");
    }
}
