package dev.conduit.it;

import static dev.conduit.it.ExchangeBenchmarkIT.FLOOR_AUDIENCE;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Secrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The test-only floor exchange that ExchangeBenchmarkIT measures ({@code audience=conduit-test-floor}, module
 * test-providers, never shipped) answers only its own audience, verifies the subject token as Conduit does, and
 * changes nothing else: an exchange with any other audience still reaches Conduit's exchange (or Keycloak's).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FloorExchangeIT {

    private static final String INVALID_SUBJECT = "subject_token is invalid, expired or its session ended";
    private final String suffix = Secrets.generate().substring(0, 8).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "x");
    /** A user of this class alone, with no connection at all. */
    private final String username = "floor-" + suffix;
    private final String password = Secrets.generate();
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private String userId;
    private String userToken;

    @BeforeAll
    void setUp() {
        HttpResponse<String> user = env.admin().call("POST", REALM + "/users", Map.of("username", username,
                "email", username + "@members.example", "emailVerified", true, "enabled", true, "firstName", "Floor",
                "lastName", "Test", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        userId = env.admin().userIdByUsername(REALM, username);
        userToken = apps.passwordLogin(username, password);
    }

    @AfterAll
    void tearDown() {
        if (userId != null) {
            env.admin().call("DELETE", REALM + "/users/" + userId, null);
        }
    }

    @Test
    void theFloorAnswersAVerifiedSubjectWithItsOneTokenAndRecordsTheExchange() {
        HttpResponse<String> first = apps.exchange(userToken, Map.of("audience", FLOOR_AUDIENCE));
        assertThat(first.statusCode()).as(AppTokens.redacted(first)).isEqualTo(200);
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode answer = AppTokens.json(first);
        assertThat(answer.path("issued_token_type").asText()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        assertThat(answer.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(answer.path("expires_in").asInt()).isEqualTo(300);
        String token = answer.path("access_token").asText();
        assertThat(token).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(userToken);
        assertThat(AppTokens.json(apps.exchange(userToken, Map.of("audience", FLOOR_AUDIENCE))).path("access_token").asText())
                .as("one token per server start").isEqualTo(token);

        JsonNode event = floorEvents("type=TOKEN_EXCHANGE&user=" + userId).stream().findFirst().orElseThrow(
                () -> new AssertionError("no TOKEN_EXCHANGE event of the floor for the user"));
        assertThat(event.path("clientId").asText()).isEqualTo(AppTokens.INTERNAL_APP);
        assertThat(event.path("details").path("subject_token_client_id").asText()).isEqualTo(ConduitEnvironment.APP_CLIENT);
    }

    @Test
    void theFloorRefusesABadSubjectTokenAsAnInvalidRequest() {
        assertRefused(apps.exchange(userToken.substring(0, userToken.length() - 4) + "AAAA", Map.of("audience", FLOOR_AUDIENCE)),
                400, "invalid_request", INVALID_SUBJECT);
        assertRefused(apps.exchange("not-a-token", Map.of("audience", FLOOR_AUDIENCE)), 400, "invalid_request", INVALID_SUBJECT);
        // a token of another realm (master's admin)
        assertRefused(apps.exchange(env.admin().accessToken(), Map.of("audience", FLOOR_AUDIENCE)), 400, "invalid_request",
                INVALID_SUBJECT);
        assertThat(floorEvents("type=TOKEN_EXCHANGE_ERROR&client=" + AppTokens.INTERNAL_APP)).as("the refusals are recorded as the floor's exchange errors")
                .anySatisfy(event -> assertThat(event.path("error").asText()).isEqualTo("invalid_token"));
    }

    @Test
    void anExchangeWithAnotherAudienceStillReachesConduit() {
        // Conduit's answer to a user without a Google connection: it names its own reason and where to connect
        HttpResponse<String> google = apps.exchange(userToken, Map.of("audience", "google"));
        JsonNode refusal = assertConduitRefused(google, 400, "invalid_target", "not_connected",
                "No google connection for this user; connect it first");
        assertThat(refusal.get("connect_uri").asText()).contains("kc_action=idp_link%3Agoogle");
        // near misses of the floor's audience are not the floor's
        for (String audience : List.of("Conduit-Test-Floor", FLOOR_AUDIENCE + "x")) {
            HttpResponse<String> other = apps.exchange(userToken, Map.of("audience", audience));
            assertThat(other.statusCode()).as(audience + ": " + AppTokens.redacted(other)).isEqualTo(400);
            assertThat(AppTokens.json(other).has("access_token")).as(audience).isFalse();
        }
        // two audiences, one of them the floor's: not the floor's either
        HttpResponse<String> two = apps.postBody(env.realmUrl() + "/protocol/openid-connect/token", AppTokens.formBody(List.of(
                Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                Map.entry("subject_token", userToken),
                Map.entry("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                Map.entry("audience", FLOOR_AUDIENCE), Map.entry("audience", "google"))),
                AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret()));
        assertThat(two.statusCode()).as(AppTokens.redacted(two)).isEqualTo(400);
        assertThat(AppTokens.json(two).has("access_token")).isFalse();
    }

    /** The realm's stored events that the floor recorded among the newest 100 this query finds, newest first. */
    private List<JsonNode> floorEvents(String query) {
        JsonNode events = env.admin().get(REALM + "/events?" + query + "&max=100");
        return StreamSupport.stream(events.spliterator(), false)
                .filter(event -> "test_floor".equals(event.path("details").path("conduit_exchange").asText()))
                .toList();
    }
}
