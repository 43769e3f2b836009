package dev.conduit.exchange.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RealmConnectionRequestTest {

    private static final String CLIENT = "f7d1c0de-0000-4000-8000-000000000001";
    private static final String OTHER = "f7d1c0de-0000-4000-8000-000000000002";

    @Test
    void absentAsksForTheSubjectsOwnConnection() {
        assertThat(RealmConnectionRequest.asksForRealm(null, null)).isFalse();
        assertThat(RealmConnectionRequest.asksForRealm(List.of(), List.of("acme"))).isFalse();
    }

    @Test
    void realmAsksForTheRealmsConnection() {
        assertThat(RealmConnectionRequest.asksForRealm(List.of("realm"), null)).isTrue();
        assertThat(RealmConnectionRequest.asksForRealm(List.of("realm"), List.of(" "))).as("a blank organization is absent")
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " realm", "REALM", "organization", "user", "realm\u0000", "*"})
    void anyOtherValueIsRefusedWithoutRepeatingIt(String value) {
        assertThatThrownBy(() -> RealmConnectionRequest.asksForRealm(List.of(value), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connection_owner must be realm (or absent for the subject's own connection)");
    }

    @Test
    void aDuplicatedParameterOrOneWithAnOrganizationIsRefused() {
        assertThatThrownBy(() -> RealmConnectionRequest.asksForRealm(List.of("realm", "realm"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("duplicated parameter connection_owner");
        assertThatThrownBy(() -> RealmConnectionRequest.asksForRealm(List.of("realm"), List.of("acme")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drop organization=");
        assertThatThrownBy(() -> RealmConnectionRequest.asksForRealm(Arrays.asList((String) null), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClientsOwnServiceAccountWithTheAttributeMayUseIt() {
        assertThat(RealmConnectionRequest.allowed(CLIENT, "nightly-sync", "true", CLIENT, "nightly-sync")).isTrue();
        assertThat(RealmConnectionRequest.allowed(CLIENT, "nightly-sync", " TRUE ", CLIENT, "nightly-sync")).isTrue();
    }

    @Test
    void aPersonAnotherClientsServiceAccountOrAClientWithoutTheAttributeMayNot() {
        assertThat(RealmConnectionRequest.allowed(CLIENT, "nightly-sync", "true", null, "nightly-sync")).as("a person").isFalse();
        assertThat(RealmConnectionRequest.allowed(CLIENT, "nightly-sync", "true", OTHER, "nightly-sync"))
                .as("another client's service account").isFalse();
        assertThat(RealmConnectionRequest.allowed(CLIENT, "nightly-sync", "true", CLIENT, "other-app"))
                .as("its service account in a token issued to another client").isFalse();
        for (String attribute : new String[] {null, "", "false", "yes", "1", "*"}) {
            assertThat(RealmConnectionRequest.allowed(CLIENT, "nightly-sync", attribute, CLIENT, "nightly-sync"))
                    .as("attribute %s", attribute).isFalse();
        }
    }
}
