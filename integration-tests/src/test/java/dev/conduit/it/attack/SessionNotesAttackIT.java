package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.SessionNotes;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacker: a reader of Keycloak's database or caches (a backup, a cache dump, a node of the cluster). A first
 * login through a provider keeps its brokered context in the authentication session across Keycloak's pages
 * (review profile, e-mail verification, link confirmation), replicated to every node. The attacker reads every
 * note of that authentication session while the login waits on the review-profile page, and the user sessions
 * afterwards, looking for the upstream access and refresh tokens the provider just issued. The notes are read
 * from the authentication-session cache by the test-only {@code conduit-test-notes} resource.
 */
class SessionNotesAttackIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final VaultApi vault = new VaultApi(env);
    private final BrokerFlows flows = new BrokerFlows(env);
    private final AppTokens apps = new AppTokens(env);
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final SessionNotes notes = new SessionNotes(env);

    static Stream<Arguments> providers() {
        return Stream.of(
                Arguments.of("salesforce", Accounts.SALESFORCE_JOCELYN),
                Arguments.of("hubspot", Accounts.HUBSPOT_VERA),
                Arguments.of("google", Accounts.GOOGLE_CHIEN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void cacheReaderFindsNoUpstreamTokenInTheNotesOfAFirstLoginInProgress(String alias, Account account) {
        env.admin().deleteUserByEmail(REALM, account.email());
        Set<String> before = new HashSet<>(sandbox.issuedTokens());
        BrowserSession browser = new BrowserSession();

        BrowserSession.Page page = flows.allow(browser, flows.openConsent(browser, alias), account);
        if (page.document().selectFirst("form#consent") != null) {
            page = flows.allow(browser, page, account);
        }
        assertThat(page.uri().getPath().endsWith("/login-actions/first-broker-login")
                && page.document().selectFirst("form input[name=lastName]") != null)
                .as("the first login waits on Keycloak's review-profile page (%s %s)", page.status(), page.uri())
                .isTrue();

        Set<String> issued = new HashSet<>(sandbox.issuedTokens());
        issued.removeAll(before);
        // booleans only in these assertions: a failure message must not print a token
        assertThat(issued.stream().anyMatch(sandbox::accessTokenActive)).as("the provider issued an access token").isTrue();
        assertThat(issued.stream().anyMatch(sandbox::refreshTokenActive)).as("and a refresh token").isTrue();

        JsonNode tabs = notes.ofLoginInProgress(browser);
        List<String> contexts = new ArrayList<>();
        tabs.forEach(tab -> tab.get("authNotes").fields().forEachRemaining(note -> {
            if (note.getKey().equals("BROKERED_CONTEXT") && note.getValue().asText().contains("conduit.upstream-grant")) {
                contexts.add(note.getKey());
            }
        }));
        assertThat(contexts).as("the brokered context, with Conduit's grant in it, is in the authentication session").isNotEmpty();
        assertThat(SessionNotes.whereTokensAre(tabs, issued))
                .as("notes of the authentication session holding an upstream token (names only)").isEmpty();

        // the person completes the profile (the provider gave no family name), then Keycloak's remaining pages
        page = browser.submit(page, "form:has(input[name=lastName])", Map.of("email", account.email(),
                "username", account.email(), "firstName", account.givenName(), "lastName", "Reviewed"));
        BrowserSession.Page end = flows.completeKeycloakPages(browser, page, account);
        assertThat(end.endedAtApp()).as("the login completes").isTrue();
        String userId = env.admin().userIdByEmail(REALM, account.email());
        JsonNode connection = vault.connection("USER", userId, alias);
        assertThat(connection).as("the vault holds the connection the sealed grant carried").isNotNull();
        assertThat(connection.get("accountId").asText()).isEqualTo(account.userId());
        assertThat(connection.get("hasRefreshToken").asBoolean()).isTrue();
        HttpResponse<String> exchanged = apps.exchange(apps.accessToken(end), Map.of("audience", alias));
        assertThat(exchanged.statusCode()).as("exchange for the connection").isEqualTo(200);
        assertThat(issued.contains(AppTokens.json(exchanged).get("access_token").asText()))
                .as("the vault hands out the access token issued in this login").isTrue();

        JsonNode userSessions = notes.get("user-sessions?user=" + userId);
        assertThat(userSessions.size()).as("the user has a session").isPositive();
        List<String> inUserSessions = new ArrayList<>();
        userSessions.fields().forEachRemaining(s -> s.getValue().fields().forEachRemaining(note -> {
            if (SessionNotes.holdsAny(note.getValue().asText(), issued)) {
                inUserSessions.add("user session note " + note.getKey());
            }
        }));
        assertThat(inUserSessions).as("user-session notes holding an upstream token (names only)").isEmpty();
    }

    static Stream<Arguments> cacheWrites() {
        return Stream.of(
                Arguments.of("sealed grant of another login pasted in", true),
                Arguments.of("sealed grant altered", false));
    }

    /**
     * Attacker: a writer of the authentication-session cache. Into the brokered context of their own first login
     * (Lynn, held on the review-profile page) they paste the sealed grant of another person's first login in
     * progress (Vera, same provider), or alter their own. Completing the login must end on Keycloak's error page
     * (400, not a 500), and the vault must hold nothing for either account.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cacheWrites")
    void cacheWriterCannotMoveOrAlterASealedGrant(String attack, boolean pasteFromAnotherLogin) throws Exception {
        Account victim = Accounts.HUBSPOT_VERA;
        Account attacker = Accounts.HUBSPOT_LYNN;
        env.admin().deleteUserByEmail(REALM, victim.email());
        env.admin().deleteUserByEmail(REALM, attacker.email());
        BrowserSession victimBrowser = new BrowserSession();
        BrowserSession attackerBrowser = new BrowserSession();
        holdOnReviewProfile(victimBrowser, "hubspot", victim);
        BrowserSession.Page attackerReview = holdOnReviewProfile(attackerBrowser, "hubspot", attacker);

        Map.Entry<String, ObjectNode> victimContext = brokeredContext(SessionNotes.rootAuthSessionId(victimBrowser));
        String attackerRoot = SessionNotes.rootAuthSessionId(attackerBrowser);
        Map.Entry<String, ObjectNode> attackerContext = brokeredContext(attackerRoot);
        ObjectNode entry = (ObjectNode) attackerContext.getValue().get("contextData").get("conduit.upstream-grant");
        String own = entry.get("data").asText();
        String replacement;
        if (pasteFromAnotherLogin) {
            replacement = victimContext.getValue().get("contextData").get("conduit.upstream-grant").get("data").asText();
        } else {
            int at = own.length() / 2;
            if (own.charAt(at) == '.') {
                at++;
            }
            replacement = own.substring(0, at) + (own.charAt(at) == 'A' ? 'B' : 'A') + own.substring(at + 1);
        }
        assertThat(replacement).isNotEqualTo(own);
        entry.put("data", replacement);
        HttpResponse<String> written = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(env.realmUrl()
                        + "/conduit-test-notes/authentication-sessions/auth-note?root=" + enc(attackerRoot) + "&tab="
                        + enc(attackerContext.getKey()) + "&name=BROKERED_CONTEXT"))
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(attackerContext.getValue().toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(written.statusCode()).as("the cache write").isEqualTo(204);

        BrowserSession.Page end = attackerBrowser.submit(attackerReview, "form:has(input[name=lastName])",
                Map.of("email", attacker.email(), "username", attacker.email(), "firstName", attacker.givenName(),
                        "lastName", attacker.familyName()));

        assertThat(end.endedAtApp()).as("the login does not complete").isFalse();
        assertThat(end.status()).as("Keycloak's error page, not a 500").isEqualTo(400);
        assertThat(end.document().text()).contains("Unexpected error when authenticating with identity provider");
        String attackerUserId = env.admin().userIdByEmail(REALM, attacker.email());
        if (attackerUserId != null) {
            assertThat(vault.connection("USER", attackerUserId, "hubspot")).as("no connection for the attacker").isNull();
        }
        // a row parked for revocation after another test deleted a user of the same account is no connection of anyone
        java.util.List<String> held = new java.util.ArrayList<>();
        vault.all().forEach(row -> {
            if (!"REVOKING".equals(row.path("ownerKind").asText())) {
                held.add(row.path("accountId").asText());
            }
        });
        assertThat(held).as("no connection of either account in the vault").doesNotContain(victim.userId(), attacker.userId());
    }

    private BrowserSession.Page holdOnReviewProfile(BrowserSession browser, String alias, Account account) {
        BrowserSession.Page page = flows.allow(browser, flows.openConsent(browser, alias), account);
        assertThat(page.document().selectFirst("form input[name=lastName]")).as("review-profile page").isNotNull();
        return page;
    }

    /** The tab holding BROKERED_CONTEXT, and that note parsed. */
    private Map.Entry<String, ObjectNode> brokeredContext(String rootId) throws Exception {
        JsonNode tabs = notes.ofRoot(rootId);
        var found = new ArrayList<Map.Entry<String, ObjectNode>>();
        tabs.fields().forEachRemaining(tab -> {
            JsonNode note = tab.getValue().get("authNotes").get("BROKERED_CONTEXT");
            if (note != null) {
                found.add(Map.entry(tab.getKey(), (ObjectNode) readTree(note.asText())));
            }
        });
        assertThat(found).as("a brokered context").hasSize(1);
        return found.get(0);
    }

    private static JsonNode readTree(String json) {
        try {
            return AdminApi.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

}
