package dev.conduit.it;

import static dev.conduit.it.support.ConduitEnvironment.EXISTING_USER;
import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Account;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An existing Keycloak user (ada, with a password) links a provider account from an application
 * ({@code kc_action=idp_link}): the link and the upstream grant land on her user.
 */
class AccountLinkingIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final VaultApi vault = new VaultApi(env);

    static java.util.stream.Stream<Arguments> providers() {
        return java.util.stream.Stream.of(
                Arguments.of("salesforce", Accounts.SALESFORCE_ADA),
                Arguments.of("hubspot", Accounts.HUBSPOT_ADA),
                Arguments.of("google", Accounts.GOOGLE_ADA));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void existingUserLinksProviderAccount(String alias, Account account) {
        String ada = env.admin().userIdByUsername(REALM, EXISTING_USER);
        env.admin().removeFederatedIdentity(REALM, ada, alias);

        BrowserSession.Page end = new BrokerFlows(env).linkExistingUser(new BrowserSession(), alias, account);

        assertThat(end.endedAtApp()).as("linking ended at the app").isTrue();
        assertThat(end.callbackParameter("kc_action_status")).isEqualTo("success");
        JsonNode links = env.admin().federatedIdentities(REALM, ada);
        JsonNode link = null;
        for (JsonNode candidate : links) {
            if (alias.equals(candidate.get("identityProvider").asText())) {
                link = candidate;
            }
        }
        assertThat(link).as("ada linked to %s", alias).isNotNull();
        assertThat(link.get("userId").asText()).isEqualTo(account.userId());
        assertThat(vault.connection("USER", ada, alias)).as("grant handed over for ada").isNotNull();
        assertThat(env.admin().userIdByEmail(REALM, account.email())).isEqualTo(ada);
    }
}
