package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conduit.api.grant.UpstreamGrant;
import org.junit.jupiter.api.Test;

class StoredTokensTest {

    private static final long NOW = 1_800_000_000L;

    @Test
    void keycloaksStoredTokenResponseGivesTokensScopesAndInstanceUrlDueNow() {
        String stored = "{\"access_token\":\"at-1\",\"expires_in\":7200,\"refresh_expires_in\":0,\"refresh_token\":\"rt-1\","
                + "\"token_type\":\"Bearer\",\"not-before-policy\":0,\"scope\":\"api refresh_token\","
                + "\"instance_url\":\"https://eu.example.my.salesforce.com\",\"id\":\"https://login.example/id/00D/005\"}";

        UpstreamGrant grant = StoredTokens.grant(stored, "conduit-salesforce", "salesforce", "005A", NOW).orElseThrow();

        assertThat(grant.accessToken()).isEqualTo("at-1");
        assertThat(grant.refreshToken()).isEqualTo("rt-1");
        assertThat(grant.scopes()).containsExactly("api", "refresh_token");
        assertThat(grant.instanceUrl()).isEqualTo("https://eu.example.my.salesforce.com");
        assertThat(grant.providerId()).isEqualTo("conduit-salesforce");
        assertThat(grant.providerAlias()).isEqualTo("salesforce");
        assertThat(grant.accountId()).isEqualTo("005A");
        // Keycloak keeps no time with the response: expires_in counts from an unknown moment, so it is due now
        assertThat(grant.issuedAt()).isEqualTo(NOW);
        assertThat(grant.expiresAt()).isEqualTo(NOW);
    }

    @Test
    void aResponseWithoutRefreshTokenOrScopeStillMoves() {
        UpstreamGrant grant = StoredTokens.grant("{\"access_token\":\"at-2\"}", "conduit-hubspot", "hubspot", "7", NOW)
                .orElseThrow();

        assertThat(grant.hasRefreshToken()).isFalse();
        assertThat(grant.scopes()).isEmpty();
        assertThat(grant.instanceUrl()).isNull();
    }

    @Test
    void whatIsNoTokenResponseIsUnparseable() {
        assertThat(StoredTokens.grant("not json at all", "p", "a", "u", NOW)).isEmpty();
        assertThat(StoredTokens.grant("{\"refresh_token\":\"rt\"}", "p", "a", "u", NOW)).isEmpty();
        assertThat(StoredTokens.grant("[1,2]", "p", "a", "u", NOW)).isEmpty();
        assertThat(StoredTokens.grant("", "p", "a", "u", NOW)).isEmpty();
        assertThat(StoredTokens.grant(null, "p", "a", "u", NOW)).isEmpty();
    }
}
