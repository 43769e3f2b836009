package dev.conduit.vault.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.upstream.TokenAnswer;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

/** A server connection's attempt: the mint's answer read by the kind, the previous key of an overlap, a static token's health. */
class ServerMintTest {

    private static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");
    private final Deque<TokenAnswer> answers = new ArrayDeque<>();
    private final Deque<Integer> healthStatuses = new ArrayDeque<>();
    private final List<String> signedWith = new ArrayList<>();
    private final List<String> subjects = new ArrayList<>();
    private final List<String> checkedWith = new ArrayList<>();

    private final ServerMint.Endpoint endpoint = new ServerMint.Endpoint() {
        @Override
        public TokenAnswer mint(MintRequest request) {
            signedWith.add(request.form().get("signed_with"));
            subjects.add(request.form().get("sub"));
            return answers.removeFirst();
        }

        @Override
        public int check(String url, String bearerToken) {
            checkedWith.add(bearerToken);
            return healthStatuses.removeFirst();
        }
    };

    private ServerMint mint(FakeKind kind, Map<String, String> sealed) {
        ServerCredential credential = new ServerCredential(kind.id(), Map.of("username", "integration@acme.test"), sealed,
                kind.staticToken(new ServerCredential(kind.id(), Map.of(), sealed, Set.of())).isPresent() ? Set.of("crm.read") : Set.of());
        return new ServerMint(kind, new IdentityProviderModel(), credential, endpoint, () -> NOW);
    }

    private static TokenAnswer refused(int status, String error, String description) {
        return TokenAnswer.parse(status, "{\"error\":\"" + error + "\",\"error_description\":\"" + description + "\"}", null);
    }

    @Test
    void aGrantedMintWithoutExpiresInLivesTheKindsLifetime() {
        answers.add(TokenAnswer.parse(200, "{\"access_token\":\"00D!minted\",\"instance_url\":\"https://acme.test\",\"scope\":\"api\"}", null));

        TokenAnswer.Granted granted = (TokenAnswer.Granted) mint(FakeKind.minted(), Map.of("private_key", "key-1")).attempt();

        assertThat(granted.accessToken()).isEqualTo("00D!minted");
        assertThat(granted.expiresIn()).isEqualTo(7200);
        assertThat(granted.refreshToken()).isNull();
        assertThat(granted.instanceUrl()).isEqualTo("https://acme.test");
        assertThat(granted.scopes()).containsExactly("api");
    }

    @Test
    void aRefusalAnAdminMustFixIsActionRequiredInTheKindsWords() {
        answers.add(refused(400, "invalid_grant", "user hasn't approved this consumer"));

        TokenAnswer.Refused refused = (TokenAnswer.Refused) mint(FakeKind.minted(), Map.of("private_key", "key-1")).attempt();

        assertThat(refused.failure()).isEqualTo(RefreshFailure.ACTION_REQUIRED);
        assertThat(refused.error()).isEqualTo("user_not_pre_authorized");
        assertThat(refused.description()).isEqualTo("pre-authorize the user");
        assertThat(signedWith).hasSize(1);
    }

    @Test
    void anOutageStaysTransient() {
        answers.add(refused(503, "temporarily_unavailable", "down"));
        answers.add(TokenAnswer.unreachable("timed out"));

        ServerMint mint = mint(FakeKind.minted(), Map.of("private_key", "key-1"));

        assertThat(((TokenAnswer.Refused) mint.attempt()).failure()).isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(((TokenAnswer.Refused) mint.attempt()).failure()).isEqualTo(RefreshFailure.TRANSIENT);
    }

    @Test
    void aNewKeyTheProviderDoesNotKnowYetIsRetriedOnceWithThePreviousKey() {
        answers.add(refused(400, "invalid_grant", "invalid assertion"));
        answers.add(TokenAnswer.parse(200, "{\"access_token\":\"00D!old-key\"}", null));
        ServerMint mint = mint(FakeKind.minted(), Map.of("private_key", "new-key", ServerMint.PREVIOUS_PRIVATE_KEY, "old-key"));

        TokenAnswer answer = mint.attempt();

        assertThat(answer).isInstanceOf(TokenAnswer.Granted.class);
        assertThat(signedWith).containsExactly("new-key", "old-key");
        assertThat(mint.previousKeyMinted()).isTrue();
    }

    @Test
    void withoutAPreviousKeyAnUnknownCertificateIsNotRetried() {
        answers.add(refused(400, "invalid_grant", "invalid assertion"));
        ServerMint mint = mint(FakeKind.minted(), Map.of("private_key", "new-key"));

        assertThat(((TokenAnswer.Refused) mint.attempt()).error()).isEqualTo("assertion_refused");
        assertThat(signedWith).containsExactly("new-key");
        assertThat(mint.previousKeyMinted()).isFalse();
    }

    @Test
    void aPerUserMintActsAsItsSubjectAndARefusalOfThatUserAloneSaysSo() {
        answers.add(refused(400, "invalid_grant", "Invalid email or User ID"));
        answers.add(refused(400, "invalid_grant", "user hasn't approved this consumer"));
        ServerCredential credential = new ServerCredential("test-jwt", Map.of(), Map.of("private_key", "key-1"), Set.of());
        ServerMint mint = new ServerMint(FakeKind.minted(), new IdentityProviderModel(), credential, endpoint, () -> NOW,
                "betty@acme.example");

        assertThat(((TokenAnswer.Refused) mint.attempt()).failure()).isEqualTo(RefreshFailure.ACTION_REQUIRED);
        assertThat(mint.subjectOnlyRefusal()).as("that user only").isTrue();
        assertThat(((TokenAnswer.Refused) mint.attempt()).failure()).isEqualTo(RefreshFailure.ACTION_REQUIRED);
        assertThat(mint.subjectOnlyRefusal()).as("the whole connection").isFalse();
        assertThat(subjects).containsExactly("betty@acme.example", "betty@acme.example");
    }

    @Test
    void aStaticTokenIsCheckedNotMintedAndARefusalNeedsAnAdmin() {
        healthStatuses.addAll(List.of(200, 401));
        ServerMint mint = mint(FakeKind.staticToken(), Map.of("access_token", "pat-na1-one"));

        TokenAnswer.Granted healthy = (TokenAnswer.Granted) mint.attempt();
        assertThat(healthy.accessToken()).isEqualTo("pat-na1-one");
        assertThat(healthy.expiresIn()).isEqualTo(ServerMint.STATIC_LIFETIME_SECONDS);
        assertThat(healthy.scopes()).containsExactly("crm.read");

        TokenAnswer.Refused refused = (TokenAnswer.Refused) mint.attempt();
        assertThat(refused.failure()).isEqualTo(RefreshFailure.ACTION_REQUIRED);
        assertThat(refused.error()).isEqualTo("token_refused");
        assertThat(checkedWith).containsExactly("pat-na1-one", "pat-na1-one");
        assertThat(signedWith).isEmpty();
    }
}
