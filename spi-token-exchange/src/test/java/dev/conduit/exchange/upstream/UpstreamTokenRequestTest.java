package dev.conduit.exchange.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

class UpstreamTokenRequestTest {

    private static final Predicate<String> BROKERS = Set.of("salesforce", "hubspot", "google")::contains;

    @Test
    void theLegacyRequestedIssuerFormNamesTheConnection() {
        assertThat(UpstreamTokenRequest.read("salesforce", null, null, null, null, BROKERS))
                .contains(new UpstreamTokenRequest("salesforce", null));
    }

    @Test
    void theRfc8693FormsNameItByAudienceOrResource() {
        assertThat(UpstreamTokenRequest.read(null, List.of("hubspot"), null, null, "acme", BROKERS))
                .contains(new UpstreamTokenRequest("hubspot", "acme"));
        assertThat(UpstreamTokenRequest.read(null, null, List.of("urn:conduit:connection:google"), null, null, BROKERS))
                .contains(new UpstreamTokenRequest("google", null));
    }

    @Test
    void otherExchangesAreLeftToKeycloak() {
        assertThat(UpstreamTokenRequest.read(null, List.of("some-internal-client"), null, null, null, BROKERS)).isEmpty();
        assertThat(UpstreamTokenRequest.read(null, List.of("salesforce", "hubspot"), null, null, null, BROKERS)).isEmpty();
        assertThat(UpstreamTokenRequest.read(null, null, null, null, null, BROKERS)).isEmpty();
        assertThat(UpstreamTokenRequest.read("salesforce", null, null, "urn:ietf:params:oauth:token-type:refresh_token", null,
                BROKERS)).isEmpty();
    }

    @Test
    void anUnknownConduitResourceIsStillOursSoTheCallerGetsAClearError() {
        assertThat(UpstreamTokenRequest.read(null, null, List.of("urn:conduit:connection:zoho"), null, null, BROKERS))
                .contains(new UpstreamTokenRequest("zoho", null));
    }

    @Test
    void aClientReachesOnlyTheProvidersItWasAllowed() {
        assertThat(UpstreamTokenRequest.clientMayUse("salesforce hubspot", "hubspot")).isTrue();
        assertThat(UpstreamTokenRequest.clientMayUse("salesforce,hubspot", "google")).isFalse();
        assertThat(UpstreamTokenRequest.clientMayUse("*", "google")).isTrue();
        assertThat(UpstreamTokenRequest.clientMayUse(null, "google")).isFalse();
        assertThat(UpstreamTokenRequest.clientMayUse(" ", "google")).isFalse();
        // an alias named twice is no error (Set.of would throw)
        assertThat(UpstreamTokenRequest.clientMayUse("salesforce salesforce", "salesforce")).isTrue();
        assertThat(UpstreamTokenRequest.clientMayUse("salesforce, salesforce,*", "google")).isTrue();
    }

    @Test
    void theRefusedTokenParameterIsOptionalAndOnce() {
        assertThat(UpstreamTokenRequest.refusedToken(null)).isNull();
        assertThat(UpstreamTokenRequest.refusedToken(List.of())).isNull();
        String ath = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";
        assertThat(UpstreamTokenRequest.refusedToken(List.of(ath)).isOf("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")).isTrue();
        assertThatThrownBy(() -> UpstreamTokenRequest.refusedToken(List.of(ath, ath)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicated");
        assertThatThrownBy(() -> UpstreamTokenRequest.refusedToken(List.of("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base64url");
        assertThatThrownBy(() -> UpstreamTokenRequest.refusedToken(List.of(ath + "=")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(ath);
    }
}
