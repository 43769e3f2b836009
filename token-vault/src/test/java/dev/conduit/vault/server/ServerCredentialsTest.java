package dev.conduit.vault.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import dev.conduit.api.server.ServerCredential;
import org.junit.jupiter.api.Test;

class ServerCredentialsTest {

    @Test
    void theShownColumnHoldsNoSealedFieldAndBothReadBack() {
        ServerCredential credential = new ServerCredential("hubspot-private-app", Map.of("region", "na1"),
                Map.of("access_token", "pat-na1-secret"), Set.of("crm.objects.contacts.read", "oauth"));

        String shown = ServerCredentials.shownJson(credential);
        String sealed = ServerCredentials.sealedJson(credential);

        assertThat(shown).doesNotContain("pat-na1-secret");
        ServerCredential back = ServerCredentials.read("hubspot-private-app", shown, sealed);
        assertThat(back).isEqualTo(credential);
        assertThat(ServerCredentials.shown(shown)).containsExactly(Map.entry("region", "na1"));
        assertThat(ServerCredentials.scopes(shown)).containsExactlyInAnyOrder("crm.objects.contacts.read", "oauth");
    }
}
