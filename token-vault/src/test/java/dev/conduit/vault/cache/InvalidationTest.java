package dev.conduit.vault.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conduit.api.vault.ConnectionKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InvalidationTest {

    @Test
    void everyKindSurvivesTheWire() {
        for (Invalidation change : new Invalidation[] {
                Invalidation.row(ConnectionKey.organization("realm-1", "org-acme", "salesforce")),
                Invalidation.row(ConnectionKey.user("realm-1", "user-ada", "hubspot")),
                Invalidation.row(ConnectionKey.realm("realm-1", "google")),
                Invalidation.dataKey("0b7c1e4e-data-key"), Invalidation.realm("realm-1"), Invalidation.all()}) {
            assertThat(Invalidation.parse(change.encode())).isEqualTo(change);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "conduit-vault", "something-else\u001fROW", "conduit-vault\u001fROW\u001frealm-1",
            "conduit-vault\u001fROW\u001frealm-1\u001fNOBODY\u001fowner\u001falias", "conduit-vault\u001fFUTURE\u001fx",
            "conduit-vault\u001fDATA_KEY", "conduit-vault\u001fREALM\u001fa\u001fb"})
    void whatDoesNotParseDropsEverything(String message) {
        assertThat(Invalidation.parse(message)).isEqualTo(Invalidation.all());
    }

    @Test
    void noMessageDropsEverything() {
        assertThat(Invalidation.parse(null)).isEqualTo(Invalidation.all());
    }
}
