package dev.conduit.api.vault;

import java.util.Set;

/**
 * An upstream access token ready to use, with what an app needs beside it: expiry (epoch seconds), granted
 * scopes, Salesforce's instance URL, the upstream account and organization (HubSpot hub id, Salesforce org id).
 * Never carries the refresh token. {@link #toString()} never shows the access token.
 */
public record FreshToken(String connectionId, String providerId, String alias, String accessToken, long expiresAt,
        Set<String> scopes, String instanceUrl, String accountId, String organizationId) {

    @Override
    public String toString() {
        return "FreshToken[" + alias + ", connection=" + connectionId + ", expiresAt=" + expiresAt + ", scopes=" + scopes + "]";
    }
}
