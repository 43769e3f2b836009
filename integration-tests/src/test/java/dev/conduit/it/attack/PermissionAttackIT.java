package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.Refusals;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Permissions are never opt-in (issue 11, item 3): an exchange naming no permission gets the client's default ones
 * and a client with none gets nothing; {@code conduit_scope} on a login or link adds only provider scopes the
 * permission vocabulary maps (or an administrator allowed); duplicate names are never a 500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PermissionAttackIT {

    private static final String NO_PERMISSION_CLIENT = "conduit-it-perm-none";
    private static final String DEFAULTS_CLIENT = "conduit-it-perm-defaults";
    private static final String USERNAME = "perm-attack-user";
    private static final String GOOGLE_FULL_MAIL = "https://mail.google.com/";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AdminApi admin = env.admin();
    private final RealmSetup realm = new RealmSetup(admin);
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final String password = Secrets.generate();
    private final String noPermissionSecret = Secrets.generate();
    private final String defaultsSecret = Secrets.generate();
    private final List<String> createdScopes = new ArrayList<>();
    private String demoAppId;
    private String userId;

    @BeforeAll
    void setUp() {
        demoAppId = realm.clientUuid(ConduitEnvironment.APP_CLIENT);
        createClient(NO_PERMISSION_CLIENT, noPermissionSecret, "salesforce");
        createClient(DEFAULTS_CLIENT, defaultsSecret, "salesforce");
        RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + realm.clientUuid(DEFAULTS_CLIENT) + "/default-client-scopes/"
                + realm.scopeId("crm.contacts.read"), null));
        // the user's app tokens carry both clients in their audience, so each may exchange them
        addAudienceMapper(NO_PERMISSION_CLIENT);
        addAudienceMapper(DEFAULTS_CLIENT);

        deleteUser();
        HttpResponse<String> created = admin.call("POST", REALM + "/users", Map.of("username", USERNAME,
                "email", "perm.attack@members.example", "emailVerified", true, "enabled", true, "firstName", "Perm",
                "lastName", "Attack", "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        RealmSetup.expect(201, created);
        userId = admin.userIdByUsername(REALM, USERNAME);
        BrowserSession.Page end = link("salesforce", Accounts.SALESFORCE_BETTY, null, null);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
    }

    @AfterAll
    void tearDown() {
        deleteUser();
        for (String clientId : List.of(NO_PERMISSION_CLIENT, DEFAULTS_CLIENT)) {
            String id = realm.clientUuidOrNull(clientId);
            if (id != null) {
                admin.call("DELETE", REALM + "/clients/" + id, null);
            }
        }
        for (JsonNode mapper : admin.get(REALM + "/clients/" + demoAppId + "/protocol-mappers/models")) {
            if (mapper.get("name").asText().startsWith("it perm audience")) {
                admin.call("DELETE", REALM + "/clients/" + demoAppId + "/protocol-mappers/models/" + mapper.get("id").asText(), null);
            }
        }
        for (String id : createdScopes) {
            admin.call("DELETE", REALM + "/client-scopes/" + id, null);
        }
    }

    @Test
    @Order(1)
    @DisplayName("a confidential client allowed Salesforce but holding no Conduit permission, sending no scope, gets nothing")
    void clientAllowedTheProviderButWithoutPermissionSendingNoScopeGetsInvalidScope() {
        JsonNode connection = vault.connection("USER", userId, "salesforce");
        vault.expireAccessToken(connection.get("id").asText());
        JsonNode before = vault.connection(connection.get("id").asText());
        int refreshesBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");

        HttpResponse<String> answer = exchangeAs(NO_PERMISSION_CLIENT, noPermissionSecret, userToken(), Map.of("audience", "salesforce"));

        assertError(answer, "invalid_scope", "No permission for salesforce: name one in scope, or give the client a default one");
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).as("refreshes at the sandbox").isEqualTo(refreshesBefore);
        assertThat(vault.connection(connection.get("id").asText())).as("the vault row").isEqualTo(before);
    }

    @Test
    @Order(2)
    @DisplayName("a client with a default permission, sending no scope, is served that permission only")
    void clientSendingNoScopeIsServedExactlyItsDefaultPermissions() {
        String subject = userToken();

        JsonNode served = ok(exchangeAs(DEFAULTS_CLIENT, defaultsSecret, subject, Map.of("audience", "salesforce")));

        // crm.contacts.read maps to Salesforce's api; the grant also holds refresh_token and openid
        assertThat(served.get("scope").asText().split(" ")).containsExactly("api");

        // a default permission the grant lacks is checked as an explicit one: insufficient_scope, where to grant it
        String chatter = clientScope("it.perm.chatter", Map.of("conduit.scopes.salesforce", "chatter_api"));
        String defaultsId = realm.clientUuid(DEFAULTS_CLIENT);
        RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + defaultsId + "/default-client-scopes/" + chatter, null));
        try {
            JsonNode refused = assertError(exchangeAs(DEFAULTS_CLIENT, defaultsSecret, subject, Map.of("audience", "salesforce")),
                    "invalid_scope", "The salesforce connection was not granted: chatter_api");
            assertThat(refused.get("conduit_error").asText()).isEqualTo("insufficient_scope");
            assertThat(refused.get("missing_scopes").asText()).isEqualTo("chatter_api");
            assertThat(refused.get("connect_uri").asText()).contains("conduit_scope=chatter_api");
        } finally {
            admin.call("DELETE", REALM + "/clients/" + defaultsId + "/default-client-scopes/" + chatter, null);
        }
    }

    @Test
    @Order(3)
    @DisplayName("a realm user linking Salesforce with conduit_scope=full does not get full into the grant")
    void realmUserLinkingWithConduitScopeFullDoesNotWidenTheSalesforceGrant() {
        List<String> asked = new ArrayList<>();
        BrowserSession.Page end = link("salesforce", Accounts.SALESFORCE_BETTY, "full api", asked);

        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        assertThat(asked).as("the scopes the sandbox was asked for").contains("api", "refresh_token", "openid").doesNotContain("full");
        assertThat(scopes(vault.connection("USER", userId, "salesforce"))).doesNotContain("full");
    }

    @Test
    @Order(4)
    @DisplayName("a realm user linking Google with conduit_scope=https://mail.google.com/ does not get it into the grant")
    void realmUserLinkingWithFullMailScopeDoesNotWidenTheGoogleGrant() {
        List<String> asked = new ArrayList<>();
        BrowserSession.Page end = link("google", Accounts.GOOGLE_BETTY,
                GOOGLE_FULL_MAIL + " https://www.googleapis.com/auth/gmail.send", asked);

        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        // mail.send maps to gmail.send: the vocabulary's scopes are still added
        assertThat(asked).as("the scopes the sandbox was asked for").contains("https://www.googleapis.com/auth/gmail.send")
                .doesNotContain(GOOGLE_FULL_MAIL);
        assertThat(scopes(vault.connection("USER", userId, "google"))).doesNotContain(GOOGLE_FULL_MAIL);
    }

    @Test
    @Order(5)
    @DisplayName("an extra scope the administrator allowed on the identity provider is added")
    void anExtraScopeTheAdministratorAllowedIsAdded() {
        JsonNode original = admin.identityProvider(REALM, "salesforce");
        ObjectNode changed = original.deepCopy();
        // named twice: a duplicate in the administrator's configuration is no error
        ((ObjectNode) changed.get("config")).put("conduitExtraScopesAllowed", "full full");
        RealmSetup.expect(204, admin.call("PUT", REALM + "/identity-provider/instances/salesforce", changed));
        try {
            List<String> asked = new ArrayList<>();
            BrowserSession.Page end = link("salesforce", Accounts.SALESFORCE_BETTY, "full full", asked);

            assertThat(end.endedAtApp()).as(end.body()).isTrue();
            assertThat(asked).contains("full");
            assertThat(scopes(vault.connection("USER", userId, "salesforce"))).contains("full");
        } finally {
            RealmSetup.expect(204, admin.call("PUT", REALM + "/identity-provider/instances/salesforce", original));
        }
    }

    @Test
    @Order(6)
    @DisplayName("an app sending a permission twice gets a correct answer, not a 500")
    void appSendingAPermissionTwiceGetsACorrectAnswer() {
        JsonNode served = ok(exchangeAs(DEFAULTS_CLIENT, defaultsSecret, userToken(),
                Map.of("audience", "salesforce", "scope", "crm.contacts.read crm.contacts.read")));
        assertThat(served.get("scope").asText()).isEqualTo("api");
    }

    @Test
    @Order(7)
    @DisplayName("a mapping attribute naming a provider scope twice gives a correct answer, not a 500")
    void mappingAttributeNamingAScopeTwiceGivesACorrectAnswer() {
        String duplicate = clientScope("it.perm.duplicate", Map.of("conduit.scopes.salesforce", "api api"));
        String defaultsId = realm.clientUuid(DEFAULTS_CLIENT);
        RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + defaultsId + "/optional-client-scopes/" + duplicate, null));
        try {
            JsonNode served = ok(exchangeAs(DEFAULTS_CLIENT, defaultsSecret, userToken(),
                    Map.of("audience", "salesforce", "scope", "it.perm.duplicate")));
            assertThat(served.get("scope").asText()).isEqualTo("api");
        } finally {
            admin.call("DELETE", REALM + "/clients/" + defaultsId + "/optional-client-scopes/" + duplicate, null);
        }
    }

    @Test
    @Order(8)
    @DisplayName("a client's providers attribute naming an alias twice gives a correct answer, not a 500")
    void providersAttributeNamingAnAliasTwiceGivesACorrectAnswer() {
        String id = realm.clientUuid(DEFAULTS_CLIENT);
        setProviders(id, "salesforce salesforce");
        try {
            JsonNode served = ok(exchangeAs(DEFAULTS_CLIENT, defaultsSecret, userToken(), Map.of("audience", "salesforce")));
            assertThat(served.get("scope").asText()).isEqualTo("api");
        } finally {
            setProviders(id, "salesforce");
        }
    }

    // ---- the flows ------------------------------------------------------------------------------

    /**
     * The user links {@code alias} from the demo app ({@code kc_action=idp_link}), with {@code conduitScope} as the app
     * (or the user, editing the link) put it; {@code asked} receives the scopes of the authorization request the
     * sandbox received.
     */
    private BrowserSession.Page link(String alias, Account account, String conduitScope, List<String> asked) {
        BrowserSession browser = new BrowserSession();
        String url = env.appLoginUrl(null) + "&kc_action=idp_link:" + alias
                + (conduitScope == null ? "" : "&conduit_scope=" + URLEncoder.encode(conduitScope, StandardCharsets.UTF_8));
        BrowserSession.Page page = browser.open(url);
        for (int step = 0; step < 3 && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", USERNAME, "password", password));
        }
        if (page.document().selectFirst("button#kc-continue") != null) {
            page = browser.submit(page, "form:has(button#kc-continue)", Map.of("continue", ""));
        }
        assertThat(page.document().selectFirst("form#consent")).as(page.uri() + "\n" + page.body()).isNotNull();
        if (asked != null) {
            asked.addAll(queryScopes(page.uri().getRawQuery()));
        }
        BrowserSession.Page end = new BrokerFlows(env).allow(browser, page, account);
        return end;
    }

    private static List<String> queryScopes(String rawQuery) {
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("scope=")) {
                return List.of(URLDecoder.decode(pair.substring("scope=".length()), StandardCharsets.UTF_8).trim().split("\\s+"));
            }
        }
        return List.of();
    }

    private static Set<String> scopes(JsonNode connection) {
        assertThat(connection).as("the vault connection").isNotNull();
        Set<String> scopes = new java.util.LinkedHashSet<>();
        connection.get("scopes").forEach(s -> scopes.add(s.asText()));
        return scopes;
    }

    private String userToken() {
        return apps.passwordLogin(USERNAME, password);
    }

    private HttpResponse<String> exchangeAs(String clientId, String secret, String subject, Map<String, String> params) {
        return apps.post(env.realmUrl() + "/protocol/openid-connect/token", AppTokens.exchangeForm(subject, params),
                AppTokens.basic(clientId, secret));
    }

    // ---- assertions and admin setup ---------------------------------------------------------------

    private static JsonNode ok(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return AppTokens.json(answer);
    }

    private static JsonNode assertError(HttpResponse<String> answer, String error, String descriptionPart) {
        return Refusals.assertRefused(answer, 400, error, descriptionPart);
    }

    private void createClient(String clientId, String secret, String providers) {
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("publicClient", false);
        client.put("secret", secret);
        client.put("standardFlowEnabled", false);
        client.put("attributes", Map.of("conduit.exchange.providers", providers));
        realm.recreateClient(client);
    }

    private void setProviders(String id, String providers) {
        ObjectNode representation = admin.get(REALM + "/clients/" + id).deepCopy();
        ((ObjectNode) representation.get("attributes")).put("conduit.exchange.providers", providers);
        RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + id, representation));
    }

    private void addAudienceMapper(String audience) {
        realm.addAudienceMapper(demoAppId, "it perm audience " + audience, audience);
    }

    private String clientScope(String name, Map<String, String> conduitAttributes) {
        String existing = realm.scopeIdOrNull(name);
        if (existing != null) {
            admin.call("DELETE", REALM + "/client-scopes/" + existing, null);
        }
        String id = realm.createClientScope(name, conduitAttributes);
        createdScopes.add(id);
        return id;
    }

    private void deleteUser() {
        JsonNode found = admin.get(REALM + "/users?exact=true&username=" + USERNAME);
        for (JsonNode user : found) {
            admin.call("DELETE", REALM + "/users/" + user.get("id").asText(), null);
        }
    }

}
