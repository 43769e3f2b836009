package dev.conduit.exchange.narrow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.conduit.exchange.narrow.SubjectTokenBinding.Reading;
import org.junit.jupiter.api.Test;

class SubjectTokenBindingTest {

    private static final String HEADER = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k\"}");
    private static final String SIGNATURE = b64("not checked here");
    private static final String BOUND = HEADER + "." + b64("{\"sub\":\"u\",\"azp\":\"app\",\"scope\":\"openid a\","
            + "\"conduit_connection\":{\"provider\":\"hubspot\"}}") + "." + SIGNATURE;
    private static final String FREE = HEADER + "." + b64("{\"sub\":\"u\",\"azp\":\"app\"}") + "." + SIGNATURE;

    @Test
    void aBoundTokenIsBoundInEveryShapeKeycloaksParserAccepts() {
        assertThat(SubjectTokenBinding.read(BOUND)).isEqualTo(Reading.BOUND);
        // Keycloak's JWSInput splits on dots dropping trailing empty parts: these still verify there
        assertThat(SubjectTokenBinding.read(BOUND + ".")).isEqualTo(Reading.BOUND);
        assertThat(SubjectTokenBinding.read(BOUND + ".".repeat(20_000))).isEqualTo(Reading.BOUND);
    }

    @Test
    void aClaimWithoutAUsableValueStillCountsAsBound() {
        String nullClaim = HEADER + "." + b64("{\"sub\":\"u\",\"conduit_connection\":null}") + "." + SIGNATURE;
        String stringClaim = HEADER + "." + b64("{\"sub\":\"u\",\"conduit_connection\":\"x\"}") + "." + SIGNATURE;
        assertThat(SubjectTokenBinding.read(nullClaim)).isEqualTo(Reading.BOUND);
        assertThat(SubjectTokenBinding.read(stringClaim)).isEqualTo(Reading.BOUND);
    }

    @Test
    void aTokenWithoutTheClaimIsFree() {
        assertThat(SubjectTokenBinding.read(FREE)).isEqualTo(Reading.FREE);
        assertThat(SubjectTokenBinding.read(FREE + ".")).isEqualTo(Reading.FREE);
    }

    @Test
    void whatCannotBeReadIsUnreadableNeverFree() {
        assertThat(SubjectTokenBinding.read(null)).isEqualTo(Reading.UNREADABLE);
        assertThat(SubjectTokenBinding.read("")).isEqualTo(Reading.UNREADABLE);
        assertThat(SubjectTokenBinding.read("opaque-token")).isEqualTo(Reading.UNREADABLE);
        assertThat(SubjectTokenBinding.read(" " + BOUND)).isEqualTo(Reading.UNREADABLE);
        assertThat(SubjectTokenBinding.read(BOUND.replace(".", ". "))).isEqualTo(Reading.UNREADABLE);
        assertThat(SubjectTokenBinding.read(HEADER + "." + b64("[1,2]") + "." + SIGNATURE)).isEqualTo(Reading.UNREADABLE);
        assertThat(SubjectTokenBinding.read(HEADER + "." + b64("null") + "." + SIGNATURE)).isEqualTo(Reading.UNREADABLE);
        assertThat(SubjectTokenBinding.read(BOUND + "." + SIGNATURE)).isEqualTo(Reading.UNREADABLE);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
