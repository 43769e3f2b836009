package dev.conduit.console;

/** Fills the page template's placeholders, HTML-escaped. */
public final class ConsolePage {

    private ConsolePage() {
    }

    public static String render(String template, String realm, String clientId, String patternflyBase) {
        return template.replace("{{realm}}", escape(realm))
                .replace("{{clientId}}", escape(clientId))
                .replace("{{patternfly}}", escape(patternflyBase));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
