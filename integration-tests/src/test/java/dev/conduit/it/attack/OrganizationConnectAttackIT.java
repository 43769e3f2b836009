package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.SessionNotes;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Endpoint;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Attacks on setting an organization's connection. Organization A ({@code alpha}) and B ({@code bravo}) each hold a
 * Salesforce connection made by their own Conduit admin; {@code alpha-admin} is also an ordinary member of B;
 * {@code member} belongs to both without admin rights. Every attack asserts the refusal a browser or app sees and
 * that the organizations' vault connections (account, scopes, connected by and at, the token members get, still
 * active at the sandbox) are what they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrganizationConnectAttackIT {

    /** The refusal page of a connect the user may not make (messages_en: conduitOrgConnectRefused). */
    private static final String REFUSED = "You may not connect this provider for that organization";
    /** The page of a confirmation that is gone (messages_en: conduitOrgConnectExpired). */
    private static final String EXPIRED = "This confirmation is no longer valid";

    private static final String ALPHA = "conduit-it-alpha";
    private static final String BRAVO = "conduit-it-bravo";
    private static final String ALPHA_ADMIN = "alpha-admin";
    private static final String BRAVO_ADMIN = "bravo-admin";
    private static final String MEMBER = "alpha-bravo-member";
    private static final List<String> PEOPLE = List.of(ALPHA_ADMIN, BRAVO_ADMIN, MEMBER);

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final String password = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private String alphaId;
    private String bravoId;

    /**
     * What an organization holds for Salesforce, as members and the vault see it; the upstream token members get
     * only as its SHA-256, so that no token reaches a failure message.
     */
    private record Held(String connectionId, String accountId, String scopes, String connectedBy, String connectedAt,
            String status, String memberTokenSha256) {
    }

    @BeforeAll
    void organizationsWithTheirConnections() {
        cleanUp();
        alphaId = organizations.create(ALPHA, "Alpha", "alpha.example");
        bravoId = organizations.create(BRAVO, "Bravo", "bravo.example");
        PEOPLE.forEach(organizations::createUser);
        organizations.addMember(alphaId, ALPHA_ADMIN);
        organizations.addMember(alphaId, MEMBER);
        organizations.addMember(bravoId, BRAVO_ADMIN);
        organizations.addMember(bravoId, ALPHA_ADMIN);
        organizations.addMember(bravoId, MEMBER);
        organizations.grantOrgAdmin(alphaId, ALPHA_ADMIN);
        organizations.grantOrgAdmin(bravoId, BRAVO_ADMIN);
        assertThat(organizations.connect(ALPHA_ADMIN, "salesforce", ALPHA, Accounts.SALESFORCE_ANNIE).endedAtApp()).isTrue();
        assertThat(organizations.connect(BRAVO_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_HEDY).endedAtApp()).isTrue();
        assertThat(held(alphaId).accountId()).isEqualTo(Accounts.SALESFORCE_ANNIE.userId());
        assertThat(held(bravoId).accountId()).isEqualTo(Accounts.SALESFORCE_HEDY.userId());
    }

    @AfterAll
    void cleanUp() {
        organizations.delete(ALPHA);
        organizations.delete(BRAVO);
        PEOPLE.forEach(organizations::deleteUser);
    }

    @Test
    void phisherSendsACraftedLoginLinkToAnOrgAdminWithALiveProviderSession() {
        // the admin's own Salesforce account is linked to her Keycloak user, as a personal connection
        BrowserSession.Page linked = linkPersonally(ALPHA_ADMIN, Accounts.SALESFORCE_GLADYS);
        assertThat(linked.endedAtApp()).as(linked.body()).isTrue();
        Held before = held(alphaId);

        // the phisher's link: an ordinary login with kc_idp_hint plus conduit_organization; the admin's live
        // session at Salesforce answers at once (the sandbox's consent stands in for it)
        BrowserSession victim = new BrowserSession();
        BrowserSession.Page consent = victim.open(env.appLoginUrl("salesforce") + "&conduit_organization=" + ALPHA);
        assertThat(consent.document().selectFirst("form#consent")).as(consent.body()).isNotNull();
        BrowserSession.Page end = new BrokerFlows(env).allow(victim, consent, Accounts.SALESFORCE_GLADYS);

        // it is the admin's own login, nothing more: no confirmation page, and the organization holds what it held
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        assertThat(end.body()).doesNotContain("conduit-org-connect");
        assertThat(held(alphaId)).isEqualTo(before);
        String adminId = env.admin().userIdByUsername(REALM, ALPHA_ADMIN);
        assertThat(vault.connection("USER", adminId, "salesforce").get("accountId").asText())
                .isEqualTo(Accounts.SALESFORCE_GLADYS.userId());
        assertThat(federatedIdentities(adminId)).containsExactly("salesforce=" + Accounts.SALESFORCE_GLADYS.userId());
    }

    @Test
    void orgMemberWithoutAdminRightsCannotReplaceConnection() {
        Held before = held(alphaId);
        int consents = env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.AUTHORIZE);

        Organizations.Attempt attempt = organizations.startConnect(MEMBER, "salesforce", ALPHA, Accounts.SALESFORCE_KATHERINE);

        assertRefusedBeforeTheProvider(attempt, consents);
        assertThat(held(alphaId)).isEqualTo(before);
        assertThat(federatedIdentities(env.admin().userIdByUsername(REALM, MEMBER))).isEmpty();
    }

    @Test
    void adminOfOrganizationAWhoIsAMemberOfBCannotReplaceBsConnection() {
        Held before = held(bravoId);
        int consents = env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.AUTHORIZE);

        Organizations.Attempt attempt = organizations.startConnect(ALPHA_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_ADELE);

        assertRefusedBeforeTheProvider(attempt, consents);
        assertThat(held(bravoId)).isEqualTo(before);
    }

    @Test
    void adminOfOrganizationAConnectsAThroughTheAppKeycloakLinksToB() {
        // Bravo's own Salesforce app registration: an identity provider that Keycloak links to organization B
        String bravosApp = "sf-bravo-app";
        var idp = (com.fasterxml.jackson.databind.node.ObjectNode) env.admin().identityProvider(REALM, "salesforce").deepCopy();
        idp.remove("internalId");
        idp.put("alias", bravosApp);
        env.admin().createIdentityProvider(REALM, idp);
        try {
            HttpResponse<String> linked = env.admin().call("POST", REALM + "/organizations/" + bravoId + "/identity-providers",
                    bravosApp);
            assertThat(linked.statusCode()).as(linked.body()).isEqualTo(204);
            Held alphaBefore = held(alphaId);
            Held bravoBefore = held(bravoId);
            int consents = env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.AUTHORIZE);

            // Mallory is Alpha's admin and a member of Bravo: she connects Alpha through Bravo's app
            Organizations.Attempt attempt = organizations.startConnect(ALPHA_ADMIN, bravosApp, ALPHA, Accounts.SALESFORCE_ADELE);

            assertRefusedBeforeTheProvider(attempt, consents);
            assertThat(vault.connection("ORGANIZATION", alphaId, bravosApp)).as("Alpha holds nothing through Bravo's app").isNull();
            assertThat(held(alphaId)).isEqualTo(alphaBefore);
            assertThat(held(bravoId)).isEqualTo(bravoBefore);
            assertThat(federatedIdentities(env.admin().userIdByUsername(REALM, ALPHA_ADMIN)))
                    .as("no link to Bravo's app").noneMatch(link -> link.startsWith(bravosApp + "="));
        } finally {
            env.admin().call("DELETE", REALM + "/identity-provider/instances/" + bravosApp, null);
        }
    }

    @Test
    void cacheReaderFindsNoUpstreamTokenWhileTheConfirmationPageIsShown() {
        Held before = held(bravoId);
        Set<String> issuedBefore = new HashSet<>(env.sandbox().engine().issuedTokens());
        Organizations.Attempt admin = organizations.startConnect(BRAVO_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_LISE);
        assertThat(admin.atConfirmation()).isTrue();
        Set<String> issued = new HashSet<>(env.sandbox().engine().issuedTokens());
        issued.removeAll(issuedBefore);
        assertThat(issued).as("the provider answered this connect with tokens").isNotEmpty();

        JsonNode tabs = new SessionNotes(env).ofLoginInProgress(admin.browser());
        assertThat(tabs.toString()).as("the confirmation waits in the authentication session").contains("conduit.org-connect");
        assertThat(SessionNotes.whereTokensAre(tabs, issued))
                .as("notes of the authentication session holding an upstream token (names only)").isEmpty();

        // and the sealed grant still opens for this very login: Confirm stores the connection
        BrowserSession.Page end = admin.decide("confirm");
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        assertThat(held(bravoId).accountId()).isEqualTo(Accounts.SALESFORCE_LISE.userId());
        assertThat(held(bravoId)).isNotEqualTo(before);
    }

    @Test
    void csrfAttackerPostsTheConfirmationWithoutTheToken() {
        Held before = held(bravoId);
        Organizations.Attempt victim = organizations.startConnect(BRAVO_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_MARGARET);
        assertThat(victim.atConfirmation()).as(victim.page().body()).isTrue();

        // the attacker's page makes the admin's browser post the form without the one-time token
        BrowserSession.Page answer = victim.browser().postFormOnce(confirmationAction(victim), "decision=confirm");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains(REFUSED);
        assertThat(held(bravoId)).isEqualTo(before);
        // the pending confirmation is gone: the admin's own Confirm afterwards stores nothing either
        BrowserSession.Page own = victim.decide("confirm");
        assertThat(own.status()).isEqualTo(400);
        assertThat(own.body()).contains(EXPIRED);
        assertThat(held(bravoId)).isEqualTo(before);
    }

    @Test
    void csrfAttackerPostsTheConfirmationWithAForeignToken() {
        Held alphaBefore = held(alphaId);
        Held bravoBefore = held(bravoId);
        // the attacker is an admin of A and gets a valid token on a confirmation page of his own
        Organizations.Attempt attacker = organizations.startConnect(ALPHA_ADMIN, "salesforce", ALPHA, Accounts.SALESFORCE_EVELYN);
        assertThat(attacker.atConfirmation()).isTrue();
        String foreignToken = attacker.page().document().selectFirst("input[name=conduit_token]").val();
        Organizations.Attempt victim = organizations.startConnect(BRAVO_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_MARGARET);
        assertThat(victim.atConfirmation()).isTrue();

        BrowserSession.Page answer = victim.browser().postFormOnce(confirmationAction(victim),
                "conduit_token=" + foreignToken + "&decision=confirm");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains(REFUSED);
        assertThat(held(bravoId)).isEqualTo(bravoBefore);
        assertThat(held(alphaId)).isEqualTo(alphaBefore);
    }

    @Test
    void csrfAttackerReplaysAConfirmationAlreadyUsed() {
        Organizations.Attempt admin = organizations.startConnect(BRAVO_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_HEDY);
        assertThat(admin.atConfirmation()).isTrue();
        String form = "conduit_token=" + admin.page().document().selectFirst("input[name=conduit_token]").val()
                + "&decision=confirm";
        // the admin's Confirm is stored; its answer sends the browser back to Keycloak's linking action
        BrowserSession.Page confirmed = admin.browser().submitOnce(admin.page(), "form#conduit-org-connect",
                Map.of("decision", "confirm"));
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(303);
        Held after = held(bravoId);

        // the same POST again, while the authentication session is still alive
        BrowserSession.Page replay = admin.browser().postFormOnce(confirmationAction(admin), form);

        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.body()).contains(EXPIRED);
        assertThat(held(bravoId)).isEqualTo(after);
        BrowserSession.Page end = admin.browser().open(confirmed.redirectedTo());
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        assertThat(end.callbackParameter("kc_action_status")).isEqualTo("success");
        assertThat(held(bravoId)).isEqualTo(after);
    }

    @Test
    void cancelOnTheConfirmationPageStoresNothing() {
        Held before = held(bravoId);
        Organizations.Attempt admin = organizations.startConnect(BRAVO_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_JEAN);
        assertThat(admin.atConfirmation()).isTrue();
        String page = admin.page().document().selectFirst("#conduit-org-connect-summary").text();
        assertThat(page).contains("Bravo (" + BRAVO + ")").contains("Salesforce")
                .contains(Accounts.SALESFORCE_JEAN.userId()).contains(before.accountId());

        BrowserSession.Page cancelled = admin.decide("cancel");

        assertThat(cancelled.endedAtApp()).as(cancelled.body()).isTrue();
        assertThat(cancelled.callbackParameter("kc_action_status")).isEqualTo("cancelled");
        assertThat(held(bravoId)).isEqualTo(before);
        assertThat(federatedIdentities(env.admin().userIdByUsername(REALM, BRAVO_ADMIN))).isEmpty();
    }

    @Test
    void aDisabledOrganizationIsRefusedOnConnectAndOnExchange() {
        Held before = held(alphaId);
        // the admin reached the confirmation page while the organization was enabled
        Organizations.Attempt pending = organizations.startConnect(ALPHA_ADMIN, "salesforce", ALPHA, Accounts.SALESFORCE_SHAFI);
        assertThat(pending.atConfirmation()).isTrue();
        int consents = env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.AUTHORIZE);
        setEnabled(alphaId, false);
        try {
            BrowserSession.Page confirmed = pending.decide("confirm");
            assertThat(confirmed.status()).isEqualTo(403);
            assertThat(confirmed.body()).contains(REFUSED);
            assertThat(held(alphaId, false)).isEqualTo(withoutToken(before));

            Organizations.Attempt fresh = organizations.startConnect(ALPHA_ADMIN, "salesforce", ALPHA, Accounts.SALESFORCE_SHAFI);
            assertRefusedBeforeTheProvider(fresh, consents);

            HttpResponse<String> exchange = apps.exchange(apps.passwordLogin(MEMBER, password),
                    Map.of("audience", "salesforce", "organization", ALPHA));
            assertRefused(exchange, 400, "invalid_target", "The organization is disabled");
            assertThat(held(alphaId, false)).isEqualTo(withoutToken(before));
        } finally {
            setEnabled(alphaId, true);
        }
        assertThat(held(alphaId)).isEqualTo(before);
    }

    @Test
    void anOrganizationConnectLeavesNoLinkOnTheAdminsOwnUser() {
        String adminId = env.admin().userIdByUsername(REALM, BRAVO_ADMIN);
        assertThat(federatedIdentities(adminId)).isEmpty();

        BrowserSession.Page end = organizations.connect(BRAVO_ADMIN, "salesforce", BRAVO, Accounts.SALESFORCE_KAREN);

        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        assertThat(held(bravoId).accountId()).isEqualTo(Accounts.SALESFORCE_KAREN.userId());
        assertThat(federatedIdentities(adminId)).as("the organization's account is no way to log in as the admin").isEmpty();
        assertThat(vault.connection("USER", adminId, "salesforce")).isNull();

        // logging in with the organization's upstream account is a first broker login (a new user), never the admin
        env.admin().deleteUserByEmail(REALM, Accounts.SALESFORCE_KAREN.email());
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page login = new BrokerFlows(env).login(browser, "salesforce", Accounts.SALESFORCE_KAREN);
        assertThat(login.endedAtApp()).as(login.body()).isTrue();
        String subject = subjectOf(apps.accessToken(login));
        try {
            assertThat(subject).as("the user the organization's account logs in as").isNotEqualTo(adminId);
            assertThat(federatedIdentities(adminId)).isEmpty();
        } finally {
            if (!subject.equals(adminId)) {
                env.admin().call("DELETE", REALM + "/users/" + subject, null);
            }
        }
    }

    private static String subjectOf(String accessToken) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        try {
            return AdminApi.mapper().readTree(payload).get("sub").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError("unreadable access token payload", e);
        }
    }

    private void assertRefusedBeforeTheProvider(Organizations.Attempt attempt, int consentsBefore) {
        assertThat(attempt.page().status()).as(attempt.page().body()).isEqualTo(403);
        assertThat(attempt.page().body()).contains(REFUSED)
                .doesNotContain("Exception");
        assertThat(attempt.atConfirmation()).isFalse();
        assertThat(env.sandbox().engine().calls(Provider.SALESFORCE, Endpoint.AUTHORIZE)).as("never sent to the provider")
                .isEqualTo(consentsBefore);
    }

    /** Account linking of the user's own Salesforce account (no organization). */
    private BrowserSession.Page linkPersonally(String username, Account account) {
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page page = browser.open(env.appLoginUrl(null) + "&kc_action=idp_link:salesforce");
        for (int step = 0; step < 3 && page.document().selectFirst("form#kc-form-login") != null; step++) {
            page = browser.submit(page, "form#kc-form-login", Map.of("username", username, "password", password));
        }
        page = browser.submit(page, "form:has(button#kc-continue)", Map.of("continue", ""));
        return new BrokerFlows(env).allow(browser, page, account);
    }

    private static String confirmationAction(Organizations.Attempt attempt) {
        return attempt.page().document().selectFirst("form#conduit-org-connect").absUrl("action");
    }

    private Held held(String organizationId) {
        return held(organizationId, true);
    }

    private Held held(String organizationId, boolean withToken) {
        JsonNode connection = vault.connection("ORGANIZATION", organizationId, "salesforce");
        assertThat(connection).as("the organization's Salesforce connection").isNotNull();
        String token = null;
        if (withToken) {
            HttpResponse<String> exchanged = apps.exchange(apps.passwordLogin(MEMBER, password),
                    Map.of("audience", "salesforce", "organization", organizationId));
            assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
            String accessToken = AppTokens.json(exchanged).get("access_token").asText();
            assertThat(env.sandbox().engine().accessTokenActive(accessToken)).as("the token members get is live at the sandbox").isTrue();
            token = sha256(accessToken);
        }
        return new Held(connection.get("id").asText(), connection.get("accountId").asText(),
                connection.get("scopes").toString(), connection.get("connectedBy").asText(),
                connection.get("connectedAt").asText(), connection.get("status").asText(), token);
    }

    private static String sha256(String value) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Held withoutToken(Held held) {
        return new Held(held.connectionId(), held.accountId(), held.scopes(), held.connectedBy(), held.connectedAt(),
                held.status(), null);
    }

    private List<String> federatedIdentities(String userId) {
        JsonNode links = env.admin().get(REALM + "/users/" + userId + "/federated-identity");
        return java.util.stream.StreamSupport.stream(links.spliterator(), false)
                .map(link -> link.get("identityProvider").asText() + "=" + link.get("userId").asText()).toList();
    }

    @SuppressWarnings("unchecked")
    private void setEnabled(String organizationId, boolean enabled) {
        Map<String, Object> organization = AdminApi.mapper().convertValue(
                env.admin().get(REALM + "/organizations/" + organizationId), Map.class);
        organization.put("enabled", enabled);
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/organizations/" + organizationId, organization);
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);
    }
}
