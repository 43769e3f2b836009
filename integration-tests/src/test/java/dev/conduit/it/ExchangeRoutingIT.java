package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.Secrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Which exchange answers {@code audience=<alias>} when the alias names a Conduit broker: Conduit's, while the realm has
 * no client with that client id; Keycloak's standard exchange from the moment one is created, although each node
 * remembers "no such client" for a few seconds (issue 17: Keycloak's cache keeps no negative client lookup, and asking
 * the database on every exchange cost a transaction per request); Conduit's again once that client is deleted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExchangeRoutingIT {

    private static final String CONDUIT_REFUSAL = "may not obtain";
    private final String suffix = Secrets.generate().substring(0, 8).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "x");
    /** A Conduit broker of this class alone (a copy of the demo's Google), which no client may obtain tokens of. */
    private final String alias = "routing-" + suffix;
    private final String username = "routing-" + suffix;
    private final String password = Secrets.generate();
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private String userToken;

    @BeforeAll
    void setUp() {
        JsonNode google = env.admin().get(REALM + "/identity-provider/instances/google");
        ObjectNode copy = google.deepCopy();
        copy.put("alias", alias);
        copy.remove("internalId");
        copy.put("displayName", "Routing test " + suffix);
        HttpResponse<String> created = env.admin().call("POST", REALM + "/identity-provider/instances", copy);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> user = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", username + "@members.example", "emailVerified", true, "enabled", true, "firstName", "Routing",
                "lastName", "Test", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        userToken = apps.passwordLogin(username, password);
    }

    @AfterAll
    void tearDown() {
        deleteClient();
        String userId = env.admin().userIdByUsername(REALM, username);
        if (userId != null) {
            env.admin().call("DELETE", REALM + "/users/" + userId, null);
        }
        env.admin().call("DELETE", REALM + "/identity-provider/instances/" + alias, null);
    }

    @Test
    void aClientCreatedWithTheAliasAsItsClientIdTakesTheAudienceAtOnceAndGivesItBackWhenDeleted() {
        // Conduit answers (this node now remembers that no client is called so), twice to be sure the memory is used
        assertConduitAnswered(apps.exchange(userToken, Map.of("audience", alias)));
        assertConduitAnswered(apps.exchange(userToken, Map.of("audience", alias)));

        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", alias);
        client.put("publicClient", false);
        client.put("secret", Secrets.generate());
        client.put("standardFlowEnabled", false);
        String clientUuid = new RealmSetup(env.admin()).recreateClient(client);
        assertThat(clientUuid).isNotBlank();

        // at once, well within the memory's life: Keycloak's standard exchange answers, about its client
        HttpResponse<String> keycloaks = apps.exchange(userToken, Map.of("audience", alias));
        assertThat(keycloaks.body()).as(AppTokens.redacted(keycloaks)).doesNotContain(CONDUIT_REFUSAL)
                .doesNotContain("identity_provider").doesNotContain("conduit_error");

        deleteClient();
        assertConduitAnswered(apps.exchange(userToken, Map.of("audience", alias)));
    }

    /** Conduit's exchange took the request: the internal app was never allowed this broker. */
    private static void assertConduitAnswered(HttpResponse<String> answer) {
        assertRefused(answer, 400, "invalid_target", CONDUIT_REFUSAL);
    }

    private void deleteClient() {
        String uuid = new RealmSetup(env.admin()).clientUuidOrNull(alias);
        if (uuid != null) {
            assertThat(env.admin().call("DELETE", REALM + "/clients/" + uuid, null).statusCode()).isEqualTo(204);
        }
    }
}
