package dev.conduit.sandbox;

import static dev.conduit.sandbox.SandboxFixture.authParams;
import static dev.conduit.sandbox.SandboxFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The providers' REST API slice: each token sees its own account's records, and bad tokens get the real errors. */
class SandboxApiTest {

    private static final Provider SF = Provider.SALESFORCE;
    private static final Provider HS = Provider.HUBSPOT;
    private static final Provider GOOGLE = Provider.GOOGLE;
    private static final String QUERY_PATH = "/services/data/v62.0/query";
    private static final String SOQL = "SELECT Id,Name,Email FROM Contact";
    private static final String CONTACTS_PATH = "/crm/v3/objects/contacts";
    private static final String EVENTS_PATH = "/calendar/v3/calendars/primary/events";
    private static final String CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly";
    private static final String GOOGLE_UNAUTHENTICATED = "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
            + "authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication "
            + "credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.\","
            + "\"status\":\"UNAUTHENTICATED\"}}";

    private final SandboxFixture sandbox = new SandboxFixture();
    private final SandboxEngine engine = sandbox.engine;

    private Reply get(Provider provider, String path, String accessToken, String... query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < query.length; i += 2) {
            params.put(query[i], query[i + 1]);
        }
        Map<String, String> headers = accessToken == null ? Map.of() : Map.of("authorization", "Bearer " + accessToken);
        return engine.handle(provider, "GET", path, params, Map.of(), headers);
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.path(field).asText()));
        return values;
    }

    @Nested
    class Salesforce {

        private static final String INVALID_SESSION =
                "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]";

        /** The path, under /salesforce, of the instance URL the token answer named. */
        private String instancePath(JsonNode tokens) {
            String instanceUrl = tokens.path("instance_url").asText();
            assertThat(instanceUrl).startsWith(engine.issuer(SF));
            return instanceUrl.substring(engine.issuer(SF).length());
        }

        private Reply query(JsonNode tokens, String soql) {
            return get(SF, instancePath(tokens) + QUERY_PATH, tokens.path("access_token").asText(), "q", soql);
        }

        private void assertInvalidSession(Reply reply) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(401);
            assertThat(reply.body()).isEqualTo(INVALID_SESSION);
        }

        @Test
        void queryOnTheInstanceUrlAnswersTheAccountsOwnContacts() {
            JsonNode ada = sandbox.login(SF, authParams("api refresh_token"), Accounts.SALESFORCE_ADA);

            Reply reply = query(ada, SOQL);

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode body = json(reply);
            assertThat(body.path("done").asBoolean()).isTrue();
            assertThat(body.path("totalSize").asInt()).isEqualTo(ProviderApis.CONTACTS_PER_ACCOUNT);
            JsonNode records = body.path("records");
            List<ProviderApis.Contact> expected = ProviderApis.contactsOf(Accounts.SALESFORCE_ADA);
            assertThat(texts(records, "Id")).containsExactlyElementsOf(expected.stream().map(ProviderApis.Contact::id).toList());
            assertThat(texts(records, "Email")).containsExactlyElementsOf(expected.stream().map(ProviderApis.Contact::email).toList());
            assertThat(texts(records, "Name")).containsExactlyElementsOf(expected.stream().map(ProviderApis.Contact::name).toList());
            JsonNode first = records.get(0);
            assertThat(first.path("Id").asText()).startsWith("003").hasSize(18);
            assertThat(first.path("attributes").path("type").asText()).isEqualTo("Contact");
            assertThat(first.path("attributes").path("url").asText())
                    .isEqualTo("/services/data/v62.0/sobjects/Contact/" + first.path("Id").asText());
            assertThat(query(ada, SOQL).body()).as("deterministic").isEqualTo(reply.body());
        }

        @Test
        void anotherAccountsTokenSeesOtherContacts() {
            JsonNode ada = sandbox.login(SF, authParams("api"), Accounts.SALESFORCE_ADA);
            JsonNode charles = sandbox.login(SF, authParams("api"), Accounts.SALESFORCE_CHARLES);

            List<String> adas = texts(json(query(ada, SOQL)).path("records"), "Id");
            List<String> charless = texts(json(query(charles, SOQL)).path("records"), "Id");

            assertThat(charless).hasSize(ProviderApis.CONTACTS_PER_ACCOUNT).doesNotContainAnyElementsOf(adas)
                    .containsExactlyElementsOf(ProviderApis.contactsOf(Accounts.SALESFORCE_CHARLES).stream()
                            .map(ProviderApis.Contact::id).toList());
        }

        @Test
        void theLoginHostIsNotTheInstanceAndRefusesTheSession() {
            JsonNode ada = sandbox.login(SF, authParams("api"));

            assertInvalidSession(get(SF, QUERY_PATH, ada.path("access_token").asText(), "q", SOQL));
        }

        @Test
        void expiredSessionIsInvalid() {
            JsonNode ada = sandbox.login(SF, authParams("api refresh_token"));
            engine.advanceClock(Duration.ofHours(2).plusSeconds(1));

            assertInvalidSession(query(ada, SOQL));
        }

        @Test
        void revokedSessionIsInvalid() {
            JsonNode ada = sandbox.login(SF, authParams("api refresh_token"));
            Reply revoked = engine.handle(SF, "POST", "/services/oauth2/revoke", Map.of(),
                    Map.of("token", ada.path("refresh_token").asText()), Map.of());
            assertThat(revoked.status()).isEqualTo(200);

            assertInvalidSession(query(ada, SOQL));
        }

        @Test
        void endedSessionIsInvalidButTheRefreshTokenStillWorks() {
            JsonNode ada = sandbox.login(SF, authParams("api refresh_token"));
            String accessToken = ada.path("access_token").asText();

            assertThat(engine.endSession(accessToken)).isTrue();

            assertInvalidSession(query(ada, SOQL));
            assertThat(engine.accessTokenActive(accessToken)).isFalse();
            Reply refreshed = sandbox.refresh(SF, ada.path("refresh_token").asText());
            assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
            assertThat(query(json(refreshed), SOQL).status()).isEqualTo(200);
        }

        @Test
        void endSessionOfATokenNeverIssuedSaysSo() {
            assertThat(engine.endSession("00D5g000004Acme!never-issued")).isFalse();
            assertThat(engine.endSession(null)).isFalse();
        }

        @Test
        void unknownMissingOrOtherProvidersTokensAreInvalid() {
            JsonNode ada = sandbox.login(SF, authParams("api"));
            String path = instancePath(ada) + QUERY_PATH;
            String hubspotToken = sandbox.login(HS, authParams("oauth crm.objects.contacts.read"))
                    .path("access_token").asText();

            assertInvalidSession(get(SF, path, "00D5g000004Acme!unknown", "q", SOQL));
            assertInvalidSession(get(SF, path, null, "q", SOQL));
            assertInvalidSession(get(SF, path, hubspotToken, "q", SOQL));
        }

        @Test
        void sessionWithoutTheApiScopeIsNotValidForTheRestApi() {
            JsonNode ada = sandbox.login(SF, authParams("id refresh_token"));

            Reply reply = query(ada, SOQL);

            assertThat(reply.status()).isEqualTo(403);
            assertThat(json(reply).get(0).path("errorCode").asText()).isEqualTo("INVALID_SESSION_ID");
            assertThat(json(reply).get(0).path("message").asText())
                    .isEqualTo("This session is not valid for use with the REST API");
        }

        @Test
        void onlyTheDocumentedQueryIsUnderstoodAndSpacingDoesNotMatter() {
            JsonNode ada = sandbox.login(SF, authParams("api"));

            assertThat(query(ada, "  select Id, Name , Email  from Contact ").status()).isEqualTo(200);
            for (Reply reply : List.of(query(ada, "SELECT Id FROM Account"), query(ada, "DELETE FROM Contact"),
                    get(SF, instancePath(ada) + QUERY_PATH, ada.path("access_token").asText()))) {
                assertThat(reply.status()).as(reply.body()).isEqualTo(400);
                assertThat(json(reply).get(0).path("errorCode").asText()).isEqualTo("MALFORMED_QUERY");
                assertThat(reply.body()).doesNotContain("Account").doesNotContain("DELETE");
            }
        }

        @Test
        void otherResourcesAndMethodsAreRefusedWithSalesforceErrors() {
            JsonNode ada = sandbox.login(SF, authParams("api"));
            String token = ada.path("access_token").asText();

            Reply other = get(SF, instancePath(ada) + "/services/data/v62.0/sobjects/Account", token);
            Reply post = engine.handle(SF, "POST", instancePath(ada) + QUERY_PATH, Map.of("q", SOQL), Map.of(),
                    Map.of("authorization", "Bearer " + token));

            assertThat(other.status()).isEqualTo(404);
            assertThat(json(other).get(0).path("errorCode").asText()).isEqualTo("NOT_FOUND");
            assertThat(post.status()).isEqualTo(405);
            assertThat(json(post).get(0).path("errorCode").asText()).isEqualTo("METHOD_NOT_ALLOWED");
        }

        @Test
        void apiCallsAreCountedAsApi() {
            JsonNode ada = sandbox.login(SF, authParams("api"));

            query(ada, SOQL);

            assertThat(engine.calls(SF, Endpoint.API)).isEqualTo(1);
        }
    }

    @Nested
    class HubSpot {

        private Reply contacts(String accessToken, String... query) {
            return get(HS, CONTACTS_PATH, accessToken, query);
        }

        private String token(Account account, String scope) {
            return sandbox.login(HS, authParams(scope), account).path("access_token").asText();
        }

        private void assertCategory(Reply reply, int status, String category) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(status);
            JsonNode body = json(reply);
            assertThat(body.path("status").asText()).isEqualTo("error");
            assertThat(body.path("category").asText()).isEqualTo(category);
            assertThat(body.path("message").asText()).isNotEmpty();
            assertThat(body.path("correlationId").asText()).isNotEmpty();
        }

        @Test
        void contactsListAnswersTheAccountsOwnContacts() {
            String grace = token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.contacts.read");

            Reply reply = contacts(grace, "limit", "10");

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode body = json(reply);
            List<ProviderApis.Contact> expected = ProviderApis.contactsOf(Accounts.HUBSPOT_GRACE);
            JsonNode results = body.path("results");
            assertThat(texts(results, "id")).containsExactlyElementsOf(expected.stream().map(ProviderApis.Contact::id).toList());
            JsonNode first = results.get(0);
            assertThat(first.path("properties").path("email").asText()).isEqualTo(expected.get(0).email());
            assertThat(first.path("properties").path("firstname").asText()).isEqualTo(expected.get(0).firstName());
            assertThat(first.path("properties").path("lastname").asText()).isEqualTo(expected.get(0).lastName());
            assertThat(first.path("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(first.path("updatedAt").asText()).isNotEmpty();
            assertThat(first.path("archived").isBoolean()).isTrue();
            assertThat(body.has("paging")).as("all fit in one page").isFalse();
        }

        @Test
        void anotherAccountsTokenSeesOtherContacts() {
            List<String> graces = texts(json(contacts(token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.contacts.read")))
                    .path("results"), "id");
            List<String> adas = texts(json(contacts(token(Accounts.HUBSPOT_ADA, "oauth crm.objects.contacts.read")))
                    .path("results"), "id");

            assertThat(adas).hasSize(ProviderApis.CONTACTS_PER_ACCOUNT).doesNotContainAnyElementsOf(graces);
        }

        @Test
        void limitPagesWithAfter() {
            String grace = token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.contacts.read");

            JsonNode page1 = json(contacts(grace, "limit", "2"));
            JsonNode page2 = json(contacts(grace, "limit", "2", "after", page1.path("paging").path("next").path("after").asText()));

            assertThat(page1.path("results")).hasSize(2);
            assertThat(page1.path("paging").path("next").path("after").asText()).isEqualTo("2");
            assertThat(page2.path("results")).hasSize(1);
            assertThat(page2.has("paging")).isFalse();
            List<String> all = new ArrayList<>(texts(page1.path("results"), "id"));
            all.addAll(texts(page2.path("results"), "id"));
            assertThat(all).containsExactlyElementsOf(ProviderApis.contactsOf(Accounts.HUBSPOT_GRACE).stream()
                    .map(ProviderApis.Contact::id).toList());
        }

        @Test
        void badLimitIsAValidationError() {
            String grace = token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.contacts.read");

            assertCategory(contacts(grace, "limit", "ten"), 400, "VALIDATION_ERROR");
            assertCategory(contacts(grace, "limit", "0"), 400, "VALIDATION_ERROR");
        }

        @Test
        void expiredTokenIsExpiredAuthentication() {
            String grace = token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.contacts.read");
            engine.advanceClock(Duration.ofSeconds(1801));

            assertCategory(contacts(grace), 401, "EXPIRED_AUTHENTICATION");
        }

        @Test
        void endedSessionUnknownMissingAndOtherProvidersTokensAreInvalidAuthentication() {
            String grace = token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.contacts.read");
            String google = sandbox.login(GOOGLE, authParams("openid " + CALENDAR_READONLY)).path("access_token").asText();
            engine.endSession(grace);

            assertCategory(contacts(grace), 401, "INVALID_AUTHENTICATION");
            assertCategory(contacts("CO-unknown"), 401, "INVALID_AUTHENTICATION");
            assertCategory(contacts(null), 401, "INVALID_AUTHENTICATION");
            assertCategory(contacts(google), 401, "INVALID_AUTHENTICATION");
        }

        @Test
        void tokenWithoutTheContactsScopeIsMissingScopes() {
            String grace = token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.deals.read");

            Reply reply = contacts(grace);

            assertCategory(reply, 403, "MISSING_SCOPES");
            assertThat(json(reply).path("errors").get(0).path("context").path("requiredGranularScopes").get(0).asText())
                    .isEqualTo("crm.objects.contacts.read");
        }

        @Test
        void otherObjectsAreNotServed() {
            String grace = token(Accounts.HUBSPOT_GRACE, "oauth crm.objects.contacts.read crm.objects.deals.read");

            assertCategory(get(HS, "/crm/v3/objects/deals", grace), 404, "OBJECT_NOT_FOUND");
        }
    }

    @Nested
    class Google {

        private Reply events(String accessToken) {
            return get(GOOGLE, EVENTS_PATH, accessToken);
        }

        private String token(Account account, String scope) {
            return sandbox.login(GOOGLE, authParams(scope), account).path("access_token").asText();
        }

        private void assertUnauthenticated(Reply reply) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(401);
            assertThat(reply.body()).isEqualTo(GOOGLE_UNAUTHENTICATED);
            assertThat(reply.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"");
        }

        @Test
        void primaryCalendarEventsAreTheAccountsOwn() {
            String alan = token(Accounts.GOOGLE_ALAN, "openid email " + CALENDAR_READONLY);

            Reply reply = events(alan);

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode body = json(reply);
            assertThat(body.path("kind").asText()).isEqualTo("calendar#events");
            List<ProviderApis.Event> expected = ProviderApis.eventsOf(Accounts.GOOGLE_ALAN);
            JsonNode items = body.path("items");
            assertThat(texts(items, "id")).containsExactlyElementsOf(expected.stream().map(ProviderApis.Event::id).toList());
            assertThat(texts(items, "summary")).containsExactlyElementsOf(expected.stream().map(ProviderApis.Event::summary).toList());
            assertThat(items.get(0).path("start").path("dateTime").asText()).isEqualTo(expected.get(0).start().toString());
            assertThat(items.get(0).path("end").path("dateTime").asText()).isEqualTo(expected.get(0).end().toString());
            assertThat(get(GOOGLE, "/calendar/v3/calendars/" + Accounts.GOOGLE_ALAN.email() + "/events", alan).body())
                    .as("the account's e-mail names its primary calendar").isEqualTo(reply.body());
        }

        @Test
        void theFullCalendarScopeAlsoReads() {
            assertThat(events(token(Accounts.GOOGLE_ALAN, "https://www.googleapis.com/auth/calendar")).status())
                    .isEqualTo(200);
        }

        @Test
        void anotherAccountsTokenSeesOtherEvents() {
            List<String> alans = texts(json(events(token(Accounts.GOOGLE_ALAN, CALENDAR_READONLY))).path("items"), "id");
            List<String> adas = texts(json(events(token(Accounts.GOOGLE_ADA, CALENDAR_READONLY))).path("items"), "id");

            assertThat(adas).hasSize(ProviderApis.EVENTS_PER_ACCOUNT).doesNotContainAnyElementsOf(alans);
        }

        @Test
        void anotherAccountsCalendarIsNotFound() {
            String alan = token(Accounts.GOOGLE_ALAN, CALENDAR_READONLY);

            Reply reply = get(GOOGLE, "/calendar/v3/calendars/" + Accounts.GOOGLE_ADA.email() + "/events", alan);

            assertThat(reply.status()).isEqualTo(404);
            assertThat(json(reply).path("error").path("code").asInt()).isEqualTo(404);
            assertThat(get(GOOGLE, "/calendar/v3/calendars/%zz/events", alan).status()).isEqualTo(404);
        }

        @Test
        void expiredTokenIsUnauthenticated() {
            String alan = token(Accounts.GOOGLE_ALAN, CALENDAR_READONLY);
            engine.advanceClock(Duration.ofSeconds(3601));

            assertUnauthenticated(events(alan));
        }

        @Test
        void revokedTokenIsUnauthenticated() {
            String alan = token(Accounts.GOOGLE_ALAN, CALENDAR_READONLY);
            assertThat(engine.handle(GOOGLE, "POST", "/revoke", Map.of(), Map.of("token", alan), Map.of()).status())
                    .isEqualTo(200);

            assertUnauthenticated(events(alan));
        }

        @Test
        void endedSessionUnknownMissingAndOtherProvidersTokensAreUnauthenticated() {
            String alan = token(Accounts.GOOGLE_ALAN, CALENDAR_READONLY);
            String salesforce = sandbox.login(SF, authParams("api")).path("access_token").asText();
            engine.endSession(alan);

            assertUnauthenticated(events(alan));
            assertUnauthenticated(events("ya29.a0unknown"));
            assertUnauthenticated(events(null));
            assertUnauthenticated(events(salesforce));
        }

        @Test
        void tokenWithoutACalendarScopeHasInsufficientScopes() {
            String alan = token(Accounts.GOOGLE_ALAN, "openid email https://www.googleapis.com/auth/gmail.send");

            Reply reply = events(alan);

            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.body()).isEqualTo("{\"error\":{\"code\":403,\"message\":\"Request had insufficient "
                    + "authentication scopes.\",\"status\":\"PERMISSION_DENIED\"}}");
            assertThat(reply.headers().get("WWW-Authenticate")).contains("error=\"insufficient_scope\"");
        }
    }
}
