package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static dev.conduit.it.support.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Keycloak whose providers/ lack {@code conduit-token-vault} (the other Conduit jars and the demo realm as usual):
 * it starts; the upstream-token exchange answers {@code 503 temporarily_unavailable} (event error
 * {@code vault_not_installed}); a broker login ends on
 * {@code VaultRequired}'s page, links no one and logs one line naming the missing jar, no stack trace. One server of its
 * own on H2, started once for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WithoutVaultIT {

    private static final String EXCHANGE_REFUSAL = "The token vault is not installed on this server";
    private static final String LOG_LINE = "no Conduit token vault is installed to keep its upstream grant";
    private ConduitEnvironment env;

    @BeforeAll
    void start() {
        env = ConduitEnvironment.startWithoutVault();
    }

    @AfterAll
    void stop() {
        if (env != null) {
            env.stop();
        }
    }

    @Test
    void theServerStartsWithoutTheVaultAndItsOtherJarsWork() throws IOException {
        HttpResponse<String> info = env.admin().serverInfo();
        assertThat(info.statusCode()).isEqualTo(200);
        JsonNode providers = AdminApi.mapper().readTree(info.body()).path("providers");
        // the SPI's one provider (conduit-token-vault) is not there; the brokers and the exchange are
        assertThat(providers.path("conduit-vault").path("providers").has("conduit-vault")).isFalse();
        assertThat(providers.path("oauth2-token-exchange").path("providers").has("conduit-upstream-token")).isTrue();
        assertThat(providers.path("social").path("providers").has("conduit-salesforce")).isTrue();
        // the console (another jar) provisioned its client in the imported realm
        assertThat(env.admin().get(REALM + "/clients?clientId=conduit-console")).hasSize(1);
    }

    @Test
    void theUpstreamTokenExchangeIsTemporarilyUnavailable() throws IOException {
        AppTokens apps = new AppTokens(env);
        String userToken = apps.passwordLogin(ConduitEnvironment.EXISTING_USER, env.existingUserPassword());

        assertRefused(apps.exchange(userToken, Map.of("requested_issuer", "salesforce")), 503, "temporarily_unavailable",
                EXCHANGE_REFUSAL);
        // the event's one line, no stack trace (aBrokerLogin... checks the whole log); its error says what happened,
        // not the invalid_request the request did not earn
        assertThat(Files.readAllLines(env.logFile()).stream().filter(line -> line.contains(EXCHANGE_REFUSAL)).toList())
                .singleElement().asString().contains("TOKEN_EXCHANGE_ERROR").contains("clientId=\"conduit-internal-app\"")
                .contains("error=\"vault_not_installed\"").doesNotContain("invalid_request");
    }

    @Test
    void aBrokerLoginEndsOnTheVaultRequiredPageAndLinksNoOne() throws IOException {
        assertThat(env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_MARIE.email())).isNull();

        BrokerFlows flows = new BrokerFlows(env);
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page ended = flows.allow(browser, flows.openConsent(browser, "salesforce"), Accounts.SALESFORCE_MARIE);

        assertThat(ended.status()).isEqualTo(503);
        assertThat(ended.document().text()).contains("the server has no Conduit token vault to keep the connection")
                .doesNotContain("Exception").doesNotContain("dev.conduit");
        assertThat(ended.endedAtApp()).isFalse();
        assertThat(env.admin().userIdByEmail(REALM, Accounts.SALESFORCE_MARIE.email())).as("no user created or linked").isNull();
        assertThat(env.admin().get(REALM + "/users?idpAlias=salesforce")).isEmpty();

        List<String> log = Files.readAllLines(env.logFile());
        List<String> refused = log.stream().filter(line -> line.contains(LOG_LINE)).toList();
        assertThat(refused).as("one line for the one login").hasSize(1);
        assertThat(refused.get(0)).contains("ERROR").contains("identity provider 'salesforce'")
                .contains("put conduit-token-vault.jar into providers/");
        assertThat(log).as("no stack trace anywhere in the server's log").noneMatch(line -> line.matches("\\s+at .*"))
                .noneMatch(line -> line.contains("NullPointerException"));
    }
}
