package dev.conduit.vault.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import dev.conduit.vault.account.ConnectionWords.Words;
import org.junit.jupiter.api.Test;

class ConnectionWordsTest {

    private static final long DEC_1_0942 = Instant.parse("2026-12-01T09:42:10Z").getEpochSecond();
    private static final long DEC_1_1042 = Instant.parse("2026-12-01T10:42:55Z").getEpochSecond();
    private static final long DEC_3 = Instant.parse("2026-12-03T08:00:00Z").getEpochSecond();
    /** The causes as the brokers word them (each broker's factory, {@code refusedGrantCause()}). */
    private static final String SALESFORCE = "the app's access was revoked, or it expired under your Salesforce organization's policy";
    private static final String HUBSPOT = "the app was uninstalled from the HubSpot account";
    private static final String GOOGLE = "access was removed in the Google account, it went unused for months, or the password changed";

    @Test
    void aRefusedSalesforceRefreshTokenSaysWhenAndWhyAndAsksToReconnect() {
        Words words = ConnectionWords.describe("RECONNECT_REQUIRED",
                "invalid_grant (HTTP 400): the provider refused the refresh token", SALESFORCE, "Salesforce", DEC_1_0942, DEC_3);
        assertThat(words.summary()).isEqualTo("Salesforce stopped accepting this connection on Dec 1 (the app's access was"
                + " revoked, or it expired under your Salesforce organization's policy). Reconnect to continue.");
        assertThat(words.action()).isEqualTo(ConnectionWords.RECONNECT);
    }

    @Test
    void hubSpotAndGoogleNameTheirOwnCauses() {
        assertThat(ConnectionWords.describe("RECONNECT_REQUIRED", "invalid_grant (HTTP 400)", HUBSPOT, "HubSpot", DEC_1_0942,
                DEC_3).summary()).isEqualTo("HubSpot stopped accepting this connection on Dec 1 (the app was uninstalled"
                + " from the HubSpot account). Reconnect to continue.");
        assertThat(ConnectionWords.describe("RECONNECT_REQUIRED", "invalid_grant (HTTP 400)", GOOGLE, "Acme Google",
                DEC_1_0942, DEC_3).summary()).isEqualTo("Acme Google stopped accepting this connection on Dec 1 (access was"
                + " removed in the Google account, it went unused for months, or the password changed). Reconnect to continue.");
    }

    @Test
    void aTransientFailureSaysSinceWhenAndThatNothingIsToBeDone() {
        Words words = ConnectionWords.describe("EXPIRING", "temporarily_unavailable (HTTP 503)", SALESFORCE, "Salesforce",
                DEC_1_1042, DEC_1_1042 + 600);
        assertThat(words.summary()).isEqualTo("Conduit could not refresh this connection since 10:42 UTC; it keeps trying."
                + " Nothing to do yet.");
        assertThat(words.action()).isEqualTo(ConnectionWords.NONE);
        assertThat(ConnectionWords.describe("EXPIRING", "timeout", GOOGLE, "Google", DEC_1_1042, DEC_3).summary())
                .startsWith("Conduit could not refresh this connection since Dec 1, 10:42 UTC;");
    }

    @Test
    void conduitsOwnRefusedSettingsAreForAnAdministrator() {
        Words words = ConnectionWords.describe("EXPIRING", "invalid_client (HTTP 401)", HUBSPOT, "HubSpot", DEC_1_1042, DEC_3);
        assertThat(words.action()).isEqualTo(ConnectionWords.ASK_ADMIN);
        assertThat(words.summary()).contains("HubSpot refuses Conduit's own settings").contains("an administrator must fix")
                .endsWith("Nothing to do for you.");
    }

    @Test
    void noRefreshTokenRefusedByProviderAndAnUnknownCodeStillSayWhatToDo() {
        assertThat(ConnectionWords.describe("RECONNECT_REQUIRED", "no_refresh_token: the provider gave no refresh token",
                SALESFORCE, "Salesforce", DEC_1_0942, DEC_3).summary()).isEqualTo("Salesforce gave Conduit no lasting access"
                + " when this account was connected, so the connection stopped on Dec 1. Reconnect and allow access while you"
                + " are away to continue.");
        assertThat(ConnectionWords.describe("RECONNECT_REQUIRED", "refused_by_provider: the provider kept refusing the"
                + " connection's tokens", HUBSPOT, "HubSpot", DEC_1_0942, DEC_3).summary()).isEqualTo("HubSpot kept refusing"
                + " this connection's access since Dec 1, even with fresh tokens. Reconnect to continue.");
        Words unknown = ConnectionWords.describe("RECONNECT_REQUIRED", "Something odd", "", "Okta", DEC_1_0942, DEC_3);
        assertThat(unknown.summary()).isEqualTo("Okta stopped accepting this connection on Dec 1. Reconnect to continue.");
        assertThat(unknown.action()).isEqualTo(ConnectionWords.RECONNECT);
    }

    @Test
    void rowsFromBeforeTheStatusTimeWasKeptGetNoDateAndOtherYearsGetTheYear() {
        assertThat(ConnectionWords.describe("RECONNECT_REQUIRED", "invalid_grant (HTTP 400)", null, "salesforce", null, DEC_3)
                .summary()).isEqualTo("salesforce stopped accepting this connection. Reconnect to continue.");
        assertThat(ConnectionWords.describe("EXPIRING", null, null, "x", null, DEC_3).summary())
                .isEqualTo("Conduit could not refresh this connection lately; it keeps trying. Nothing to do yet.");
        assertThat(ConnectionWords.describe("REVOKED", null, GOOGLE, "Google", DEC_1_0942, DEC_1_0942 + 40L * 86400)
                .summary()).isEqualTo("Disconnected on Dec 1, 2026; Conduit is withdrawing its access at Google. Reconnect to"
                + " use it again.");
    }

    @Test
    void aHealthyConnectionNeedsNothing() {
        Words words = ConnectionWords.describe("HEALTHY", null, GOOGLE, "Google", DEC_1_0942, DEC_3);
        assertThat(words.summary()).isEqualTo("Connected: apps you allow reach Google through it.");
        assertThat(words.action()).isEqualTo(ConnectionWords.NONE);
    }

    @Test
    void theProvidersNameIsItsDisplayNameElseTheProductsElseTheAlias() {
        assertThat(ConnectionWords.providerName("Salesforce", " Acme Salesforce ", "salesforce")).isEqualTo("Acme Salesforce");
        assertThat(ConnectionWords.providerName("HubSpot", null, "hubspot-eu")).isEqualTo("HubSpot");
        assertThat(ConnectionWords.providerName("Google", "", "google")).isEqualTo("Google");
        assertThat(ConnectionWords.providerName(null, null, "okta")).isEqualTo("okta");
    }

    @Test
    void theCodeIsTheLeadingOAuthStyleWord() {
        assertThat(ConnectionWords.code("invalid_grant (HTTP 400): x")).isEqualTo("invalid_grant");
        assertThat(ConnectionWords.code("no_refresh_token: x")).isEqualTo("no_refresh_token");
        assertThat(ConnectionWords.code(null)).isEmpty();
    }
}
