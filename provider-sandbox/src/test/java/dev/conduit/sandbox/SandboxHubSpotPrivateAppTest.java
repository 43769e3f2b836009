package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** HubSpot private apps: a static pat- token, rotated by the portal admin with an overlap. */
class SandboxHubSpotPrivateAppTest {

    private static final Provider HS = Provider.HUBSPOT;

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;
    private final ServerToServer s2s = engine.serverToServer();
    private final String token = s2s.createHubSpotPrivateApp(Accounts.HUBSPOT_HUB,
            Set.of("crm.objects.contacts.read"));

    @Test
    void thePrivateAppTokenReadsContactsAndNeverExpires() {
        assertThat(token).matches("pat-na1-[0-9a-f-]{36}");

        Reply health = contacts(token, "1");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(json(health).path("results").size()).isEqualTo(1);

        engine.advanceClock(Duration.ofDays(400));
        assertThat(contacts(token, "10").status()).isEqualTo(200);
        assertThat(engine.accessTokenActive(token)).isTrue();
    }

    @Test
    void aTokenWithoutTheContactsScopeIsAliveButMissesScopes() {
        String deals = s2s.createHubSpotPrivateApp(Accounts.HUBSPOT_HUB, Set.of("crm.objects.deals.read"));

        Reply reply = contacts(deals, "1");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(json(reply).path("category").asText()).isEqualTo("MISSING_SCOPES");
    }

    @Test
    void afterRotationTheOldTokenWorksForTheOverlapThenIsInvalid() {
        String next = s2s.rotateHubSpotPrivateAppToken(token, Duration.ofHours(1));

        assertThat(next).isNotEqualTo(token).startsWith("pat-na1-");
        assertThat(contacts(next, "1").status()).isEqualTo(200);
        Reply oldInOverlap = contacts(token, "3");
        assertThat(oldInOverlap.status()).as("inside the overlap").isEqualTo(200);
        assertThat(json(contacts(next, "3")).path("results")).as("the same portal's records")
                .isEqualTo(json(oldInOverlap).path("results"));

        engine.advanceClock(Duration.ofMinutes(61));
        assertInvalid(contacts(token, "1"));
        assertThat(contacts(next, "1").status()).isEqualTo(200);
    }

    @Test
    void theAdminExpiresTheOldTokenEarly() {
        String next = s2s.rotateHubSpotPrivateAppToken(token, Duration.ofDays(7));

        s2s.expireHubSpotPrivateAppToken(token);

        assertInvalid(contacts(token, "1"));
        assertThat(contacts(next, "1").status()).isEqualTo(200);
    }

    @Test
    void rotationWithoutOverlapEndsTheOldTokenAtOnce() {
        s2s.rotateHubSpotPrivateAppToken(token, Duration.ZERO);

        assertInvalid(contacts(token, "1"));
    }

    @Test
    void onlyTheCurrentTokenRotates() {
        s2s.rotateHubSpotPrivateAppToken(token, Duration.ofHours(1));

        assertThatThrownBy(() -> s2s.rotateHubSpotPrivateAppToken(token, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s2s.createHubSpotPrivateApp("not-a-portal", Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malloryGuessesAPatTokenAndTheTokenInfoEndpointDoesNotApply() {
        assertInvalid(contacts("pat-na1-00000000-0000-0000-0000-000000000000", "1"));

        Reply info = engine.handle(HS, "GET", "/oauth/v1/access-tokens/" + token, Map.of(), Map.of(), Map.of());
        assertThat(info.status()).isEqualTo(401);
    }

    @Test
    void accountInfoNamesThePortalOfAnyLiveTokenWithoutAScope() {
        String deals = s2s.createHubSpotPrivateApp("4242999", Set.of("crm.objects.deals.read"));
        String oauth = sandbox.login(HS, SandboxFixture.authParams("oauth crm.objects.contacts.read"))
                .path("access_token").asText();

        Reply info = accountInfo(deals);
        assertThat(info.status()).as(info.body()).isEqualTo(200);
        assertThat(json(info).path("portalId").asLong()).isEqualTo(4242999L);
        assertThat(json(accountInfo(oauth)).path("portalId").asText()).isEqualTo(Accounts.HUBSPOT_HUB);

        s2s.rotateHubSpotPrivateAppToken(deals, Duration.ZERO);
        assertInvalid(accountInfo(deals));
    }

    private Reply accountInfo(String bearer) {
        return engine.handle(HS, "GET", "/account-info/v3/details", Map.of(), Map.of(),
                Map.of("authorization", "Bearer " + bearer));
    }

    private Reply contacts(String bearer, String limit) {
        return engine.handle(HS, "GET", "/crm/v3/objects/contacts", Map.of("limit", limit), Map.of(),
                Map.of("authorization", "Bearer " + bearer));
    }

    private static void assertInvalid(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(401);
        assertThat(json(reply).path("category").asText()).isEqualTo("INVALID_AUTHENTICATION");
    }
}
