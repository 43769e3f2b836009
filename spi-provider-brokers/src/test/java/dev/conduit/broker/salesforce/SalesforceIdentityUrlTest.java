package dev.conduit.broker.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SalesforceIdentityUrlTest {

    @Test
    void orgAndUserComeFromTheLastTwoPathSegments() {
        SalesforceIdentityUrl id = SalesforceIdentityUrl.parse(
                "https://login.salesforce.com/id/00D5g000004AcmeEAA/0055g00000AdaLoEAA");
        assertThat(id.organizationId()).isEqualTo("00D5g000004AcmeEAA");
        assertThat(id.userId()).isEqualTo("0055g00000AdaLoEAA");
    }

    @Test
    void fifteenCharacterIdsAndMyDomainHostsAreAccepted() {
        SalesforceIdentityUrl id = SalesforceIdentityUrl.parse("https://acme.my.salesforce.com/id/00D5g000004Acme/0055g00000AdaLo");
        assertThat(id.organizationId()).isEqualTo("00D5g000004Acme");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a url", "https://login.salesforce.com/", "https://login.salesforce.com/id/00D5g000004AcmeEAA",
            "https://login.salesforce.com/xx/00D5g000004AcmeEAA/0055g00000AdaLoEAA",
            "https://login.salesforce.com/id/00D5g000004AcmeEAA/../../etc"})
    void anythingElseIsRefused(String value) {
        assertThatThrownBy(() -> SalesforceIdentityUrl.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }
}
