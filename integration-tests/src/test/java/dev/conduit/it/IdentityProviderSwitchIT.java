package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrokeringApiClient;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Refusals;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.StoredTokenRealms;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.MintedGrant;
import dev.conduit.sandbox.Provider;
import dev.conduit.sandbox.SandboxClient;
import dev.conduit.sandbox.SandboxEngine;
import org.junit.jupiter.api.Test;

/**
 * The README's way off Keycloak's Store Tokens, end to end on the shared server: a plain {@code oidc} broker storing
 * tokens, a user linked with a stored token, Conduit's switch to the Conduit Salesforce broker of the same alias (no SQL),
 * the stored-token migration, then the user's upstream token through the exchange and through Keycloak's Identity
 * Brokering API V2 without reconnecting, and a login through the switched broker. Also checks Keycloak's internal API the
 * switch relies on ({@code IdentityProviderTypeChange}): on an upgrade, this is the test that says it broke.
 */
class IdentityProviderSwitchIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final SandboxEngine sandbox = env.sandbox().engine();
    private final AppTokens apps = new AppTokens(env);
    private final StoredTokenRealms realms = new StoredTokenRealms(env);

    @Test
    void aStoringOidcBrokerBecomesTheConduitBrokerAndItsLinkedUserKeepsTheConnection() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String alias = "s27sw-" + tag;
        String username = "s27sw-user-" + tag;
        String password = "s27-" + UUID.randomUUID();
        // the app registration at Salesforce both brokers use (the refresh tokens Keycloak stored are bound to it)
        SandboxClient registration = new SandboxClient(Provider.SALESFORCE, "s27sw-" + tag + ".salesforce", Secrets.generate(),
                List.of(env.keycloakUrl() + "/realms/" + REALM + "/broker/" + alias + "/endpoint"));
        sandbox.register(registration);
        realms.plainOidcWithStoreTokens(REALM, alias, registration.clientId(), registration.clientSecret());
        JsonNode before = env.admin().identityProvider(REALM, alias);
        String userId = realms.createUser(REALM, username, password);
        realms.link(REALM, userId, alias, Accounts.SALESFORCE_MARGARET);
        MintedGrant minted = sandbox.mintGrant(Provider.SALESFORCE, registration.clientId(),
                Accounts.SALESFORCE_MARGARET.userId(), Set.of("api", "refresh_token"));
        String stored = realms.tokenResponse(minted.accessToken(), minted.refreshToken());
        JsonNode eventsConfig = env.admin().get(REALM + "/events/config");
        BrokeringApiClient client = null;
        try (Connection db = realms.database()) {
            StoredTokenRealms.setStoredToken(db, userId, alias, stored);
            setAdminEventDetails(eventsConfig, true);

            String row = StoredTokenRealms.identityProviderRow(db, REALM, alias);
            Refusals.assertRefused(realms.switchToConduit(REALM, "s27sw-none-" + tag, "conduit-salesforce", Map.of()),
                    404, "invalid_request", "Identity provider not found");
            Refusals.assertRefused(realms.switchToConduit(REALM, alias, "google", Map.of()),
                    400, "invalid_request", "providerId google is not a Conduit broker");
            Refusals.assertRefused(realms.switchToConduit(REALM, alias, "conduit-salesforce", Map.of("loginHost", "login.salesforce.com")),
                    400, "invalid_request", "loginHost");
            Refusals.assertRefused(realms.switchToConduit(REALM, alias, "conduit-salesforce", Map.of("sessionLifetimeSeconds", "2h")),
                    400, "invalid_request", "sessionLifetimeSeconds");
            Refusals.assertRefused(realms.admin("POST", REALM + "/conduit-vault/identity-providers/" + alias + "/switch",
                    env.admin().accessToken(), "{\"config\":{}}", java.time.Duration.ofSeconds(30)),
                    400, "invalid_request", "providerId is required");
            Refusals.assertRefused(realms.switchToConduit(REALM, "salesforce", "conduit-hubspot", Map.of()),
                    409, "invalid_request", "already a Conduit broker");
            assertThat(StoredTokenRealms.identityProviderRow(db, REALM, alias)).as("refused switches change nothing").isEqualTo(row);

            // the switch: the demo's Conduit Salesforce settings, the app registration left out (kept from the oidc broker)
            Map<String, String> config = new HashMap<>(demoSalesforceConfig());
            config.remove("clientId");
            config.remove("clientSecret");
            HttpResponse<String> answer = realms.switchToConduit(REALM, alias, "conduit-salesforce", config);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).doesNotContain(registration.clientSecret());
            JsonNode switched = AppTokens.json(answer);
            assertThat(switched.get("providerId").asText()).isEqualTo("conduit-salesforce");
            assertThat(switched.get("previousProviderId").asText()).isEqualTo("oidc");
            assertThat(switched.get("internalId").asText()).isEqualTo(before.get("internalId").asText());

            JsonNode after = env.admin().identityProvider(REALM, alias);
            assertThat(after.get("providerId").asText()).isEqualTo("conduit-salesforce");
            assertThat(after.get("storeToken").asBoolean()).isFalse();
            assertThat(after.get("internalId").asText()).isEqualTo(before.get("internalId").asText());
            assertThat(after.get("config").get("clientId").asText()).isEqualTo(registration.clientId());
            assertThat(after.get("config").get("loginHost").asText()).isEqualTo(config.get("loginHost"));
            assertThat(after.get("config").has("tokenUrl")).as("the oidc broker's endpoints are gone").isFalse();
            assertThat(StoredTokenRealms.identityProviderRow(db, REALM, alias))
                    .contains("conduit-salesforce false", "clientSecret=" + registration.clientSecret());
            // a second switch finds a Conduit broker
            Refusals.assertRefused(realms.switchToConduit(REALM, alias, "conduit-salesforce", config),
                    409, "invalid_request", "already a Conduit broker");

            // the user is still linked, with the token Keycloak stored
            assertThat(linkedAccount(userId, alias)).isEqualTo(Accounts.SALESFORCE_MARGARET.userId());
            assertThat(StoredTokenRealms.storedToken(db, userId, alias)).isEqualTo(stored);

            // one admin event, naming what changed, never a setting
            JsonNode events = env.admin().get(REALM + "/admin-events?resourceTypes=IDENTITY_PROVIDER&operationTypes=UPDATE&max=20");
            List<JsonNode> ours = new java.util.ArrayList<>();
            events.forEach(event -> {
                if (event.path("resourcePath").asText().contains(alias + "/switch")) {
                    ours.add(event);
                }
            });
            assertThat(ours).hasSize(1);
            assertThat(ours.get(0).get("representation").asText()).contains("conduit-salesforce", "oidc")
                    .doesNotContain(registration.clientSecret(), "clientSecret");

            JsonNode migrated = realms.runToEnd(REALM, alias);
            assertThat(migrated.get("state").asText()).as(migrated.toString()).isEqualTo("FINISHED");
            assertThat(migrated.get("migrated").asLong()).as(migrated.toString()).isEqualTo(1);
            assertThat(StoredTokenRealms.storedToken(db, userId, alias)).isNull();

            // the app gets the token without the user reconnecting: through the exchange (refreshed once, as it is due)...
            client = BrokeringApiClient.allowWithExchange(env, alias);
            String userToken = apps.passwordLogin(username, password);
            sandbox.resetCounts();
            HttpResponse<String> exchanged = apps.exchange(userToken, Map.of("audience", alias));
            assertThat(exchanged.statusCode()).as(AppTokens.redacted(exchanged)).isEqualTo(200);
            String upstream = AppTokens.json(exchanged).get("access_token").asText();
            assertThat(upstream).isNotEqualTo(minted.accessToken());
            assertThat(sandbox.accessTokenActive(upstream)).isTrue();
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(1);
            // ...and through Keycloak's Identity Brokering API V2, the same connection
            JsonNode v2 = IdentityBrokeringApiIT.ok(client.retrieve(alias, userToken));
            assertThat(v2.get("access_token").asText()).isEqualTo(upstream);
            assertThat(v2.get("instance_url").asText()).isEqualTo(sandbox.instanceUrl());
            assertThat(sandbox.tokenCalls(Provider.SALESFORCE, "refresh_token")).isEqualTo(1);

            // a login through the switched broker finds the same link and the same user
            BrowserSession.Page ended = new BrokerFlows(env).login(new BrowserSession(), alias, Accounts.SALESFORCE_MARGARET);
            assertThat(ended.endedAtApp()).as(ended.uri() + " " + ended.body()).isTrue();
            assertThat(subject(apps.accessToken(ended))).isEqualTo(userId);
            assertThat(linkedAccount(userId, alias)).isEqualTo(Accounts.SALESFORCE_MARGARET.userId());
            assertThat(StoredTokenRealms.storedToken(db, userId, alias)).as("Store Tokens is off").isNull();
        } finally {
            setAdminEventDetails(eventsConfig, eventsConfig.path("adminEventsDetailsEnabled").asBoolean());
            if (client != null) {
                client.restore();
            }
            env.admin().call("DELETE", REALM + "/users/" + userId, null);
            env.admin().call("DELETE", REALM + "/identity-provider/instances/" + alias, null);
            new VaultApi(env).sendPendingRevocations(REALM);
        }
    }

    private Map<String, String> demoSalesforceConfig() {
        return AdminApi.mapper().convertValue(env.admin().identityProvider(REALM, "salesforce").get("config"),
                new TypeReference<Map<String, String>>() { });
    }

    /** The account id of the user's federated identity at {@code alias}, as Keycloak's admin API lists it. */
    private String linkedAccount(String userId, String alias) {
        for (JsonNode link : env.admin().federatedIdentities(REALM, userId)) {
            if (alias.equals(link.path("identityProvider").asText())) {
                return link.path("userId").asText();
            }
        }
        return null;
    }

    private void setAdminEventDetails(JsonNode config, boolean details) {
        ObjectNode changed = config.deepCopy();
        changed.put("adminEventsDetailsEnabled", details);
        HttpResponse<String> updated = env.admin().call("PUT", REALM + "/events/config", changed);
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);
    }

    private static String subject(String jwt) throws IOException {
        return AdminApi.mapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])).get("sub").asText();
    }
}
