package dev.conduit.it.support;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.sandbox.Account;

/**
 * Organizations, their members and Conduit admins (the organization group {@code conduit-admins}) through the admin
 * API, and the org admin's "connect this provider for the organization" (account linking with
 * {@code conduit_organization}, then Conduit's confirmation page). Users get {@code password}.
 */
public final class Organizations {

    private final ConduitEnvironment env;
    private final String password;
    private final String realm;

    public Organizations(ConduitEnvironment env, String password) {
        this(env, password, REALM);
    }

    /** The organizations of another realm (its own users, groups); {@link #startConnect} stays the demo realm's. */
    public Organizations(ConduitEnvironment env, String password, String realm) {
        this.env = env;
        this.password = password;
        this.realm = realm;
    }

    /** Creates the organization, replacing one left over by an earlier run; returns its id. */
    public String create(String alias, String name, String domain) {
        delete(alias);
        HttpResponse<String> created = env.admin().call("POST", realm + "/organizations", Map.of(
                "name", name, "alias", alias, "enabled", true, "domains", List.of(Map.of("name", domain))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return created.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1)).orElseThrow();
    }

    public String idOf(String alias) {
        for (JsonNode organization : env.admin().get(realm + "/organizations")) {
            if (alias.equals(organization.get("alias").asText())) {
                return organization.get("id").asText();
            }
        }
        return null;
    }

    public void delete(String alias) {
        String id = idOf(alias);
        if (id != null) {
            env.admin().call("DELETE", realm + "/organizations/" + id, null);
        }
    }

    /** Creates the user with the shared password, replacing one left over by an earlier run. */
    public void createUser(String name) {
        deleteUser(name);
        HttpResponse<String> created = env.admin().call("POST", realm + "/users", Map.of(
                "username", name, "email", name + "@members.example", "emailVerified", true, "enabled", true,
                "firstName", name, "lastName", "Test",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    public void deleteUser(String name) {
        String id = env.admin().userIdByUsername(realm, name);
        if (id != null) {
            env.admin().call("DELETE", realm + "/users/" + id, null);
        }
    }

    public void addMember(String organizationId, String username) {
        HttpResponse<String> added = env.admin().call("POST", realm + "/organizations/" + organizationId + "/members",
                env.admin().userIdByUsername(realm, username));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    }

    /**
     * Makes the member one of the organization's Conduit admins: a member of its organization group
     * {@code conduit-admins} (created when the organization has none).
     */
    public void grantOrgAdmin(String organizationId, String username) {
        String groups = realm + "/organizations/" + organizationId + "/groups";
        JsonNode found = env.admin().get(groups + "?search=conduit-admins&exact=true");
        String groupId;
        if (found.isEmpty()) {
            HttpResponse<String> created = env.admin().call("POST", groups, Map.of("name", "conduit-admins"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            groupId = created.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1)).orElseThrow();
        } else {
            groupId = found.get(0).get("id").asText();
        }
        HttpResponse<String> joined = env.admin().call("PUT", groups + "/" + groupId + "/members/"
                + env.admin().userIdByUsername(realm, username), null);
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(204);
    }

    /** A browser in the middle of an organization connect, and the page it is on. */
    public record Attempt(BrowserSession browser, BrowserSession.Page page) {
        /** Whether the page is Conduit's organization-connect confirmation. */
        public boolean atConfirmation() {
            return page.document().selectFirst("form#conduit-org-connect") != null;
        }

        /** Clicks Confirm (or Cancel) on the confirmation page; returns the page the flow ended on. */
        public BrowserSession.Page decide(String decision) {
            return browser.submit(page, "form#conduit-org-connect", Map.of("decision", decision));
        }
    }

    /**
     * The user starts connecting {@code alias} for the organization: account linking with {@code conduit_organization},
     * password sign-in, Keycloak's link confirmation, the provider's consent as {@code account}. Returns where that
     * ended: Conduit's confirmation page when allowed, an error page when refused.
     */
    public Attempt startConnect(String username, String alias, String organization, Account account) {
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = browser.open(env.appLoginUrl(null) + "&kc_action=idp_link:" + alias
                + "&conduit_organization=" + organization);
        for (int step = 0; step < 3 && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", username, "password", password));
        }
        if (page.document().selectFirst("button#kc-continue") != null) {
            page = browser.submit(page, "form:has(button#kc-continue)", Map.of("continue", ""));
        }
        if (page.document().selectFirst("form#consent") != null) {
            page = new BrokerFlows(env).allow(browser, page, account);
        }
        return new Attempt(browser, page);
    }

    /**
     * The user connects {@code alias} for the organization and confirms on Conduit's page. Returns the page the flow
     * ended on (the app's callback when it worked, an error page when Conduit refused).
     */
    public BrowserSession.Page connect(String username, String alias, String organization, Account account) {
        Attempt attempt = startConnect(username, alias, organization, account);
        return attempt.atConfirmation() ? attempt.decide("confirm") : attempt.page();
    }
}
