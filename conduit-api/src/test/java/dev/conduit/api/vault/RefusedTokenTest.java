package dev.conduit.api.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RefusedTokenTest {

    /** RFC 9449 section 4.3: the example access token and its {@code ath}. */
    private static final String RFC_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    private static final String RFC_ATH = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";

    @Test
    void theParameterIsEncodedAsDpopsAth() {
        RefusedToken refused = RefusedToken.parse(RFC_ATH);

        assertThat(refused.isOf(RFC_TOKEN)).isTrue();
        assertThat(refused.isOf(RFC_TOKEN + "x")).isFalse();
        assertThat(refused.isOf(null)).isFalse();
        assertThat(RefusedToken.of(RFC_TOKEN).isOf(RFC_TOKEN)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo=", // padded
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQE", // 42 characters
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEoo", // 44 characters
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQE+", // standard base64, not url
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQE/",
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQE ",
            "7d41f23b6af66770d9e7712c36b5816f4c565e868dcb9f48", // hex
            "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU", // the token itself
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEp", // same bytes, non-zero unused bits: not canonical
    })
    void anythingButTheCanonical43CharacterFormIsRefusedWithoutRepeatingIt(String value) {
        assertThatThrownBy(() -> RefusedToken.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(RefusedToken.PARAMETER)
                .satisfies(e -> {
                    if (value != null && !value.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(value);
                    }
                });
    }

    @Test
    void itsStringFormShowsNoDigest() {
        assertThat(RefusedToken.parse(RFC_ATH).toString()).doesNotContain(RFC_ATH).contains("***");
    }
}
