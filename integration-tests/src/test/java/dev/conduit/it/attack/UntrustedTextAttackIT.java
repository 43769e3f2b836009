package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Secrets;
import dev.conduit.sandbox.Accounts;
import dev.conduit.sandbox.Provider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Attacker: whoever sends a broker callback (it is unauthenticated: anybody who started a login, or who controls
 * where the provider redirects). Its {@code iss} parameter is that caller's text. When it names another issuer the
 * callback is refused (RFC 9207), and the refusal is logged and recorded as an event: both must hold only an
 * escaped, bounded form of it, never a CR/LF that starts a forged log line, never 1,500+ characters of input.
 * (Keycloak itself refuses query values with C0 controls other than TAB, CR and LF; those three, DEL, the C1
 * controls, U+2028 and the bidi overrides get through to the broker.)
 */
class UntrustedTextAttackIT {

    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final BrokerFlows flows = new BrokerFlows(env);

    @Test
    @DisplayName("a callback's huge iss with CR/LF and control characters reaches the log and the event only escaped and bounded")
    void callbackSenderCannotForgeALogLineOrFloodAnEventThroughIss() throws IOException {
        String marker = "conduit-forged-" + Secrets.generate().substring(0, 12);
        String forgedLine = "2026-12-01 10:00:00,000 WARN  [org.keycloak.services] (executor-thread-1) FORGED " + marker
                + " admin password was reset";
        String iss = "https://evil.example/" + marker + "\t\u007f\u009b2J\u0085\u2028\u202e" + "\r\n" + forgedLine + "\n"
                + "A".repeat(1500);
        env.admin().deleteUserByEmail(REALM, Accounts.GOOGLE_RADIA.email());
        BrowserSession browser = new BrowserSession();
        String callback = callbackFromConsent(browser, "google", Accounts.GOOGLE_RADIA);
        int redemptions = env.sandbox().engine().tokenCalls(Provider.GOOGLE, "authorization_code");
        long logBefore = Files.size(env.logFile());

        // the whole request line stays under Keycloak's HTTP limit (4096), so the callback reaches the broker
        String forged = callback.replaceFirst("iss=[^&]+", "iss=" + URLEncoder.encode(iss, StandardCharsets.UTF_8));
        assertThat(forged.length()).isLessThan(3800);
        BrowserSession.Page page = browser.open(forged);

        assertThat(page.endedAtApp()).as("refused").isFalse();
        assertThat(page.status()).as("an error page, not a server error").isBetween(400, 499);
        assertThat(env.sandbox().engine().tokenCalls(Provider.GOOGLE, "authorization_code")).as("code not redeemed").isEqualTo(redemptions);
        assertThat(env.admin().userIdByEmail(REALM, Accounts.GOOGLE_RADIA.email())).as("no user created").isNull();

        // the log: the marker only inside whole lines (Conduit's refusal, Keycloak's event line), escaped and bounded;
        // no line of the attacker's own
        List<String> lines = linesWith(marker, logBefore);
        assertThat(lines).as("Keycloak's log lines naming the forged issuer (the page: %d %s)", page.status(),
                page.body().substring(0, Math.min(300, page.body().length()))).isNotEmpty();
        assertThat(lines).as("Conduit's refusal line").anyMatch(l -> l.contains("Refused broker callback"));
        for (String line : lines) {
            assertThat(line).doesNotStartWith("2026-12-01 10:00:00,000").contains("\\r\\n2026-12-01 10:00:00,000 WARN")
                    .contains("\\t\\u007f\\u009b2J\\u0085\\u2028\\u202e")
                    .contains("more chars)").doesNotContain("\u007f").doesNotContain("\u009b").doesNotContain("\u2028")
                    .doesNotContain("\u202e").doesNotContain("\u0085").doesNotContain("\t").doesNotContain("\r")
                    .doesNotContain("A".repeat(300));
            assertThat(line.length()).as("bounded").isLessThan(1000);
        }

        // the event: the same bounded, escaped form
        JsonNode events = env.admin().get(REALM + "/events?type=IDENTITY_PROVIDER_LOGIN_ERROR&max=500");
        List<String> reasons = new ArrayList<>();
        for (JsonNode event : events) {
            String reason = event.path("details").path("reason").asText("");
            if (reason.contains(marker)) {
                reasons.add(reason);
            }
        }
        assertThat(reasons).as("the refusal event").hasSize(1);
        assertThat(reasons.get(0)).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u009b")
                .doesNotContain("A".repeat(300)).contains("\\r\\n").contains("more chars)");
        assertThat(reasons.get(0).length()).isLessThan(600);
    }

    private List<String> linesWith(String marker, long from) throws IOException {
        byte[] all = Files.readAllBytes(env.logFile());
        String appended = new String(all, (int) Math.min(from, all.length), (int) (all.length - Math.min(from, all.length)),
                StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String line : appended.split("\n", -1)) {
            if (line.contains(marker)) {
                out.add(line);
            }
        }
        return out;
    }

    private String callbackFromConsent(BrowserSession browser, String alias, dev.conduit.sandbox.Account account) {
        BrowserSession.Page consent = flows.openConsent(browser, alias);
        BrowserSession.Page answer = browser.submitOnce(consent, "form#consent",
                Map.of("account", account.userId(), "decision", "allow"));
        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.redirectedTo()).contains("/broker/" + alias + "/endpoint?code=").contains("iss=");
        return answer.redirectedTo();
    }
}
