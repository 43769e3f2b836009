package dev.conduit.demoapp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void escapesEverythingThatCouldOpenATagOrLeaveAnAttribute() {
        assertThat(Text.html("<script>alert('x')</script> & \"quoted\""))
                .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;");
        assertThat(Text.html("\" onmouseover=\"alert(1)")).doesNotContain("\"");
        assertThat(Text.html(null)).isEmpty();
    }

    @Test
    void dropsControlCharactersButKeepsLineBreaksForPre() {
        assertThat(Text.html("a\u0000b\u001bc\u007fd")).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd");
        assertThat(Text.html("line1\nline2\tx")).isEqualTo("line1\nline2\tx");
    }

    @Test
    void boundsLongUntrustedText() {
        String escaped = Text.html("x".repeat(5000));
        assertThat(escaped).startsWith("x".repeat(Text.MAX_SHOWN_LENGTH)).endsWith("…(3000 more characters)");
    }

    @Test
    void masksATokenToItsFirstCharactersAndLength() {
        String token = "eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJhYmMifQ.payload.signature";
        String masked = Text.mask(token);
        assertThat(masked).isEqualTo("eyJhbGciOi…(" + token.length() + " chars)");
        assertThat(masked).doesNotContain(token.substring(0, Text.SHOWN + 1));
    }

    @Test
    void aShortTokenShowsOnlyItsLength() {
        assertThat(Text.mask("0123456789abcdef")).isEqualTo("…(16 chars)");
        assertThat(Text.mask(null)).isNull();
    }

    @Test
    void comparesSecretsWithoutAcceptingNullOrAnotherValue() {
        assertThat(Text.sameSecret("abc", "abc")).isTrue();
        assertThat(Text.sameSecret("abc", "abd")).isFalse();
        assertThat(Text.sameSecret("abc", null)).isFalse();
        assertThat(Text.sameSecret(null, null)).isFalse();
    }

    @Test
    void randomValuesAreUrlSafeAndDistinct() {
        assertThat(Text.random(32)).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(Text.random(32));
    }

    @Test
    void refusedTokenHashIsBase64UrlSha256AsDpopAth() {
        // RFC 9449 section 7.1 example: ath of the access token "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
        assertThat(Text.sha256Base64Url("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"))
                .isEqualTo("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }
}
