package dev.conduit.testproviders;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FloorRequestTest {

    @Test
    void takesOnlyTheFloorsOwnAudienceAndOnlyWhenOn() {
        assertThat(FloorRequest.isFloor(true, List.of("conduit-test-floor"))).isTrue();
        assertThat(FloorRequest.isFloor(false, List.of("conduit-test-floor"))).isFalse();
        assertThat(FloorRequest.isFloor(true, null)).isFalse();
        assertThat(FloorRequest.isFloor(true, List.of())).isFalse();
        assertThat(FloorRequest.isFloor(true, List.of("google"))).isFalse();
        assertThat(FloorRequest.isFloor(true, List.of("conduit-test-floor", "google"))).isFalse();
        assertThat(FloorRequest.isFloor(true, List.of("google", "conduit-test-floor"))).isFalse();
        assertThat(FloorRequest.isFloor(true, List.of("Conduit-Test-Floor"))).isFalse();
        assertThat(FloorRequest.isFloor(true, List.of("conduit-test-floor "))).isFalse();
        assertThat(FloorRequest.isFloor(true, Arrays.asList((String) null))).isFalse();
    }

    @Test
    void theTokenIs256RandomBitsBase64url() {
        SecureRandom random = new SecureRandom();
        String one = FloorRequest.generateToken(random);
        assertThat(one).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(FloorRequest.generateToken(random)).isNotEqualTo(one);
    }

    @Test
    void theAnswerIsAnRfc8693AccessTokenResponse() {
        assertThat(FloorRequest.answer("t")).containsExactly(
                Map.entry("access_token", "t"),
                Map.entry("issued_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                Map.entry("token_type", "Bearer"),
                Map.entry("expires_in", 300));
    }
}
