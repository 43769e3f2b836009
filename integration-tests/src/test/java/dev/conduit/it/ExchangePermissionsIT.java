package dev.conduit.it;

import static dev.conduit.it.VaultRefreshIT.ok;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.Refusals;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Conduit permissions (client scopes named after them, mapped per provider by the attribute
 * {@code conduit.scopes.<provider>}) in the upstream-token exchange, incremental authorization when a
 * connection lacks a scope, and internal tokens narrowed to least privilege and bound to one connection,
 * which a downstream service can only narrow further.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExchangePermissionsIT {

    private static final String DOWNSTREAM = "conduit-it-downstream";
    // permissions of this test only (mapped by their client scopes' attributes), so it never touches the demo
    // realm's own vocabulary
    private static final String CONTACTS_READ = "it.contacts.read";
    private static final String DEALS_WRITE = "it.deals.write";
    private static final String CALENDAR_READ = "it.calendar.read";

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AdminApi admin = env.admin();
    private final RealmSetup realm = new RealmSetup(admin);
    private final AppTokens apps = new AppTokens(env);
    private final String downstreamSecret = Secrets.generate();
    private final String password = Secrets.generate();
    private final Map<String, String> scopeIds = new LinkedHashMap<>();
    private String demoAppId;
    private String internalAppId;
    private String userToken;
    private boolean addedClaimMapper;

    @BeforeAll
    void setUp() {
        scopeIds.put(CONTACTS_READ, clientScope(CONTACTS_READ, Map.of("conduit.scopes.salesforce", "api",
                "conduit.scopes.hubspot", "crm.objects.contacts.read")));
        scopeIds.put(DEALS_WRITE, clientScope(DEALS_WRITE, Map.of("conduit.scopes.salesforce", "api",
                "conduit.scopes.hubspot", "crm.objects.deals.write")));
        scopeIds.put(CALENDAR_READ, clientScope(CALENDAR_READ, Map.of(
                "conduit.scopes.google", "https://www.googleapis.com/auth/calendar.readonly")));
        demoAppId = realm.clientUuid(ConduitEnvironment.APP_CLIENT);
        internalAppId = realm.clientUuid(AppTokens.INTERNAL_APP);
        // the user's app token holds all three permissions; the internal app may use two of them
        for (String scope : scopeIds.keySet()) {
            RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + demoAppId + "/default-client-scopes/" + scopeIds.get(scope), null));
        }
        RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + internalAppId + "/optional-client-scopes/" + scopeIds.get(CONTACTS_READ), null));
        RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + internalAppId + "/optional-client-scopes/" + scopeIds.get(CALENDAR_READ), null));
        addedClaimMapper = realm.addClaimMapper(internalAppId);
        createDownstream();
        // Keycloak's standard exchange issues only audiences the requester's tokens can carry
        realm.addAudienceMapper(internalAppId, "it audience " + DOWNSTREAM, DOWNSTREAM);
        realm.addAudienceMapper(realm.clientUuid(DOWNSTREAM), "it audience " + DOWNSTREAM, DOWNSTREAM);

        admin.deleteUserByEmail(REALM, Accounts.HUBSPOT_MARY.email());
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), "hubspot", Accounts.HUBSPOT_MARY);
        userToken = apps.accessToken(end);
        admin.setPassword(REALM, admin.userIdByEmail(REALM, Accounts.HUBSPOT_MARY.email()), password);
    }

    @AfterAll
    void tearDown() {
        admin.deleteUserByEmail(REALM, Accounts.HUBSPOT_MARY.email());
        String downstream = realm.clientUuidOrNull(DOWNSTREAM);
        if (downstream != null) {
            admin.call("DELETE", REALM + "/clients/" + downstream, null);
        }
        for (String id : scopeIds.values()) {
            admin.call("DELETE", REALM + "/clients/" + demoAppId + "/default-client-scopes/" + id, null);
            admin.call("DELETE", REALM + "/clients/" + internalAppId + "/optional-client-scopes/" + id, null);
            admin.call("DELETE", REALM + "/client-scopes/" + id, null);
        }
        for (JsonNode mapper : admin.get(REALM + "/clients/" + internalAppId + "/protocol-mappers/models")) {
            // the claim mapper only when this test added it (the demo realm gives the internal app one of its own)
            if ((addedClaimMapper && "conduit-connection-claim".equals(mapper.get("protocolMapper").asText()))
                    || mapper.get("name").asText().startsWith("it audience")) {
                admin.call("DELETE", REALM + "/clients/" + internalAppId + "/protocol-mappers/models/" + mapper.get("id").asText(), null);
            }
        }
    }

    @Test
    @Order(1)
    void aPermissionTheConnectionWasGrantedIsServed() {
        JsonNode answer = ok(apps.exchange(userToken, Map.of("audience", "hubspot", "scope", CONTACTS_READ)));
        assertThat(answer.get("hub_id").asText()).isEqualTo(Accounts.HUBSPOT_HUB);
        assertThat(answer.get("scope").asText()).contains("crm.objects.contacts.read");

        // each exchange is an event naming the connection, never carrying a token
        String userId = admin.userIdByEmail(REALM, Accounts.HUBSPOT_MARY.email());
        JsonNode events = admin.get(REALM + "/events?type=TOKEN_EXCHANGE&user=" + userId);
        assertThat(events.toString()).contains("upstream_token").contains("connection_id")
                .doesNotContain(answer.get("access_token").asText());
    }

    @Test
    @Order(2)
    void aPermissionTheClientWasNotGivenOrTheProviderCannotExpressIsAnInvalidScope() {
        assertError(apps.exchange(userToken, Map.of("audience", "hubspot", "scope", DEALS_WRITE)), "invalid_scope",
                "Permissions not available to this client for hubspot: " + DEALS_WRITE);
        assertError(apps.exchange(userToken, Map.of("audience", "hubspot", "scope", CALENDAR_READ)), "invalid_scope",
                "Permissions not available to this client for hubspot: " + CALENDAR_READ);
        assertError(apps.exchange(userToken, Map.of("audience", "hubspot", "scope", "no.such.permission")), "invalid_scope",
                "Permissions not available to this client for hubspot: no.such.permission");
        // a seed permission HubSpot cannot express (the internal app may use it, at Google)
        assertError(apps.exchange(userToken, Map.of("audience", "hubspot", "scope", "mail.send")), "invalid_scope",
                "Permissions not available to this client for hubspot: mail.send");
        // a seed permission the internal app may use (the demo realm gives it every one) but the connection was not
        // granted: not a refusal of the client, the user is asked for it (test 5)
        Refusals.assertConduitRefused(apps.exchange(userToken, Map.of("audience", "hubspot", "scope", "crm.deals.write")), 400,
                "invalid_scope", "insufficient_scope", "The hubspot connection was not granted: crm.objects.deals.write");
    }

    @Test
    @Order(3)
    void aNarrowedTokenCarriesOnlyTheRequestedHeldAllowedPermissionsAndItsConnection() {
        JsonNode narrowed = ok(narrow(userToken, AppTokens.INTERNAL_APP, apps.internalSecret(), CONTACTS_READ));
        JsonNode claims = claims(narrowed.get("access_token").asText());

        assertThat(claims.get("aud").toString()).contains(DOWNSTREAM);
        assertThat(claims.get("scope").asText().split(" ")).contains(CONTACTS_READ).doesNotContain(CALENDAR_READ, DEALS_WRITE);
        assertThat(claims.get("conduit_connection").get("provider").asText()).isEqualTo("hubspot");
        assertThat(claims.get("conduit_connection").has("organization")).isFalse();

        // not allowed for the internal app, or not expressible at HubSpot
        assertError(narrow(userToken, AppTokens.INTERNAL_APP, apps.internalSecret(), DEALS_WRITE), "invalid_scope",
                "Not allowed for this client, not held by the subject token or not available at hubspot: " + DEALS_WRITE);
        assertError(narrow(userToken, AppTokens.INTERNAL_APP, apps.internalSecret(), CALENDAR_READ), "invalid_scope",
                "Not allowed for this client, not held by the subject token or not available at hubspot: " + CALENDAR_READ);
    }

    @Test
    @Order(4)
    void aDownstreamServiceReachesNoMoreThanTheNarrowedTokenAllows() {
        String narrowed = ok(narrow(userToken, AppTokens.INTERNAL_APP, apps.internalSecret(), CONTACTS_READ))
                .get("access_token").asText();
        String downstream = AppTokens.basic(DOWNSTREAM, downstreamSecret);

        JsonNode upstream = ok(exchangeAs(downstream, narrowed, Map.of("audience", "hubspot")));
        assertThat(upstream.get("hub_id").asText()).isEqualTo(Accounts.HUBSPOT_HUB);
        // a permission the narrowed token does not hold, even one the downstream client may use
        assertError(exchangeAs(downstream, narrowed, Map.of("audience", "hubspot", "scope", DEALS_WRITE)), "invalid_scope",
                "Beyond what the subject token holds: " + DEALS_WRITE);
        // another connection
        assertError(exchangeAs(downstream, narrowed, Map.of("audience", "salesforce")), "invalid_target",
                "The subject token is bound to another connection");
        // narrowing again cannot widen: not held, or bound elsewhere
        assertError(exchangeAs(downstream, narrowed, Map.of("audience", DOWNSTREAM, "scope", DEALS_WRITE)), "invalid_scope",
                "Not allowed for this client, not held by the subject token or not available at hubspot: " + DEALS_WRITE);
        assertError(exchangeAs(downstream, narrowed, Map.of("audience", DOWNSTREAM, "conduit_connection", "salesforce")),
                "invalid_target", "The subject token is bound to another connection");
        JsonNode again = ok(exchangeAs(downstream, narrowed, Map.of("audience", DOWNSTREAM, "scope", CONTACTS_READ)));
        assertThat(claims(again.get("access_token").asText()).get("conduit_connection").get("provider").asText()).isEqualTo("hubspot");
    }

    @Test
    @Order(5)
    void aMissingUpstreamScopeSendsTheUserToGrantJustThatAndThenTheTokenIsServed() {
        RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + internalAppId + "/optional-client-scopes/" + scopeIds.get(DEALS_WRITE), null));

        HttpResponse<String> refused = apps.exchange(userToken, Map.of("audience", "hubspot", "scope", DEALS_WRITE));

        JsonNode error = Refusals.assertConduitRefused(refused, 400, "invalid_scope", "insufficient_scope",
                "The hubspot connection was not granted: crm.objects.deals.write");
        assertThat(error.get("missing_scopes").asText()).isEqualTo("crm.objects.deals.write");
        String connect = error.get("connect_uri").asText();
        assertThat(connect).contains("kc_action=idp_link%3Ahubspot").contains("conduit_scope=crm.objects.deals.write");

        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = browser.open(connect
                .replace("{your callback}", URLEncoder.encode(ConduitEnvironment.APP_REDIRECT, StandardCharsets.UTF_8))
                .replace("{state}", Secrets.generate())
                + "&code_challenge=" + ConduitEnvironment.APP_PKCE_CHALLENGE + "&code_challenge_method=S256");
        for (int step = 0; step < 3 && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", Accounts.HUBSPOT_MARY.email(), "password", password));
        }
        if (page.document().selectFirst("button#kc-continue") != null) {
            page = browser.submit(page, "form:has(button#kc-continue)", Map.of("continue", ""));
        }
        assertThat(page.document().selectFirst("form#consent")).as(page.body()).isNotNull();
        assertThat(page.uri().getQuery()).contains("crm.objects.deals.write").contains("crm.objects.contacts.read");
        BrowserSession.Page end = new BrokerFlows(env).allow(browser, page, Accounts.HUBSPOT_MARY);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();

        JsonNode served = ok(apps.exchange(userToken, Map.of("audience", "hubspot", "scope", DEALS_WRITE)));
        assertThat(served.get("scope").asText()).contains("crm.objects.deals.write");
        String userId = admin.userIdByEmail(REALM, Accounts.HUBSPOT_MARY.email());
        assertThat(new VaultApi(env).connection("USER", userId, "hubspot").get("scopes").toString()).contains("crm.objects.deals.write");
    }

    private HttpResponse<String> narrow(String subject, String clientId, String secret, String scope) {
        return exchangeAs(AppTokens.basic(clientId, secret), subject,
                Map.of("audience", DOWNSTREAM, "conduit_connection", "hubspot", "scope", scope));
    }

    private HttpResponse<String> exchangeAs(String authorization, String subject, Map<String, String> params) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
        form.put("subject_token", subject);
        form.put("subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
        form.putAll(params);
        return apps.post(env.realmUrl() + "/protocol/openid-connect/token", form, authorization);
    }

    private static JsonNode claims(String jwt) {
        try {
            return AdminApi.mapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode assertError(HttpResponse<String> answer, String error, String descriptionPart) {
        return Refusals.assertRefused(answer, 400, error, descriptionPart);
    }

    private String clientScope(String name, Map<String, String> conduitAttributes) {
        String existing = realm.scopeIdOrNull(name);
        return existing != null ? existing : realm.createClientScope(name, conduitAttributes);
    }

    private void createDownstream() {
        String existing = realm.clientUuidOrNull(DOWNSTREAM);
        if (existing != null) {
            admin.call("DELETE", REALM + "/clients/" + existing, null);
        }
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", DOWNSTREAM);
        client.put("publicClient", false);
        client.put("secret", downstreamSecret);
        client.put("standardFlowEnabled", false);
        client.put("attributes", Map.of("standard.token.exchange.enabled", "true", "conduit.exchange.providers", "hubspot"));
        RealmSetup.expect(201, admin.call("POST", REALM + "/clients", client));
        String id = realm.clientUuid(DOWNSTREAM);
        for (String scope : List.of(CONTACTS_READ, DEALS_WRITE, CALENDAR_READ)) {
            RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + id + "/optional-client-scopes/" + scopeIds.get(scope), null));
        }
        realm.addClaimMapper(id);
    }

}
