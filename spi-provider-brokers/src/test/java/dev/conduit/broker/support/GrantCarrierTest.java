package dev.conduit.broker.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import dev.conduit.api.grant.UpstreamGrant;
import org.junit.jupiter.api.Test;

class GrantCarrierTest {

    @Test
    void theBrokersMarshallerNeverWritesAGrantThatWasNotSealed() {
        UpstreamGrant grant = new UpstreamGrant("conduit-salesforce", "salesforce", "005", "00D", null,
                "access-secret", "refresh-secret", 0, 3600, Set.of("api"), "Ada Lovelace", "ada@acme.example");
        assertThatThrownBy(() -> GrantCarrier.marshaller().serialize(grant))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("secret");
        assertThat(GrantCarrier.marshaller().serialize("v1.k1.sealed")).isEqualTo("v1.k1.sealed");
    }
}
