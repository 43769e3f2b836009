package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.conduit.example.UpstreamCall;
import dev.conduit.example.UpstreamToken;
import dev.conduit.example.UpstreamTokenRefusedException;
import dev.conduit.example.UpstreamTokens;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Organizations;
import dev.conduit.it.support.Secrets;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The example internal app ({@code example-internal-app}, Nimbus's RFC 8693 client) against the real server and
 * the sandbox: it gets each provider's token with what the caller needs beside it (Salesforce's instance URL and
 * org id, HubSpot's hub id), for a user and through an organization connection, a refusal reaches its
 * caller as an exception saying where to send the user, and an API call answered 401 is retried once with a
 * replacement token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleAppIT {

    private static final String ORGANIZATION = "conduit-it-example-co";
    private static final String ORG_ADMIN = "example-app-admin";
    private static final String MEMBER = "example-app-member";
    private static final List<Account> USER_ACCOUNTS = List.of(Accounts.SALESFORCE_JEAN, Accounts.HUBSPOT_JOAN,
            Accounts.GOOGLE_DONALD);

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String password = Secrets.generate();
    private final Organizations organizations = new Organizations(env, password);
    private UpstreamTokens upstreamTokens;
    private String organizationId;

    @BeforeAll
    void setUp() {
        upstreamTokens = UpstreamTokens.forRealm(env.keycloakUrl(), REALM, AppTokens.INTERNAL_APP, apps.internalSecret());
        cleanUp();
        organizationId = organizations.create(ORGANIZATION, "Example Co", "example-co.example");
        for (String name : List.of(ORG_ADMIN, MEMBER)) {
            organizations.createUser(name);
            organizations.addMember(organizationId, name);
        }
        organizations.grantOrgAdmin(organizationId, ORG_ADMIN);
    }

    @AfterAll
    void cleanUp() {
        for (String name : List.of(ORG_ADMIN, MEMBER)) {
            organizations.deleteUser(name);
        }
        for (Account account : USER_ACCOUNTS) {
            env.admin().deleteUserByEmail(REALM, account.email());
        }
        organizations.delete(ORGANIZATION);
    }

    @Test
    void aUserGetsTheirSalesforceTokenWithTheInstanceUrlAndOrgId() {
        String userToken = loginThrough("salesforce", Accounts.SALESFORCE_JEAN);

        UpstreamToken token = upstreamTokens.forUser(userToken, "salesforce");

        assertThat(sandbox.accessTokenActive(token.accessToken())).isTrue();
        assertThat(token.provider()).isEqualTo("salesforce");
        assertThat(token.instanceUrl()).isEqualTo(sandbox.instanceUrl());
        assertThat(token.organizationId()).isEqualTo(Accounts.SALESFORCE_ORG);
        assertThat(token.accountId()).isEqualTo(Accounts.SALESFORCE_JEAN.userId());
        assertThat(token.scopes()).contains("api");
        assertThat(token.expiresIn()).isPositive();
        assertThat(token.toString()).doesNotContain(token.accessToken());
    }

    @Test
    void aUserGetsTheirHubSpotTokenWithTheHubId() {
        String userToken = loginThrough("hubspot", Accounts.HUBSPOT_JOAN);

        UpstreamToken token = upstreamTokens.forUser(userToken, "hubspot");

        assertThat(sandbox.accessTokenActive(token.accessToken())).isTrue();
        assertThat(token.hubId()).isEqualTo(Accounts.HUBSPOT_HUB);
        assertThat(token.accountId()).isEqualTo(Accounts.HUBSPOT_JOAN.userId());
        // the provider scopes the internal app's default permission (crm.contacts.read) maps, not the whole grant
        assertThat(token.scopes()).containsExactly("crm.objects.contacts.read");
        assertThat(token.instanceUrl()).isNull();
        assertThat(token.expiresIn()).isPositive();
    }

    @Test
    void aUserGetsTheirGoogleToken() {
        String userToken = loginThrough("google", Accounts.GOOGLE_DONALD);

        UpstreamToken token = upstreamTokens.forUser(userToken, "google");

        assertThat(sandbox.accessTokenActive(token.accessToken())).isTrue();
        assertThat(token.provider()).isEqualTo("google");
        assertThat(token.accountId()).isEqualTo(Accounts.GOOGLE_DONALD.userId());
        assertThat(token.scopes()).containsExactly("https://www.googleapis.com/auth/calendar.readonly");
        assertThat(token.hubId()).isNull();
        assertThat(token.instanceUrl()).isNull();
        assertThat(token.expiresIn()).isPositive();
    }

    @Test
    void aMemberGetsTheOrganizationsSalesforceTokenWithTheInstanceUrl() {
        connectForOrganization("salesforce", Accounts.SALESFORCE_ADELE);

        UpstreamToken token = upstreamTokens.forOrganization(memberToken(), "salesforce", ORGANIZATION);

        assertThat(sandbox.accessTokenActive(token.accessToken())).isTrue();
        assertThat(token.instanceUrl()).isEqualTo(sandbox.instanceUrl());
        assertThat(token.organizationId()).isEqualTo(Accounts.SALESFORCE_ORG);
        assertThat(token.accountId()).as("the account the org admin connected").isEqualTo(Accounts.SALESFORCE_ADELE.userId());
    }

    @Test
    void aMemberGetsTheOrganizationsHubSpotTokenWithTheHubId() {
        connectForOrganization("hubspot", Accounts.HUBSPOT_SOPHIE);

        UpstreamToken token = upstreamTokens.forOrganization(memberToken(), "hubspot", ORGANIZATION);

        assertThat(sandbox.accessTokenActive(token.accessToken())).isTrue();
        assertThat(token.hubId()).isEqualTo(Accounts.HUBSPOT_HUB);
        assertThat(token.accountId()).isEqualTo(Accounts.HUBSPOT_SOPHIE.userId());
    }

    @Test
    void aMemberGetsTheOrganizationsGoogleToken() {
        connectForOrganization("google", Accounts.GOOGLE_JOHN);

        UpstreamToken token = upstreamTokens.forOrganization(memberToken(), "google", ORGANIZATION);

        assertThat(sandbox.accessTokenActive(token.accessToken())).isTrue();
        assertThat(token.provider()).isEqualTo("google");
        assertThat(token.accountId()).isEqualTo(Accounts.GOOGLE_JOHN.userId());
    }

    @Test
    void aUserWithoutTheConnectionIsRefusedWithWhereToConnectIt() {
        String memberToken = memberToken();

        UpstreamTokenRefusedException refused = assertThrows(UpstreamTokenRefusedException.class,
                () -> upstreamTokens.forUser(memberToken, "salesforce"));

        assertThat(refused.httpStatus()).isEqualTo(400);
        assertThat(refused.error()).isEqualTo("invalid_target");
        assertThat(refused.conduitError()).isEqualTo(UpstreamTokenRefusedException.NOT_CONNECTED);
        assertThat(refused.connectUri()).startsWith(env.realmUrl() + "/protocol/openid-connect/auth")
                .contains("kc_action=idp_link%3Asalesforce");
        assertThat(refused.needsUser()).isTrue();
        assertThat(refused.getMessage()).doesNotContain(memberToken);
    }

    @Test
    void anOrganizationTheUserIsNotAMemberOfIsRefusedWithNothingTheUserCanDo() {
        String memberToken = memberToken();

        UpstreamTokenRefusedException refused = assertThrows(UpstreamTokenRefusedException.class,
                () -> upstreamTokens.forOrganization(memberToken, "salesforce", "acme"));

        assertThat(refused.error()).isEqualTo("invalid_target");
        assertThat(refused.conduitError()).isNull();
        assertThat(refused.needsUser()).isFalse();
    }

    /**
     * Salesforce ends the session of the token the library got (a timeout, an admin): the library's {@code call}
     * sees the API's 401, asks Conduit once for a replacement naming the refused token, and calls again with it.
     */
    @Test
    void theLibrarysCallRecoversOnceFromASessionTheProviderEndedEarly() throws Exception {
        String userToken = loginThrough("salesforce", Accounts.SALESFORCE_JEAN);
        String ended = upstreamTokens.forUser(userToken, "salesforce").accessToken();
        assertThat(sandbox.endSession(ended)).isTrue();
        int refreshesBefore = sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token");
        List<String> used = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();

        Integer status = upstreamTokens.call(userToken, "salesforce", null, token -> {
            used.add(token.accessToken());
            int answered = get(token.instanceUrl() + "/services/data/v62.0/query?q=SELECT+Id,Name,Email+FROM+Contact",
                    token.accessToken());
            statuses.add(answered);
            return new UpstreamCall.Answer<>(answered, answered);
        });

        assertThat(status).isEqualTo(200);
        assertThat(statuses).containsExactly(401, 200);
        assertThat(used).hasSize(2);
        assertThat(used.get(0).equals(ended)).as("the first call used the ended session").isTrue();
        assertThat(used.get(1).equals(ended)).as("the retry used the ended session").isFalse();
        assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token") - refreshesBefore).as("upstream refreshes").isEqualTo(1);
    }

    /** The same for an organization's HubSpot connection: the replacement is asked for the organization's connection. */
    @Test
    void theLibrarysCallRecoversOnceForAnOrganizationsConnection() throws Exception {
        connectForOrganization("hubspot", Accounts.HUBSPOT_SOPHIE);
        String memberToken = memberToken();
        String ended = upstreamTokens.forOrganization(memberToken, "hubspot", ORGANIZATION).accessToken();
        assertThat(sandbox.endSession(ended)).isTrue();
        int refreshesBefore = sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token");
        List<UpstreamToken> used = new ArrayList<>();

        Integer status = upstreamTokens.call(memberToken, "hubspot", ORGANIZATION, token -> {
            used.add(token);
            int answered = get(env.sandbox().baseUrl() + "/hubspot/crm/v3/objects/contacts?limit=10", token.accessToken());
            return new UpstreamCall.Answer<>(answered, answered);
        });

        assertThat(status).isEqualTo(200);
        assertThat(used).hasSize(2);
        assertThat(used.get(1).organization()).isEqualTo(ORGANIZATION);
        assertThat(used.get(1).accountId()).as("the account the org admin connected").isEqualTo(Accounts.HUBSPOT_SOPHIE.userId());
        assertThat(used.get(1).accessToken().equals(ended)).as("the retry used the ended session").isFalse();
        assertThat(sandbox.tokenCalls(Provider.HUBSPOT, "refresh_token") - refreshesBefore).as("upstream refreshes").isEqualTo(1);
    }

    private int get(String url, String accessToken) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + accessToken).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** A broker login as {@code account}; the demo app's Keycloak access token. */
    private String loginThrough(String alias, Account account) {
        env.admin().deleteUserByEmail(REALM, account.email());
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), alias, account);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
        return apps.accessToken(end);
    }

    private String memberToken() {
        return apps.passwordLogin(MEMBER, password);
    }

    /** The org admin connects {@code alias} for the organization (account linking with conduit_organization). */
    private void connectForOrganization(String alias, Account account) {
        BrowserSession.Page end = organizations.connect(ORG_ADMIN, alias, ORGANIZATION, account);
        assertThat(end.endedAtApp()).as(end.body()).isTrue();
    }
}
