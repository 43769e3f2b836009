package dev.conduit.broker.salesforce;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * The {@code id} field of a Salesforce token response: {@code https://login.salesforce.com/id/{orgId}/{userId}}.
 * The organization id and user id of the connection come from it.
 */
public record SalesforceIdentityUrl(String organizationId, String userId) {

    private static final Pattern SALESFORCE_ID = Pattern.compile("[a-zA-Z0-9]{15}|[a-zA-Z0-9]{18}");

    public static SalesforceIdentityUrl parse(String idUrl) {
        if (idUrl == null || idUrl.isBlank()) {
            throw new IllegalArgumentException("token response has no identity URL ('id')");
        }
        String path;
        try {
            path = URI.create(idUrl).getPath();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("identity URL is not a URL");
        }
        String[] parts = path == null ? new String[0] : path.split("/");
        // ["", ..., "id", orgId, userId]
        int n = parts.length;
        if (n < 3 || !"id".equals(parts[n - 3])
                || !SALESFORCE_ID.matcher(parts[n - 2]).matches()
                || !SALESFORCE_ID.matcher(parts[n - 1]).matches()) {
            throw new IllegalArgumentException("identity URL does not end in /id/{orgId}/{userId}");
        }
        return new SalesforceIdentityUrl(parts[n - 2], parts[n - 1]);
    }
}
