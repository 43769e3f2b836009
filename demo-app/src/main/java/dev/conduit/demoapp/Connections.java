package dev.conduit.demoapp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Connections as Conduit's {@code conduit-my-connections} endpoint lists them, read tolerantly: fields may be
 * added (account name and e-mail, provider name, permissions, summary, action) or missing, and nothing but the
 * provider alias is required. Every value is untrusted text (it comes from the providers): escape it.
 */
record Connections(List<Connection> connections) {

    /** One connection as the page shows it. */
    record Connection(String provider, String status, String account, String summary, String access, String reason,
            boolean needsReconnect) {
    }

    static Connections read(JsonNode list) {
        List<Connection> connections = new ArrayList<>();
        if (list != null && list.isArray()) {
            for (JsonNode node : list) {
                String provider = text(node, "provider");
                if (provider != null) {
                    connections.add(connection(node, provider));
                }
            }
        }
        return new Connections(List.copyOf(connections));
    }

    private static Connection connection(JsonNode node, String provider) {
        String status = text(node, "status");
        String account = first(text(node, "accountName"), text(node, "accountEmail"), text(node, "accountId"));
        String action = text(node, "action");
        boolean reconnect = "RECONNECT_REQUIRED".equals(status) || "UNDECRYPTABLE".equals(status)
                || action != null && action.toLowerCase(Locale.ROOT).contains("reconnect");
        return new Connection(provider, status == null ? "unknown" : status, account, text(node, "summary"),
                access(node), text(node, "reason"), reconnect);
    }

    /** The permissions' labels when the endpoint gives them, else the granted scopes. */
    private static String access(JsonNode node) {
        List<String> shown = new ArrayList<>();
        JsonNode permissions = node.path("permissions");
        if (permissions.isArray()) {
            permissions.forEach(p -> {
                String label = p.isTextual() ? p.asText() : first(text(p, "label"), text(p, "name"));
                if (label != null) {
                    shown.add(label);
                }
            });
        }
        if (shown.isEmpty() && node.path("scopes").isArray()) {
            node.path("scopes").forEach(s -> shown.add(s.asText()));
        }
        return shown.isEmpty() ? null : String.join(", ", shown);
    }

    Connection of(String provider) {
        return connections.stream().filter(c -> c.provider().equals(provider)).findFirst().orElse(null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isContainerNode() || value.asText().isBlank() ? null : value.asText();
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
