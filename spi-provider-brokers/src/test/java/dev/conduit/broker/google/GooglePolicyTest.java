package dev.conduit.broker.google;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class GooglePolicyTest {

    @Test
    void hostedDomainIsEnforcedOnTheClaimNotTheHint() {
        assertThat(HostedDomainCheck.allows(List.of("acme.example"), "acme.example")).isTrue();
        assertThat(HostedDomainCheck.allows(List.of("acme.example"), "other.example")).isFalse();
        assertThat(HostedDomainCheck.allows(List.of("acme.example"), null)).as("personal account").isFalse();
        assertThat(HostedDomainCheck.allows(List.of("*"), "any.example")).isTrue();
        assertThat(HostedDomainCheck.allows(List.of("*"), null)).as("'*' still needs a Workspace account").isFalse();
        assertThat(HostedDomainCheck.allows(List.of(), null)).as("no restriction").isTrue();
    }

    @Test
    void consentIsAskedOnlyWhenConduitKnowsItHoldsNoRefreshToken() {
        assertThat(ConsentPrompt.promptFor(null, true, false)).isEqualTo("consent");
        assertThat(ConsentPrompt.promptFor(null, true, true)).isNull();
        assertThat(ConsentPrompt.promptFor(null, true, null)).as("unknown user: Google decides").isNull();
        assertThat(ConsentPrompt.promptFor(null, false, false)).as("no offline access wanted").isNull();
        assertThat(ConsentPrompt.promptFor("select_account", true, false)).as("admin's prompt wins").isEqualTo("select_account");
    }

    @Test
    void reconsentHappensOnceWhenTheResponseBroughtNoRefreshTokenAndNoneIsHeld() {
        assertThat(ConsentPrompt.mustReconsent(true, false, false, false)).isTrue();
        assertThat(ConsentPrompt.mustReconsent(true, false, false, true)).as("already asked once").isFalse();
        assertThat(ConsentPrompt.mustReconsent(true, true, false, false)).isFalse();
        assertThat(ConsentPrompt.mustReconsent(true, false, true, false)).isFalse();
        assertThat(ConsentPrompt.mustReconsent(false, false, false, false)).isFalse();
    }
}
