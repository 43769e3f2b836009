package dev.conduit.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.Test;

class SmokeIT {
    @Test
    void salesforceLogin() {
        ConduitEnvironment env = ConduitEnvironment.get();
        BrowserSession browser = new BrowserSession();
        BrowserSession.Page consent = new BrokerFlows(env).openConsent(browser, "salesforce");
        BrowserSession.Page after = new BrokerFlows(env).allow(browser, consent, Accounts.SALESFORCE_CHARLES);
        System.out.println("AFTER " + after.status() + " " + after.uri() + " -> " + after.redirectedTo());
        System.out.println(after.body());
        assertThat(after.status()).isLessThan(500);
    }
}
