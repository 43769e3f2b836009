package dev.conduit.broker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** Which user tokens the Identity Brokering API refuses as narrowed to a connection: bound, and unreadable ones. */
class BrokeringApiTokensTest {

    @Test
    void anOrdinaryTokenIsNotBound() {
        assertThat(BrokeringApiTokens.bound(jwt("{\"sub\":\"u1\",\"azp\":\"app\"}"))).isFalse();
    }

    @Test
    void aTokenWithTheConnectionClaimIsBoundWhateverItsValue() {
        assertThat(BrokeringApiTokens.bound(jwt("{\"sub\":\"u1\",\"conduit_connection\":{\"provider\":\"salesforce\"}}"))).isTrue();
        assertThat(BrokeringApiTokens.bound(jwt("{\"sub\":\"u1\",\"conduit_connection\":null}"))).isTrue();
        assertThat(BrokeringApiTokens.bound(jwt("{\"sub\":\"u1\",\"conduit_connection\":\"\"}"))).isTrue();
    }

    @Test
    void aTokenThatCannotBeReadCountsAsBound() {
        assertThat(BrokeringApiTokens.bound(null)).isTrue();
        assertThat(BrokeringApiTokens.bound("not-a-jwt")).isTrue();
        assertThat(BrokeringApiTokens.bound("e30.bm90IGpzb24.c2ln")).isTrue();
    }

    private static String jwt(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(new byte[] {1, 2, 3});
    }
}
