package dev.conduit.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTextTest {

    @Test
    void plainTextIsKeptAsItIs() {
        assertThat(UntrustedText.forLog("https://accounts.google.com")).isEqualTo("https://accounts.google.com");
        assertThat(UntrustedText.forLog("access_denied")).isEqualTo("access_denied");
        assertThat(UntrustedText.forLog(null)).isNull();
    }

    @Test
    void lineBreaksAndControlCharactersCannotForgeALogLine() {
        String forged = UntrustedText.forLog("x\r\n2026-12-01 WARN [org.keycloak] admin logged in\u0000\u001b[31m\u2028\u202e");
        assertThat(forged).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000").doesNotContain("\u001b")
                .doesNotContain("\u2028").doesNotContain("\u202e")
                .isEqualTo("x\\r\\n2026-12-01 WARN [org.keycloak] admin logged in\\u0000\\u001b[31m\\u2028\\u202e");
        assertThat(forged.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
    }

    @Test
    void aBackslashIsEscapedSoAnEscapeCannotBeFaked() {
        assertThat(UntrustedText.forLog("a\\nb")).isEqualTo("a\\\\nb");
    }

    @Test
    void longTextIsCutAndSaysHowMuchWasLeftOff() {
        String huge = "https://evil.example/" + "a".repeat(100_000);
        String bounded = UntrustedText.forLog(huge);
        assertThat(bounded).startsWith("https://evil.example/aaa").endsWith("more chars)");
        assertThat(bounded.length()).isLessThanOrEqualTo(UntrustedText.DEFAULT_MAX + 24);
        assertThat(bounded).contains("(" + (huge.length() - UntrustedText.DEFAULT_MAX) + " more chars)");
    }

    @Test
    void theCutNeverSplitsAnEscape() {
        String bounded = UntrustedText.forLog("abc\n\n\n", 6);
        assertThat(bounded).isEqualTo("abc\\n...(2 more chars)");
    }

    @Test
    void halvesOfSurrogatePairsAreEscapedNotCutInTwo() {
        assertThat(UntrustedText.forLog("\ud83d\ude00")).isEqualTo("\\ud83d\\ude00");
    }

    @Test
    void displayTextDropsControlBidiAndZeroWidthCharactersAndKeepsLettersOfAnyScriptAndEmoji() {
        assertThat(UntrustedText.forDisplay("  Ada\r\n\tLovelace\u202e\u2066\u200b\u0085\u009b\u007f  ", 100))
                .isEqualTo("Ada Lovelace");
        assertThat(UntrustedText.forDisplay("Chien-Shiung \u5433\u5065\u96c4 \ud83d\ude00", 100))
                .isEqualTo("Chien-Shiung \u5433\u5065\u96c4 \ud83d\ude00");
        assertThat(UntrustedText.forDisplay("lone \ud83d half", 100)).isEqualTo("lone half");
        assertThat(UntrustedText.forDisplay("<img src=x onerror=alert(1)>", 100))
                .as("markup is text here; pages insert it as text").isEqualTo("<img src=x onerror=alert(1)>");
        assertThat(UntrustedText.forDisplay("\u202e\n ", 100)).isNull();
        assertThat(UntrustedText.forDisplay(null, 100)).isNull();
    }

    @Test
    void displayTextIsCutWithAnEllipsisNeverInsideASurrogatePair() {
        assertThat(UntrustedText.forDisplay("abcdefgh", 5)).isEqualTo("abcd\u2026");
        assertThat(UntrustedText.forDisplay("abc\ud83d\ude00xyz", 5)).isEqualTo("abc\u2026");
        assertThat(UntrustedText.forDisplay("abcde", 5)).isEqualTo("abcde");
    }
}
