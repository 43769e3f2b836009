package dev.conduit.demoapp;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.example.UpstreamToken;

/**
 * The one API call the demo makes per provider, and how to read its records: Salesforce's SOQL query over
 * Contacts on the org's {@code instance_url}, HubSpot's contacts list, Google Calendar's primary-calendar events.
 */
public enum ProviderApi {

    SALESFORCE("salesforce", "Salesforce", "Fetch my Salesforce contacts", "contacts",
            List.of("Name", "Email", "Id"), "api", "crm.contacts.write (Salesforce scope api)"),
    HUBSPOT("hubspot", "HubSpot", "Fetch my HubSpot contacts", "contacts",
            List.of("Name", "Email", "Id"), "crm.objects.contacts.write", "crm.contacts.write (HubSpot scope crm.objects.contacts.write)"),
    GOOGLE("google", "Google", "Fetch my calendar", "events",
            List.of("Event", "Starts", "Id"), "https://www.googleapis.com/auth/gmail.send", "mail.send (Google scope gmail.send)");

    static final String SALESFORCE_QUERY = "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact";
    static final String HUBSPOT_CONTACTS = "/crm/v3/objects/contacts?limit=10";
    static final String GOOGLE_EVENTS = "/calendar/v3/calendars/primary/events";

    private final String alias;
    private final String displayName;
    private final String fetchLabel;
    private final String recordsName;
    private final List<String> columns;
    private final String moreAccessScopes;
    private final String moreAccessLabel;

    ProviderApi(String alias, String displayName, String fetchLabel, String recordsName, List<String> columns,
            String moreAccessScopes, String moreAccessLabel) {
        this.alias = alias;
        this.displayName = displayName;
        this.fetchLabel = fetchLabel;
        this.recordsName = recordsName;
        this.columns = columns;
        this.moreAccessScopes = moreAccessScopes;
        this.moreAccessLabel = moreAccessLabel;
    }

    /** Conduit's alias of the provider in the demo realm. */
    public String alias() {
        return alias;
    }

    public String displayName() {
        return displayName;
    }

    public String fetchLabel() {
        return fetchLabel;
    }

    public String recordsName() {
        return recordsName;
    }

    public List<String> columns() {
        return columns;
    }

    /**
     * The provider scopes "Grant more access" asks for ({@code conduit_scope}): one more permission of the realm's
     * vocabulary, as this provider expresses it.
     */
    public String moreAccessScopes() {
        return moreAccessScopes;
    }

    public String moreAccessLabel() {
        return moreAccessLabel;
    }

    public static Optional<ProviderApi> byAlias(String alias) {
        for (ProviderApi api : values()) {
            if (api.alias.equals(alias)) {
                return Optional.of(api);
            }
        }
        return Optional.empty();
    }

    /**
     * The request URL for this token. Salesforce's comes from the exchange's {@code instance_url} (the org's own
     * API host), which must be an http(s) URL; the others from the configured API bases.
     */
    public URI requestUri(UpstreamToken token, DemoAppConfig config) {
        return switch (this) {
            case SALESFORCE -> {
                String instance = token.instanceUrl();
                if (instance == null) {
                    throw new IllegalArgumentException("the exchange answer has no instance_url");
                }
                URI base = URI.create(instance.replaceAll("/+$", ""));
                String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("https") || scheme.equals("http")) || base.getHost() == null
                        || base.getRawQuery() != null || base.getRawFragment() != null) {
                    throw new IllegalArgumentException("the exchange answer's instance_url is not an http(s) URL");
                }
                yield URI.create(base + SALESFORCE_QUERY);
            }
            case HUBSPOT -> URI.create(config.hubspotApiUrl() + HUBSPOT_CONTACTS);
            case GOOGLE -> URI.create(config.googleApiUrl() + GOOGLE_EVENTS);
        };
    }

    /** The records of a successful answer, one row of {@link #columns()} each (untrusted text: escape it). */
    public List<List<String>> rows(JsonNode body) {
        List<List<String>> rows = new ArrayList<>();
        switch (this) {
            case SALESFORCE -> body.path("records").forEach(r -> rows.add(List.of(
                    r.path("Name").asText(""), r.path("Email").asText(""), r.path("Id").asText(""))));
            case HUBSPOT -> body.path("results").forEach(r -> {
                JsonNode p = r.path("properties");
                String name = (p.path("firstname").asText("") + " " + p.path("lastname").asText("")).strip();
                rows.add(List.of(name, p.path("email").asText(""), r.path("id").asText("")));
            });
            case GOOGLE -> body.path("items").forEach(r -> {
                JsonNode start = r.path("start");
                rows.add(List.of(r.path("summary").asText(""),
                        start.path("dateTime").asText(start.path("date").asText("")), r.path("id").asText("")));
            });
        }
        return rows;
    }
}
