package dev.conduit.broker.organization;

import java.util.ArrayList;
import java.util.List;

/**
 * An upstream account as the confirmation page names it: the provider's account id, the login name when the provider
 * gave one, and the tenant (Salesforce org id and instance, HubSpot hub id, Google Workspace domain). Text from the
 * provider is bounded here; the page template escapes it.
 */
public record ConnectedAccount(String accountId, String username, String tenant, String instanceUrl) {

    static final int MAX_LENGTH = 200;

    public ConnectedAccount {
        accountId = bounded(accountId);
        username = bounded(username);
        tenant = bounded(tenant);
        instanceUrl = bounded(instanceUrl);
    }

    /** One line for the page and the event details, e.g. {@code annie@acme.example (0055g..., org 00D5g..., https://acme.my.salesforce.com)}. */
    public String describe() {
        List<String> details = new ArrayList<>();
        if (accountId != null) {
            details.add("account " + accountId);
        }
        if (tenant != null) {
            details.add("tenant " + tenant);
        }
        if (instanceUrl != null) {
            details.add(instanceUrl);
        }
        String inner = String.join(", ", details);
        if (username == null) {
            return inner.isEmpty() ? "unknown account" : inner;
        }
        return inner.isEmpty() ? username : username + " (" + inner + ")";
    }

    static String bounded(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        StringBuilder clean = new StringBuilder();
        value.strip().codePoints().filter(c -> !Character.isISOControl(c)).limit(MAX_LENGTH).forEach(clean::appendCodePoint);
        return clean.isEmpty() ? null : clean.toString();
    }
}
