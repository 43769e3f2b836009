package dev.conduit.api.support;

/**
 * Untrusted text (a callback's {@code iss} or {@code error}, a provider's {@code error_description}) made safe
 * for a log line or an event detail: control and line-breaking characters (CR, LF, NUL, C1, U+2028/9, bidi
 * overrides) and backslashes are escaped as {@code \n}, {@code \r}, {@code \t}, {@code \\} or {@code \}{@code uXXXX},
 * so a value can neither forge a log line nor hide what follows; then it is cut to a bound, with the number of
 * characters left off. The result is printable ASCII-safe text of at most {@code max} characters plus the marker.
 */
public final class UntrustedText {

    /** Enough for any issuer URL or OAuth error code worth reading. */
    public static final int DEFAULT_MAX = 200;

    private UntrustedText() {
    }

    public static String forLog(String value) {
        return forLog(value, DEFAULT_MAX);
    }

    /** @return null for null; otherwise the escaped text, at most {@code max} characters before the cut marker */
    public static String forLog(String value, int max) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), max) + 24);
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            String piece = escape(c);
            if (out.length() + piece.length() > max) {
                break;
            }
            out.append(piece);
            i++;
        }
        if (i < value.length()) {
            out.append("...(").append(value.length() - i).append(" more chars)");
        }
        return out.toString();
    }

    /**
     * A provider's text meant to be shown to people (an account's display name or e-mail), made safe to store and
     * show: control, line-breaking, zero-width and bidi-control characters and lone surrogates removed, runs of
     * whitespace made one space, trimmed, then cut to {@code max} characters (never inside a surrogate pair) with
     * an ellipsis. Letters of any script and emoji stay. Pages must still insert the result as text, never as HTML.
     *
     * @return null for null or for text with nothing printable left
     */
    public static String forDisplay(String value, int max) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), max + 1));
        boolean space = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                appendPending(out, space);
                space = false;
                out.append(c).append(value.charAt(++i));
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = true;
            } else if (!needsEscape(c)) {
                appendPending(out, space);
                space = false;
                out.append(c);
            }
        }
        if (out.isEmpty()) {
            return null;
        }
        if (out.length() <= max) {
            return out.toString();
        }
        int cut = Math.max(0, max - 1);
        if (cut > 0 && Character.isHighSurrogate(out.charAt(cut - 1))) {
            cut--;
        }
        return out.substring(0, cut).stripTrailing() + "\u2026";
    }

    private static void appendPending(StringBuilder out, boolean space) {
        if (space && !out.isEmpty()) {
            out.append(' ');
        }
    }

    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\\' -> "\\\\";
            default -> needsEscape(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        };
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028' || c == '\u2029' || c == '\u0085'
                || (c >= '\u200b' && c <= '\u200f') || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\ufeff' || Character.isSurrogate(c);
    }
}
