package dev.conduit.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small, faithful slice of each provider's REST API (shared/providers.md): Salesforce's SOQL query over Contacts,
 * HubSpot's contacts list, Google Calendar's events. The records are fake and deterministic, derived from the
 * token's account, so another account's token sees other records. {@link SandboxEngine} says who the caller is.
 */
final class ProviderApis {

    static final String SALESFORCE_QUERY_PATH = "/services/data/v62.0/query";
    static final String SALESFORCE_CONTACT_QUERY = "SELECT Id,Name,Email FROM Contact";
    static final String HUBSPOT_CONTACTS_PATH = "/crm/v3/objects/contacts";
    static final String HUBSPOT_ACCOUNT_INFO_PATH = "/account-info/v3/details";
    static final String HUBSPOT_CONTACTS_SCOPE = "crm.objects.contacts.read";
    static final Set<String> SALESFORCE_API_SCOPES = Set.of("api", "full");
    static final Set<String> GOOGLE_CALENDAR_SCOPES = Set.of(
            "https://www.googleapis.com/auth/calendar.readonly", "https://www.googleapis.com/auth/calendar",
            "https://www.googleapis.com/auth/calendar.events.readonly", "https://www.googleapis.com/auth/calendar.events");
    static final int CONTACTS_PER_ACCOUNT = 3;
    static final int EVENTS_PER_ACCOUNT = 3;

    static final String SALESFORCE_INVALID_SESSION =
            "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]";
    static final String SALESFORCE_NOT_API_SESSION =
            "[{\"message\":\"This session is not valid for use with the REST API\",\"errorCode\":\"INVALID_SESSION_ID\"}]";
    static final String GOOGLE_UNAUTHENTICATED = "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
            + "authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication "
            + "credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.\","
            + "\"status\":\"UNAUTHENTICATED\"}}";
    static final String GOOGLE_INSUFFICIENT_SCOPES = "{\"error\":{\"code\":403,\"message\":\"Request had "
            + "insufficient authentication scopes.\",\"status\":\"PERMISSION_DENIED\"}}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] FIRST = {"Olivia", "Liam", "Amara", "Noah", "Yuki", "Mateo", "Priya", "Lucas",
            "Zara", "Elias", "Nia", "Tomas", "Ines", "Kofi", "Leah", "Ravi"};
    private static final String[] LAST = {"Okafor", "Schmidt", "Tanaka", "Moreau", "Silva", "Novak", "Haddad",
            "Larsen", "Kowalski", "Mensah", "Rossi", "Ibrahim", "Petrov", "Nguyen", "Fischer", "Alvarez"};
    private static final String[] MEETINGS = {"Pipeline review", "Quarterly planning", "Customer call",
            "Renewal sync", "Onboarding session", "Design review", "Contract walkthrough", "Support escalation"};
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    private static final DateTimeFormatter HUBSPOT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Who calls: a live token's account and scopes, or why there is none. */
    record Caller(State state, Account account, Set<String> scopes, String instancePath, long expiredSecondsAgo) {
        enum State { VALID, EXPIRED, INVALID }

        static Caller valid(Account account, Set<String> scopes, String instancePath) {
            return new Caller(State.VALID, account, scopes, instancePath, 0);
        }

        static Caller expired(long secondsAgo) {
            return new Caller(State.EXPIRED, null, Set.of(), null, secondsAgo);
        }

        static Caller invalid() {
            return new Caller(State.INVALID, null, Set.of(), null, 0);
        }
    }

    /** A fake CRM contact of an account. */
    record Contact(String id, String firstName, String lastName, String email, Instant createdAt) {
        String name() {
            return firstName + " " + lastName;
        }
    }

    /** A fake calendar event of an account. */
    record Event(String id, String summary, Instant start, Instant end) {
    }

    private ProviderApis() {
    }

    /** Answers one API call; {@code path} starts after the provider prefix. The slice serves GET only. */
    static Reply answer(Provider provider, String method, String path, Map<String, String> query, Caller caller) {
        boolean get = "GET".equals(method);
        return switch (provider) {
            case SALESFORCE -> salesforce(get, path, query, caller);
            case HUBSPOT -> hubspot(get, path, query, caller);
            case GOOGLE -> google(get, path, caller);
        };
    }

    // ---- Salesforce ----------------------------------------------------------------------------------

    private static Reply salesforce(boolean get, String path, Map<String, String> query, Caller caller) {
        // a session is valid only on its own instance: the login host or another instance does not know it
        if (caller.state() != Caller.State.VALID || !path.startsWith(caller.instancePath() + "/")) {
            return Reply.json(401, SALESFORCE_INVALID_SESSION);
        }
        if (caller.scopes().stream().noneMatch(SALESFORCE_API_SCOPES::contains)) {
            return Reply.json(403, SALESFORCE_NOT_API_SESSION);
        }
        if (!path.equals(caller.instancePath() + SALESFORCE_QUERY_PATH)) {
            return Reply.json(404, "[{\"errorCode\":\"NOT_FOUND\",\"message\":\"The requested resource does not exist\"}]");
        }
        if (!get) {
            return Reply.json(405, "[{\"errorCode\":\"METHOD_NOT_ALLOWED\",\"message\":\"HTTP Method not allowed. "
                    + "Allowed are GET,HEAD\"}]");
        }
        String q = query.get("q");
        if (q == null || !normalized(q).equalsIgnoreCase(SALESFORCE_CONTACT_QUERY)) {
            // the sandbox understands one query; anything else is refused as Salesforce refuses bad SOQL
            return Reply.json(400, "[{\"message\":\"The sandbox answers only: " + SALESFORCE_CONTACT_QUERY
                    + "\",\"errorCode\":\"MALFORMED_QUERY\"}]");
        }
        List<Map<String, Object>> records = new ArrayList<>();
        for (Contact contact : contactsOf(caller.account())) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("attributes", Map.of("type", "Contact",
                    "url", "/services/data/v62.0/sobjects/Contact/" + contact.id()));
            record.put("Id", contact.id());
            record.put("Name", contact.name());
            record.put("Email", contact.email());
            records.add(record);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("totalSize", records.size());
        body.put("done", true);
        body.put("records", records);
        return Reply.json(200, write(body));
    }

    private static String normalized(String soql) {
        return soql.trim().replaceAll("\\s+", " ").replaceAll(" ?, ?", ",");
    }

    // ---- HubSpot ---------------------------------------------------------------------------------------

    private static Reply hubspot(boolean get, String path, Map<String, String> query, Caller caller) {
        if (caller.state() == Caller.State.EXPIRED) {
            return hubspotError(401, "The OAuth token used to make this call expired " + caller.expiredSecondsAgo()
                    + " second(s) ago.", "EXPIRED_AUTHENTICATION", null);
        }
        if (caller.state() == Caller.State.INVALID) {
            return hubspotError(401, "Authentication credentials not found. This API supports OAuth 2.0 "
                    + "authentication and you can find more details at "
                    + "https://developers.hubspot.com/docs/methods/auth/oauth-overview", "INVALID_AUTHENTICATION", null);
        }
        if (path.equals(HUBSPOT_ACCOUNT_INFO_PATH)) {
            return get ? hubspotAccountInfo(caller.account())
                    : hubspotError(405, "The sandbox serves only GET on this path", "VALIDATION_ERROR", null);
        }
        if (!path.equals(HUBSPOT_CONTACTS_PATH)) {
            return hubspotError(404, "Resource not found", "OBJECT_NOT_FOUND", null);
        }
        if (!get) {
            return hubspotError(405, "The sandbox serves only GET on this path", "VALIDATION_ERROR", null);
        }
        if (!caller.scopes().contains(HUBSPOT_CONTACTS_SCOPE)) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", "One or more of the following scopes are required.");
            error.put("context", Map.of("requiredGranularScopes", List.of(HUBSPOT_CONTACTS_SCOPE)));
            return hubspotError(403, "This app hasn't been granted all required scopes to make this call. Read more "
                    + "about required scopes here: https://developers.hubspot.com/scopes.", "MISSING_SCOPES", error);
        }
        int limit;
        int after;
        try {
            limit = Integer.parseInt(query.getOrDefault("limit", "10"));
            after = Integer.parseInt(query.getOrDefault("after", "0"));
        } catch (NumberFormatException e) {
            return hubspotError(400, "limit and after must be whole numbers", "VALIDATION_ERROR", null);
        }
        if (limit < 1 || limit > 100 || after < 0) {
            return hubspotError(400, "limit must be between 1 and 100, after not negative", "VALIDATION_ERROR", null);
        }
        List<Contact> contacts = contactsOf(caller.account());
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = after; i < Math.min(contacts.size(), after + limit); i++) {
            Contact contact = contacts.get(i);
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("email", contact.email());
            properties.put("firstname", contact.firstName());
            properties.put("lastname", contact.lastName());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("id", contact.id());
            result.put("properties", properties);
            result.put("createdAt", HUBSPOT_TIME.format(contact.createdAt()));
            result.put("updatedAt", HUBSPOT_TIME.format(contact.createdAt().plus(Duration.ofDays(1))));
            result.put("archived", false);
            results.add(result);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("results", results);
        if (after + limit < contacts.size()) {
            body.put("paging", Map.of("next", Map.of("after", String.valueOf(after + limit))));
        }
        return Reply.json(200, write(body));
    }

    /**
     * {@code GET /account-info/v3/details}: the portal the token belongs to, with no scope required (unverified: taken
     * from HubSpot's account-info API; the field set is the documented one, the values fixed). A cheap authenticated
     * call that also tells a private app's portal.
     */
    private static Reply hubspotAccountInfo(Account account) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("portalId", Long.parseLong(account.organizationId()));
        body.put("accountType", "STANDARD");
        body.put("timeZone", "US/Eastern");
        body.put("companyCurrency", "USD");
        body.put("additionalCurrencies", List.of());
        body.put("utcOffset", "-05:00");
        body.put("utcOffsetMilliseconds", -18_000_000);
        body.put("uiDomain", "app.hubspot.com");
        body.put("dataHostingLocation", "na1");
        return Reply.json(200, write(body));
    }

    private static Reply hubspotError(int status, String message, String category, Map<String, Object> error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("message", message);
        body.put("correlationId", UUID.randomUUID().toString());
        if (error != null) {
            body.put("errors", List.of(error));
            body.put("links", Map.of("scopes", "https://developers.hubspot.com/scopes"));
        }
        body.put("category", category);
        return Reply.json(status, write(body));
    }

    // ---- Google ------------------------------------------------------------------------------------------

    private static Reply google(boolean get, String path, Caller caller) {
        if (caller.state() != Caller.State.VALID) {
            return googleError(401, GOOGLE_UNAUTHENTICATED, "Bearer realm=\"https://accounts.google.com/\", "
                    + "error=\"invalid_token\"");
        }
        if (caller.scopes().stream().noneMatch(GOOGLE_CALENDAR_SCOPES::contains)) {
            return googleError(403, GOOGLE_INSUFFICIENT_SCOPES, "Bearer realm=\"https://accounts.google.com/\", "
                    + "error=\"insufficient_scope\", scope=\"https://www.googleapis.com/auth/calendar.readonly\"");
        }
        String calendar = calendarId(path);
        if (calendar == null || !(calendar.equals("primary") || calendar.equalsIgnoreCase(caller.account().email()))) {
            return Reply.json(404, "{\"error\":{\"code\":404,\"message\":\"Not Found\",\"status\":\"NOT_FOUND\"}}");
        }
        if (!get) {
            return Reply.json(405, "{\"error\":{\"code\":405,\"message\":\"Method Not Allowed\","
                    + "\"status\":\"METHOD_NOT_ALLOWED\"}}");
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (Event event : eventsOf(caller.account())) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("kind", "calendar#event");
            item.put("id", event.id());
            item.put("status", "confirmed");
            item.put("summary", event.summary());
            item.put("start", Map.of("dateTime", event.start().toString()));
            item.put("end", Map.of("dateTime", event.end().toString()));
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "calendar#events");
        body.put("summary", caller.account().email());
        body.put("timeZone", "UTC");
        body.put("items", items);
        return Reply.json(200, write(body));
    }

    /** The calendar id of {@code /calendar/v3/calendars/{id}/events}, or null for any other path. */
    private static String calendarId(String path) {
        String prefix = "/calendar/v3/calendars/";
        if (!path.startsWith(prefix) || !path.endsWith("/events")
                || path.length() < prefix.length() + "/events".length()) {
            return null;
        }
        try {
            return URLDecoder.decode(path.substring(prefix.length(), path.length() - "/events".length()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // a malformed percent-encoding: no such calendar (404), not a 500
            return null;
        }
    }

    private static Reply googleError(int status, String body, String challenge) {
        Reply json = Reply.json(status, body);
        Map<String, String> headers = new LinkedHashMap<>(json.headers());
        headers.put("WWW-Authenticate", challenge);
        return new Reply(status, json.contentType(), body, headers);
    }

    // ---- the fake records ----------------------------------------------------------------------------------

    /** The account's contacts (Salesforce, HubSpot): a few, the same on every call, different for another account. */
    static List<Contact> contactsOf(Account account) {
        byte[] seed = seed(account);
        String hex = HexFormat.of().withUpperCase().formatHex(seed);
        String domain = "client-" + hex.substring(0, 4).toLowerCase(Locale.ROOT) + ".example";
        long hubspotBase = 10_000_000_000L + Long.parseLong(hex.substring(4, 12), 16) * 10;
        List<Contact> contacts = new ArrayList<>();
        for (int i = 0; i < CONTACTS_PER_ACCOUNT; i++) {
            String first = FIRST[(seed[12 + i] & 0xff) % FIRST.length];
            String last = LAST[(seed[16 + i] & 0xff) % LAST.length];
            String id = account.provider() == Provider.SALESFORCE
                    ? "0035g0000" + hex.substring(12, 20) + i
                    : String.valueOf(hubspotBase + i);
            contacts.add(new Contact(id, first, last, (first + "." + last + "@" + domain).toLowerCase(Locale.ROOT),
                    EPOCH.plus(Duration.ofDays((seed[20] & 0x7f) + i)).plus(Duration.ofMinutes(seed[21] & 0xff))));
        }
        return List.copyOf(contacts);
    }

    /** The account's primary-calendar events (Google): a few, the same on every call, different for another account. */
    static List<Event> eventsOf(Account account) {
        byte[] seed = seed(account);
        String hex = HexFormat.of().formatHex(seed);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < EVENTS_PER_ACCOUNT; i++) {
            String summary = MEETINGS[(seed[i] & 0xff) % MEETINGS.length] + " with "
                    + FIRST[(seed[12 + i] & 0xff) % FIRST.length] + " " + LAST[(seed[16 + i] & 0xff) % LAST.length];
            Instant start = Instant.parse("2024-05-02T08:00:00Z").plus(Duration.ofDays(i))
                    .plus(Duration.ofHours((seed[24 + i] & 0xff) % 8));
            events.add(new Event(hex.substring(0, 25) + i, summary, start, start.plus(Duration.ofMinutes(30))));
        }
        return List.copyOf(events);
    }

    private static byte[] seed(Account account) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((account.provider() + " " + account.organizationId()
                    + " " + account.userId()).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
