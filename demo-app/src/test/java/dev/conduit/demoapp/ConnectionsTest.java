package dev.conduit.demoapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ConnectionsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void readsTodaysFields() throws Exception {
        Connections connections = Connections.read(json.readTree("[{\"id\":\"1\",\"provider\":\"salesforce\","
                + "\"status\":\"HEALTHY\",\"scopes\":[\"api\",\"refresh_token\"],\"accountId\":\"0055g\",\"connectedAt\":1}]"));
        Connections.Connection salesforce = connections.of("salesforce");
        assertThat(salesforce.status()).isEqualTo("HEALTHY");
        assertThat(salesforce.account()).isEqualTo("0055g");
        assertThat(salesforce.access()).isEqualTo("api, refresh_token");
        assertThat(salesforce.needsReconnect()).isFalse();
        assertThat(connections.of("hubspot")).isNull();
    }

    @Test
    void prefersTheRicherFieldsWhenTheEndpointGivesThem() throws Exception {
        Connections connections = Connections.read(json.readTree("[{\"provider\":\"hubspot\",\"status\":\"HEALTHY\","
                + "\"accountId\":\"7100102\",\"accountName\":\"Ada Lovelace\",\"accountEmail\":\"ada@acme.example\","
                + "\"summary\":\"Reads contacts\",\"permissions\":[{\"name\":\"crm.contacts.read\",\"label\":\"Read CRM contacts\"}],"
                + "\"action\":\"reconnect\"}]"));
        Connections.Connection hubspot = connections.of("hubspot");
        assertThat(hubspot.account()).isEqualTo("Ada Lovelace");
        assertThat(hubspot.summary()).isEqualTo("Reads contacts");
        assertThat(hubspot.access()).isEqualTo("Read CRM contacts");
        assertThat(hubspot.needsReconnect()).isTrue();
    }

    @Test
    void toleratesNonsense() throws Exception {
        assertThat(Connections.read(json.readTree("{\"not\":\"a list\"}")).connections()).isEmpty();
        assertThat(Connections.read(json.readTree("[1, \"x\", {\"status\":\"HEALTHY\"}, {\"provider\":{}}]")).connections()).isEmpty();
        assertThat(Connections.read(json.readTree("[{\"provider\":\"google\",\"status\":\"RECONNECT_REQUIRED\"}]"))
                .of("google").needsReconnect()).isTrue();
    }
}
