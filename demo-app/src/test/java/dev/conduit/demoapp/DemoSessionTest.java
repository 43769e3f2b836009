package dev.conduit.demoapp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoSessionTest {

    private final DemoSession session = new DemoSession("id", 0);

    @Test
    void aStateIsGoodOnceAndOnlyForItsOwnAuthorization() {
        Authorization signIn = Authorization.start(Authorization.Purpose.signIn(), 1000);
        session.addPending(signIn);

        assertThat(session.takePending("another state", 2000)).isNull();
        assertThat(session.takePending(null, 2000)).isNull();
        assertThat(session.takePending(signIn.state(), 2000)).isSameAs(signIn);
        assertThat(session.takePending(signIn.state(), 3000)).as("replayed").isNull();
    }

    @Test
    void aStateThatComesBackTooLateIsRefused() {
        Authorization signIn = Authorization.start(Authorization.Purpose.signIn(), 1000);
        session.addPending(signIn);
        assertThat(session.takePending(signIn.state(), 1000 + DemoSession.PENDING_MILLIS + 1)).isNull();
    }

    @Test
    void aSessionHoldsOnlyAFewAuthorizationsUnderWay() {
        Authorization oldest = Authorization.start(Authorization.Purpose.signIn(), 1000);
        session.addPending(oldest);
        Authorization newest = null;
        for (int i = 0; i < DemoSession.MAX_PENDING; i++) {
            newest = Authorization.start(Authorization.Purpose.signIn(), 1001 + i);
            session.addPending(newest);
        }
        assertThat(session.takePending(oldest.state(), 2000)).isNull();
        assertThat(session.takePending(newest.state(), 2000)).isSameAs(newest);
    }

    @Test
    void eachAuthorizationHasItsOwnStateNonceAndVerifier() {
        Authorization a = Authorization.start(Authorization.Purpose.signIn(), 0);
        Authorization b = Authorization.start(Authorization.Purpose.signIn(), 0);
        assertThat(a.state()).isNotEqualTo(b.state());
        assertThat(a.nonce()).isNotEqualTo(b.nonce()).isNotEqualTo(a.state());
        assertThat(a.pkce().verifier()).isNotEqualTo(b.pkce().verifier());
        assertThat(a.toString()).doesNotContain(a.state());
    }

    @Test
    void signingOutForgetsTokensAndWhatWasFetched() {
        session.signedIn(new KeycloakTokens("a", "r", "i", 100, 0),
                new DemoSession.SignedInPerson("sub", "Ada", "ada", java.util.List.of()));
        session.signedOut();
        assertThat(session.tokens()).isNull();
        assertThat(session.person()).isNull();
    }
}
