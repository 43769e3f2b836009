package dev.conduit.demoapp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PkceTest {

    @Test
    void challengeIsTheRfc7636S256OfTheVerifier() {
        // RFC 7636 appendix B
        assertThat(Pkce.challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
                .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    @Test
    void eachPairHasAFreshVerifierOfTheLengthRfc7636Asks() {
        Pkce one = Pkce.create();
        Pkce two = Pkce.create();
        assertThat(one.verifier()).hasSizeBetween(43, 128).matches("[A-Za-z0-9._~-]+");
        assertThat(one.challenge()).isEqualTo(Pkce.challengeOf(one.verifier()));
        assertThat(one.verifier()).isNotEqualTo(two.verifier());
        assertThat(one.toString()).doesNotContain(one.verifier());
    }
}
