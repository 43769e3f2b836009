package dev.conduit.sandbox;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The sandbox's login-and-consent page: pick an upstream account, then allow or deny. */
final class ConsentPage {

    private static final Set<String> CARRIED = Set.of("client_id", "redirect_uri", "response_type", "state", "scope",
            "code_challenge", "code_challenge_method", "nonce", "prompt", "access_type", "include_granted_scopes",
            "hd", "optional_scope", "optional_scopes", "login_hint");

    private ConsentPage() {
    }

    static String render(Provider provider, Map<String, String> params, List<Account> accounts) {
        StringBuilder html = new StringBuilder(2048);
        String title = switch (provider) {
            case SALESFORCE -> "Salesforce (sandbox)";
            case HUBSPOT -> "HubSpot (sandbox)";
            case GOOGLE -> "Google (sandbox)";
        };
        html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(title)
                .append(" - Allow access?</title><style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}"
                        + "button{margin:.5rem .5rem 0 0;padding:.5rem 1rem}</style></head><body>")
                .append("<h1 id=\"provider\">").append(title).append("</h1>")
                .append("<p>The application <b id=\"client\">").append(escape(params.get("client_id")))
                .append("</b> asks for: <code id=\"scopes\">").append(escape(params.getOrDefault("scope", "")))
                .append("</code></p><form method=\"post\" id=\"consent\">")
                .append("<label for=\"account\">Log in as</label> <select name=\"account\" id=\"account\">");
        for (Account account : accounts) {
            html.append("<option value=\"").append(escape(account.userId())).append("\">")
                    .append(escape(account.displayName())).append(" &lt;").append(escape(account.email()))
                    .append("&gt;</option>");
        }
        html.append("</select><br>");
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (CARRIED.contains(e.getKey()) && e.getValue() != null) {
                html.append("<input type=\"hidden\" name=\"").append(escape(e.getKey())).append("\" value=\"")
                        .append(escape(e.getValue())).append("\">");
            }
        }
        html.append("<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>")
                .append("<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>")
                .append("</form></body></html>");
        return html.toString();
    }

    static String error(String message) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Error</title></head><body>"
                + "<h1>Error</h1><p id=\"error\">" + escape(message) + "</p></body></html>";
    }

    static String escape(String value) {
        if (value == null) {
            return "";
        }
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
