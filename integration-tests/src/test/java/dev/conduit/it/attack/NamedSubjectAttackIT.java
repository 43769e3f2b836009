package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertConduitRefused;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.RowCount;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.ServerConnectionsApi;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.GoogleServiceAccount;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A service account's job names the Workspace user it acts as ({@code requested_subject}, issue 15), which only an
 * admin's list on the Google connection ({@code subject_clients}) allows, and a person never does. Mallory, a member
 * of the organization with her own Workspace address, uses the same internal app whose service account the admin
 * listed, and names her CEO (Betty); the app's service account names Betty for an organization whose connection
 * lists another client, and for a connection that acts as one account. Each is refused, and no token is minted for
 * Betty. The listed service account gets Betty's token (the baseline that makes the refusals mean something), and the
 * same token for her address in other case (Workspace addresses are case-insensitive: one user, one mint). Ivan, with
 * the listed app's credentials, names addresses Google does not know: each is refused and leaves no row behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamedSubjectAttackIT {

    private static final String LISTED = "conduit-it-named-listed";
    private static final String UNLISTED = "conduit-it-named-unlisted";
    private static final String SCOPE = "https://www.googleapis.com/auth/calendar.readonly";
    private static final String CEO = Accounts.GOOGLE_BETTY.email();
    private static final String JWT_BEARER = ServerConnectionsApi.JWT_BEARER_GRANT;

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final ServerConnectionsApi servers = new ServerConnectionsApi(env.admin(), REALM);
    private final String password = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private final SandboxEngine engine = env.sandbox().engine();
    private String listedId;
    private String unlistedId;
    private String mallory;

    @BeforeAll
    void setUp() {
        listedId = organizations.create(LISTED, "Named Listed", "named-listed.example");
        unlistedId = organizations.create(UNLISTED, "Named Unlisted", "named-unlisted.example");
        googleConnection(listedId, AppTokens.INTERNAL_APP);
        googleConnection(unlistedId, "conduit-it-backup-job");
        String privateApp = engine.serverToServer().createHubSpotPrivateApp("6262", Set.of("crm.objects.contacts.read"));
        assertThat(servers.create(unlistedId, "hubspot", "hubspot-private-app", Map.of("access_token", privateApp,
                "scopes", "crm.objects.contacts.read")).statusCode()).isEqualTo(201);

        organizations.deleteUser("named-mallory");
        HttpResponse<String> created = env.admin().call("POST", REALM + "/users", Map.of("username", "named-mallory",
                "email", Accounts.GOOGLE_MALLORY.email(), "emailVerified", true, "enabled", true, "firstName", "Mallory",
                "lastName", "Named", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        organizations.addMember(listedId, "named-mallory");
        mallory = apps.passwordLogin("named-mallory", password);
        apps.setInternalAppAttribute("conduit.exchange.organizations", LISTED + " " + UNLISTED);
    }

    @AfterEach
    void counts() {
        engine.resetCounts();
    }

    @AfterAll
    void tearDown() {
        apps.setInternalAppAttribute("conduit.exchange.organizations", "");
        for (String organization : List.of(listedId, unlistedId)) {
            vault.disconnectAll("ORGANIZATION", organization);
        }
        organizations.delete(LISTED);
        organizations.delete(UNLISTED);
        organizations.deleteUser("named-mallory");
    }

    @Test
    void theServiceAccountTheAdminListedActsAsTheWorkspaceUserItNames() {
        engine.resetCounts();
        JsonNode served = ok(apps.exchange(apps.serviceAccountToken(), calendar(LISTED, CEO)));
        assertThat(served.get("account_id").asText()).isEqualTo(CEO);
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER)).isEqualTo(1);
        assertThat(ServerConnectionsApi.apiCall(env.sandbox().baseUrl() + "/google/calendar/v3/calendars/primary/events",
                served.get("access_token").asText())).isEqualTo(200);
        // Workspace addresses are case-insensitive: Betty in other case is the same user, her token, no second mint
        JsonNode sameUser = ok(apps.exchange(apps.serviceAccountToken(), calendar(LISTED, "Betty@ACME.Example")));
        assertThat(sameUser.get("account_id").asText()).isEqualTo(CEO);
        assertThat(sameUser.get("access_token").asText()).isEqualTo(served.get("access_token").asText());
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER)).isEqualTo(1);
        // outside the Workspace domain, even for the listed client: refused before any mint
        assertConduitRefused(apps.exchange(apps.serviceAccountToken(), calendar(LISTED, "ceo@elsewhere.example")), 400,
                "invalid_target", "not_connected", "outside the Workspace domain acme.example");
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER)).isEqualTo(1);
    }

    @Test
    void ivanWithTheListedAppsCredentialsNamesInventedAddressesAndLeavesNoRowBehind() throws SQLException {
        // Ivan holds the listed app's client secret: he may name Workspace users, and names ones Google does not know
        engine.resetCounts();
        long before = subjectRows("ivan-%");
        for (int i = 0; i < 12; i++) {
            String invented = "ivan-" + UUID.randomUUID().toString().substring(0, 8) + "@acme.example";
            assertConduitRefused(apps.exchange(apps.serviceAccountToken(), calendar(LISTED, invented)), 400,
                    "invalid_target", "not_connected", "refuses to act as you");
        }
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER)).as("tokens minted").isZero();
        assertThat(subjectRows("ivan-%")).as("rows left by refused subjects").isEqualTo(before).isZero();
        // the connection still serves the users Google knows
        JsonNode served = ok(apps.exchange(apps.serviceAccountToken(), calendar(LISTED, CEO)));
        assertThat(served.get("account_id").asText()).isEqualTo(CEO);
        assertThat(subjectRows(CEO)).isEqualTo(1);
    }

    @Test
    void malloryNamesHerCeoThroughTheAppWhoseServiceAccountIsListedAndIsRefused() {
        engine.resetCounts();
        HttpResponse<String> refused = apps.exchange(mallory, calendar(LISTED, CEO));
        assertRefused(refused, 400, "invalid_request", "a person acts as themselves");
        assertThat(refused.body()).doesNotContain("access_token");
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER)).as("mints for anyone").isZero();
        // she still gets her own token, as herself
        JsonNode own = ok(apps.exchange(mallory, calendar(LISTED, null)));
        assertThat(own.get("account_id").asText()).isEqualTo(Accounts.GOOGLE_MALLORY.email());
    }

    @Test
    void theAppsServiceAccountNamesTheCeoWhereTheConnectionListsAnotherClientAndIsRefused() {
        engine.resetCounts();
        HttpResponse<String> refused = apps.exchange(apps.serviceAccountToken(), calendar(UNLISTED, CEO));
        JsonNode body = assertConduitRefused(refused, 400, "invalid_request", "subject_not_allowed", "subject_clients");
        assertThat(body.has("connect_uri")).isFalse();
        assertThat(engine.mints(Provider.GOOGLE, JWT_BEARER)).isZero();
    }

    @Test
    void theAppsServiceAccountNamesTheCeoForAConnectionThatActsAsOneAccountAndIsRefused() {
        HttpResponse<String> refused = apps.exchange(apps.serviceAccountToken(), Map.of("audience", "hubspot",
                "organization", UNLISTED, "scope", "crm.contacts.read", "requested_subject", CEO));
        assertConduitRefused(refused, 400, "invalid_request", "subject_not_allowed", "acts as one account");
        assertThat(refused.body()).doesNotContain("access_token");
    }

    private long subjectRows(String subjectLike) throws SQLException {
        try (Connection db = env.database("counts the cached per-subject token rows")) {
            return RowCount.of(db, "select count(*) from conduit_subject_token where lower(subject) like ?",
                    subjectLike.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(AppTokens.redacted(response)).isEqualTo(200);
        return AppTokens.json(response);
    }

    private Map<String, String> calendar(String organization, String subject) {
        Map<String, String> form = new HashMap<>(Map.of("audience", "google", "organization", organization, "scope", "calendar.read"));
        if (subject != null) {
            form.put("requested_subject", subject);
        }
        return form;
    }

    private void googleConnection(String organizationId, String subjectClients) {
        GoogleServiceAccount account = engine.serverToServer().registerGoogleServiceAccount(
                "named-" + UUID.randomUUID().toString().substring(0, 8), "conduit", "acme.example", Set.of(SCOPE));
        HttpResponse<String> created = servers.create(organizationId, "google", "google-service-account", Map.of(
                "service_account_key", account.jsonKeyFile(), "domain", "acme.example", "scopes", SCOPE,
                "subject_clients", subjectClients));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(AppTokens.json(created).at("/shown/subject_clients").asText()).isEqualTo(subjectClients);
    }
}
