package dev.conduit.api.grant;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.conduit.api.support.UntrustedText;

/**
 * What one upstream token response gave Conduit: the tokens, their lifetime, the granted scopes and
 * the provider metadata the rest of Conduit needs (Salesforce instance URL, organization identity), and the
 * account's display name and e-mail as the provider's identity answer gave them (for people's pages; not secret,
 * but the provider's text: cleaned and bounded here by {@link UntrustedText#forDisplay}, never logged).
 *
 * <p>Times are epoch seconds. {@link #toString()} never shows a token, a name or an e-mail.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UpstreamGrant(
        String providerId,
        String providerAlias,
        String accountId,
        String organizationId,
        String instanceUrl,
        String accessToken,
        String refreshToken,
        long issuedAt,
        long expiresAt,
        Set<String> scopes,
        String accountName,
        String accountEmail) {

    /** Longest display name kept, in characters. */
    public static final int MAX_ACCOUNT_NAME = 200;
    /** Longest e-mail kept (RFC 5321's path limit). */
    public static final int MAX_ACCOUNT_EMAIL = 254;

    public UpstreamGrant {
        scopes = scopes == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(scopes));
        accountName = UntrustedText.forDisplay(accountName, MAX_ACCOUNT_NAME);
        accountEmail = UntrustedText.forDisplay(accountEmail, MAX_ACCOUNT_EMAIL);
    }

    public boolean hasRefreshToken() {
        return refreshToken != null && !refreshToken.isBlank();
    }

    /**
     * The grant to keep after a new authorization: the new response wins, except that a response
     * without a refresh token (Google re-consent, HubSpot and Salesforce refresh answers) never erases
     * the refresh token Conduit already holds.
     */
    public UpstreamGrant keepingRefreshTokenOf(UpstreamGrant previous) {
        if (hasRefreshToken() || previous == null || !previous.hasRefreshToken()) {
            return this;
        }
        return new UpstreamGrant(providerId, providerAlias, accountId, organizationId, instanceUrl,
                accessToken, previous.refreshToken(), issuedAt, expiresAt, scopes, accountName, accountEmail);
    }

    /** The same grant's metadata (provider, account, tenant, scopes, times) with both tokens left out. */
    public UpstreamGrant withoutTokens() {
        return new UpstreamGrant(providerId, providerAlias, accountId, organizationId, instanceUrl, null, null,
                issuedAt, expiresAt, scopes, accountName, accountEmail);
    }

    @Override
    public String toString() {
        return "UpstreamGrant[provider=" + providerAlias + ", account=" + accountId + ", organization="
                + organizationId + ", scopes=" + scopes + ", expiresAt=" + expiresAt
                + ", refreshToken=" + (hasRefreshToken() ? "present" : "absent") + "]";
    }
}
