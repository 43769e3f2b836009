package dev.conduit.demoapp;

import static dev.conduit.demoapp.Text.html;

import java.util.List;

/**
 * The app's one page, rendered on the server. Every value that is not this class's own text goes through
 * {@link Text#html}: names, accounts and records come from Keycloak and the providers, and are untrusted.
 */
final class Page {

    /** An organization the person belongs to, with its connections when they are one of its Conduit admins. */
    record OrganizationView(String alias, Connections connections, String note) {
    }

    /** What the signed-in page shows. {@code connectionsNote} replaces the table when the list could not be read. */
    record SignedIn(DemoSession.SignedInPerson person, String csrf, Connections connections, String connectionsNote,
            List<OrganizationView> organizations, FetchResult lastFetch, String message) {
    }

    private Page() {
    }

    static String signedOut(String message) {
        StringBuilder page = start("Conduit demo app");
        page.append("<main><h1>Conduit demo app</h1>");
        message(page, message);
        page.append("<p>An internal app that reads your CRM contacts and calendar with the upstream tokens Conduit ")
                .append("keeps for you. Sign in through Keycloak: with your password, or with Salesforce, HubSpot ")
                .append("or Google on the login page.</p>")
                .append("<p><a class=\"button primary\" id=\"sign-in\" href=\"/login\">Sign in</a></p><p>Or straight ")
                .append("through a provider, which also connects it:</p><p>");
        for (ProviderApi api : ProviderApi.values()) {
            page.append("<a class=\"button\" id=\"sign-in-").append(api.alias()).append("\" href=\"/login?provider=")
                    .append(api.alias()).append("\">Sign in with ").append(html(api.displayName())).append("</a>");
        }
        page.append("</p></main>");
        return end(page);
    }

    static String signedIn(SignedIn view) {
        StringBuilder page = start("Conduit demo app");
        DemoSession.SignedInPerson person = view.person();
        page.append("<header><span>Conduit demo app</span><span>Signed in as <b id=\"person\">")
                .append(html(person.name().isBlank() ? person.username() : person.name())).append("</b>");
        if (!person.username().isBlank() && !person.username().equals(person.name())) {
            page.append(" (<span id=\"username\">").append(html(person.username())).append("</span>)");
        }
        page.append(" <form method=\"post\" action=\"/logout\" class=\"inline\">").append(csrf(view.csrf()))
                .append("<button type=\"submit\" id=\"sign-out\">Sign out</button></form></span></header><main>");
        message(page, view.message());

        page.append("<section id=\"my-connections\"><h2>Your connections</h2>");
        if (view.connectionsNote() != null) {
            page.append("<p class=\"note\">").append(html(view.connectionsNote())).append("</p>");
        }
        connectionsTable(page, view.connections(), view.csrf(), null);
        fetchButtons(page, view.csrf(), null);
        page.append("</section>");

        for (OrganizationView organization : view.organizations()) {
            String org = organization.alias();
            page.append("<section class=\"organization\" id=\"organization-").append(html(org)).append("\"><h2>")
                    .append(html(org)).append("'s connections</h2>");
            if (organization.note() != null) {
                page.append("<p class=\"note\">").append(html(organization.note())).append("</p>");
            }
            if (organization.connections() != null) {
                connectionsTable(page, organization.connections(), view.csrf(), org);
            }
            fetchButtons(page, view.csrf(), org);
            page.append("</section>");
        }

        if (view.lastFetch() != null) {
            result(page, view.lastFetch(), view.csrf());
        }
        page.append("</main>");
        return end(page);
    }

    private static void connectionsTable(StringBuilder page, Connections connections, String csrf, String organization) {
        String prefix = organization == null ? "" : organization + "-";
        page.append("<table class=\"connections\"><thead><tr><th>Provider</th><th>Status</th><th>Account</th>")
                .append("<th>Access</th><th></th></tr></thead><tbody>");
        for (ProviderApi api : ProviderApi.values()) {
            Connections.Connection connection = connections == null ? null : connections.of(api.alias());
            page.append("<tr class=\"connection\" id=\"connection-").append(html(prefix + api.alias())).append("\"><td>")
                    .append(html(api.displayName())).append("</td><td class=\"status\">");
            if (connection == null) {
                page.append("not connected</td><td></td><td></td><td>");
                linkButton(page, csrf, "connect", api, organization, "connect-" + prefix + api.alias(), "Connect", null);
            } else {
                page.append(html(connection.status()));
                if (connection.reason() != null) {
                    page.append("<br><small>").append(html(connection.reason())).append("</small>");
                }
                page.append("</td><td>").append(html(connection.account())).append("</td><td>")
                        .append(html(connection.summary() != null ? connection.summary() : connection.access()))
                        .append("</td><td>");
                if (connection.needsReconnect()) {
                    linkButton(page, csrf, "reconnect", api, organization, "reconnect-" + prefix + api.alias(), "Reconnect", null);
                }
                linkButton(page, csrf, "grant", api, organization, "grant-" + prefix + api.alias(), "Grant more access",
                        null);
                page.append("<small class=\"more\">asks for ").append(html(api.moreAccessLabel())).append("</small>");
            }
            page.append("</td></tr>");
        }
        page.append("</tbody></table>");
    }

    private static void fetchButtons(StringBuilder page, String csrf, String organization) {
        String prefix = organization == null ? "" : organization + "-";
        page.append("<div class=\"fetch\">");
        for (ProviderApi api : ProviderApi.values()) {
            page.append("<form method=\"post\" action=\"/fetch\" class=\"inline\">").append(csrf(csrf))
                    .append(hidden("provider", api.alias()));
            if (organization != null) {
                page.append(hidden("organization", organization));
            }
            page.append("<button type=\"submit\" class=\"primary\" id=\"fetch-").append(html(prefix + api.alias()))
                    .append("\">").append(html(organization == null ? api.fetchLabel()
                            : api.fetchLabel().replace("my", organization + "'s"))).append("</button></form>");
        }
        page.append("</div>");
    }

    private static void linkButton(StringBuilder page, String csrf, String kind, ProviderApi api, String organization,
            String id, String label, String scopes) {
        page.append("<form method=\"post\" action=\"/connect\" class=\"inline\">").append(csrf(csrf))
                .append(hidden("kind", kind)).append(hidden("provider", api.alias()));
        if (organization != null) {
            page.append(hidden("organization", organization));
        }
        if (scopes != null) {
            page.append(hidden("scopes", scopes));
        }
        page.append("<button type=\"submit\" id=\"").append(html(id)).append("\">").append(html(label))
                .append("</button></form>");
    }

    private static void result(StringBuilder page, FetchResult result, String csrf) {
        ProviderApi api = result.api();
        page.append("<section id=\"result\"><h2>").append(html(api.displayName())).append(' ')
                .append(html(api.recordsName()));
        if (result.organization() != null) {
            page.append(" (").append(html(result.organization())).append("'s connection)");
        }
        page.append("</h2><p id=\"outcome\" class=\"outcome ").append(result.outcome().name().toLowerCase(java.util.Locale.ROOT))
                .append("\">").append(html(result.sentence())).append("</p>");
        if (result.fix() != null) {
            Authorization.Purpose fix = result.fix();
            String kind = switch (fix.kind()) {
                case CONNECT -> "connect";
                case RECONNECT -> "reconnect";
                case GRANT_MORE -> "grant";
                case SIGN_IN -> throw new IllegalStateException("a refusal is never fixed by signing in");
            };
            String label = switch (fix.kind()) {
                case CONNECT -> "Connect " + api.displayName();
                case RECONNECT -> "Reconnect " + api.displayName();
                default -> "Grant more access";
            };
            linkButton(page, csrf, kind, api, fix.organization(), "fix-" + kind + "-" + api.alias(), label, fix.extraScopes());
        }
        page.append("<div class=\"result\"><div class=\"records\">");
        if (result.hasRecords()) {
            page.append("<table id=\"records\"><thead><tr>");
            for (String column : api.columns()) {
                page.append("<th>").append(html(column)).append("</th>");
            }
            page.append("</tr></thead><tbody>");
            for (List<String> row : result.rows()) {
                page.append("<tr class=\"record\">");
                for (String cell : row) {
                    page.append("<td>").append(html(cell)).append("</td>");
                }
                page.append("</tr>");
            }
            page.append("</tbody></table>");
        }
        page.append("</div><aside id=\"exchange\">");
        int number = 1;
        for (FetchResult.Step step : result.steps()) {
            ExchangeView exchange = step.exchange();
            page.append("<div class=\"step\"><h3>Token exchange ").append(number++).append(" (RFC 8693)</h3>")
                    .append("<h4>Request</h4><pre class=\"exchange-request\">").append(html(exchange.requestText()))
                    .append("</pre><h4>Answer").append(exchange.status() == 0 ? "" : " (HTTP " + exchange.status() + ")")
                    .append("</h4><pre class=\"exchange-answer\">").append(html(exchange.answer())).append("</pre>");
            ApiCall call = step.call();
            if (call != null) {
                page.append("<h4>").append(html(api.displayName())).append(" API call</h4><pre class=\"api-request\">")
                        .append(html(call.requestText())).append("</pre><p class=\"api-status\">")
                        .append(call.status() == 0 ? html(call.failure()) : "HTTP " + call.status()).append("</p>");
                if (call.status() != 200 && call.body() != null) {
                    page.append("<pre class=\"api-answer\">").append(html(call.body())).append("</pre>");
                }
            }
            page.append("</div>");
        }
        page.append("</aside></div></section>");
    }

    private static void message(StringBuilder page, String message) {
        if (message != null) {
            page.append("<p id=\"message\" class=\"message\">").append(html(message)).append("</p>");
        }
    }

    private static String csrf(String token) {
        return hidden("csrf", token);
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + html(name) + "\" value=\"" + html(value) + "\">";
    }

    static String error(String title, String sentence) {
        StringBuilder page = start(title);
        page.append("<main><h1>").append(html(title)).append("</h1><p id=\"message\" class=\"message\">")
                .append(html(sentence)).append("</p><p><a class=\"button\" href=\"/\">Back to the app</a></p></main>");
        return end(page);
    }

    private static StringBuilder start(String title) {
        return new StringBuilder(8192).append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
                .append(html(title)).append("</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>");
    }

    private static String end(StringBuilder page) {
        return page.append("</body></html>").toString();
    }
}
