package dev.conduit.exchange.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.conduit.exchange.support.ExchangeRefusal;
import org.junit.jupiter.api.Test;

class NamedSubjectTest {

    private static final String CLIENT = "f7d1c0de-0000-4000-8000-000000000001";

    @Test
    void noParameterNamesNoSubject() {
        assertThat(NamedSubject.read(null, false, true, CLIENT, "sync-job", CLIENT)).isNull();
        assertThat(NamedSubject.read(List.of(), false, true, CLIENT, "sync-job", null)).isNull();
    }

    @Test
    void theClientsOwnServiceAccountNamesAUserForAnOrganizationsConnection() {
        NamedSubject named = NamedSubject.read(List.of(" alice@acme.example "), false, true, CLIENT, "sync-job", CLIENT);
        assertThat(named.subject()).isEqualTo("alice@acme.example");
        assertThat(named.namedBy()).isEqualTo("sync-job");
    }

    @Test
    void aPersonActsAsThemselves() {
        refused(() -> NamedSubject.read(List.of("ceo@acme.example"), false, true, CLIENT, "sync-job", null),
                "a person acts as themselves");
    }

    @Test
    void anotherClientsServiceAccountCannotNameOne() {
        refused(() -> NamedSubject.read(List.of("ceo@acme.example"), false, true, CLIENT, "sync-job",
                "f7d1c0de-0000-4000-8000-000000000002"), "a person acts as themselves");
    }

    @Test
    void onlyForAnOrganizationsConnectionAndNeverInTheLegacyForm() {
        refused(() -> NamedSubject.read(List.of("alice@acme.example"), false, false, CLIENT, "sync-job", CLIENT),
                "add organization=");
        refused(() -> NamedSubject.read(List.of("alice@acme.example"), true, true, CLIENT, "sync-job", CLIENT),
                "not supported with requested_issuer");
    }

    @Test
    void oneBoundedPrintableValue() {
        refused(() -> NamedSubject.read(List.of("a@acme.example", "b@acme.example"), false, true, CLIENT, "sync-job", CLIENT),
                "duplicated parameter requested_subject");
        refused(() -> NamedSubject.read(List.of(""), false, true, CLIENT, "sync-job", CLIENT), "must be the e-mail address");
        refused(() -> NamedSubject.read(List.of("a@acme.example\nSet-Cookie: x"), false, true, CLIENT, "sync-job", CLIENT),
                "must be the e-mail address");
        refused(() -> NamedSubject.read(List.of("a".repeat(250) + "@acme.example"), false, true, CLIENT, "sync-job", CLIENT),
                "must be the e-mail address");
    }

    private static void refused(Runnable read, String words) {
        assertThatThrownBy(read::run).isInstanceOf(ExchangeRefusal.class).hasMessageContaining(words);
    }
}
