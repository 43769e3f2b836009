package dev.conduit.api.grant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class UpstreamGrantTest {

    private static UpstreamGrant grant(String access, String refresh, Set<String> scopes) {
        return new UpstreamGrant("conduit-google", "google", "sub", "acme.example", null, access, refresh, 100, 3700, scopes, "Alan Turing", "alan@acme.example");
    }

    @Test
    void aResponseWithoutRefreshTokenKeepsTheOneHeld() {
        String heldRefresh = UUID.randomUUID().toString();
        UpstreamGrant merged = grant("new-access", null, Set.of("openid")).keepingRefreshTokenOf(grant("old", heldRefresh, Set.of()));
        assertThat(merged.refreshToken()).isEqualTo(heldRefresh);
        assertThat(merged.accessToken()).isEqualTo("new-access");
    }

    @Test
    void aNewRefreshTokenReplacesTheOldOneAndScopesFollowTheNewGrantEvenWhenTheyShrink() {
        UpstreamGrant merged = grant("a2", "r2", Set.of("openid")).keepingRefreshTokenOf(grant("a1", "r1", Set.of("openid", "calendar")));
        assertThat(merged.refreshToken()).isEqualTo("r2");
        assertThat(merged.scopes()).containsExactly("openid");
    }

    @Test
    void toStringShowsNoToken() {
        String access = UUID.randomUUID().toString();
        String refresh = UUID.randomUUID().toString();
        assertThat(grant(access, refresh, Set.of()).toString()).doesNotContain(access).doesNotContain(refresh).contains("present");
    }

    @Test
    void toStringShowsNoNameOrEmail() {
        assertThat(grant("a", "r", Set.of()).toString()).doesNotContain("Alan").doesNotContain("alan@");
    }

    @Test
    void theAccountsNameAndEmailAreCleanedAndBoundedAndSurviveMergesAndTokenlessCopies() {
        UpstreamGrant hostile = new UpstreamGrant("conduit-salesforce", "salesforce", "005", "00D", null, "a", "r", 0, 1,
                Set.of(), "Eve\n\u202eevil\u0000 " + "x".repeat(500), "eve@evil.example\r\n");
        assertThat(hostile.accountName()).startsWith("Eve evil x").doesNotContain("\n").doesNotContain("\u202e")
                .doesNotContain("\u0000").hasSize(UpstreamGrant.MAX_ACCOUNT_NAME).endsWith("\u2026");
        assertThat(hostile.accountEmail()).isEqualTo("eve@evil.example");
        assertThat(hostile.withoutTokens().accountName()).isEqualTo(hostile.accountName());
        UpstreamGrant merged = new UpstreamGrant("conduit-salesforce", "salesforce", "005", "00D", null, "a2", null, 0, 1,
                Set.of(), "Eve", "eve@evil.example").keepingRefreshTokenOf(hostile);
        assertThat(merged.refreshToken()).isEqualTo("r");
        assertThat(merged.accountName()).isEqualTo("Eve");
    }

    @Test
    void scopesParseSpaceOrCommaSeparatedLists() {
        assertThat(Scopes.parse(" api  refresh_token,openid ")).containsExactly("api", "refresh_token", "openid");
        assertThat(Scopes.parse(null)).isEmpty();
    }
}
