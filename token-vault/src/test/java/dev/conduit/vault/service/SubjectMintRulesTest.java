package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.conduit.api.server.MintRefusal;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.NamedServerGrantKind;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.vault.refresh.Backoff;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.refresh.RefreshSchedule;
import dev.conduit.vault.refresh.RefusalPolicy;
import dev.conduit.vault.service.SubjectMintRules.After;
import dev.conduit.vault.service.SubjectMintRules.Cached;
import dev.conduit.vault.service.SubjectMintRules.Step;
import dev.conduit.vault.upstream.TokenAnswer;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

/** What {@link SubjectMintRules} decides for a per-user server connection's subject (Google's domain-wide delegation). */
class SubjectMintRulesTest {

    private static final long NOW = 1_800_000_000L;
    private static final String NODE = "node-a/";
    /** Lease 40 s, 3 inline attempts, backoff capped at 2 s: a wait gives up after 3 * 40 + 2 * 2 + 3 = 127 s. */
    private static final RefreshPolicy POLICY = new RefreshPolicy(RefreshSchedule.defaults(), 21600, 3,
            new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), () -> 1.0),
            new Backoff(Duration.ofSeconds(30), Duration.ofHours(1), () -> 1.0),
            new RefusalPolicy(3, Duration.ofMinutes(15), Duration.ofSeconds(30)), 40);
    private static final SubjectMintRules RULES = new SubjectMintRules(POLICY, NODE);
    private static final ServerCredential CREDENTIAL = new ServerCredential("test-per-user",
            Map.of("domain", "acme.example", "subject_clients", "sync-job"), Map.of(), Set.of("calendar"));

    @Test
    void aKindThatTellsSubjectsApartByCaseMakesEverySpellingOneSubject() {
        PerUserKind caseless = new PerUserKind(true);

        assertThat(SubjectMintRules.subject(caseless, "Alice@Acme.Example"))
                .isEqualTo(SubjectMintRules.subject(caseless, "alice@acme.example")).isEqualTo("alice@acme.example");
        assertThat(SubjectMintRules.subject(caseless, "ALICE@ACME.EXAMPLE")).isEqualTo("alice@acme.example");
        // a kind that keeps the spelling keeps it, and no subject is the empty one, never null
        assertThat(SubjectMintRules.subject(new PerUserKind(false), "Alice@Acme.Example")).isEqualTo("Alice@Acme.Example");
        assertThat(SubjectMintRules.subject(caseless, null)).isEmpty();
    }

    @Test
    void aConnectionServesSubjectsOnlyWhileItServesAndItsProviderOffersItsKind() {
        for (ConnectionStatus serving : new ConnectionStatus[] {ConnectionStatus.HEALTHY, ConnectionStatus.EXPIRING}) {
            assertThat(SubjectMintRules.connectionRefusal(serving, "old error", true, "google", "test-per-user"))
                    .as(serving.name()).isEmpty();
        }
        assertRefusal(SubjectMintRules.connectionRefusal(ConnectionStatus.ACTION_REQUIRED, "delegation_refused: authorize"
                + " the client id", true, "google", "test-per-user"), ConnectionUnavailableException.ACTION_REQUIRED,
                "delegation_refused: authorize the client id");
        assertRefusal(SubjectMintRules.connectionRefusal(ConnectionStatus.REVOKED, null, true, "google", "test-per-user"),
                ConnectionUnavailableException.NOT_CONNECTED, "disconnected");
        assertRefusal(SubjectMintRules.connectionRefusal(ConnectionStatus.RECONNECT_REQUIRED, null, true, "google",
                "test-per-user"), ConnectionUnavailableException.RECONNECT_REQUIRED, "authorized again");
        assertRefusal(SubjectMintRules.connectionRefusal(ConnectionStatus.HEALTHY, null, false, "google", "test-per-user"),
                ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                "provider_not_configured: identity provider google is missing or offers no test-per-user");
        // the status is told first: an admin's refusal stays the answer while the provider is also gone
        assertRefusal(SubjectMintRules.connectionRefusal(ConnectionStatus.ACTION_REQUIRED, null, false, "google",
                "test-per-user"), ConnectionUnavailableException.ACTION_REQUIRED, "until an administrator acts");
    }

    @Test
    void aNamedSubjectNeedsAListedClientAndEverySubjectOneTheKindAccepts() {
        PerUserKind kind = new PerUserKind(true);

        assertThat(SubjectMintRules.subjectRefusal(kind, CREDENTIAL, "alice@acme.example", "sync-job")).isEmpty();
        // Mallory's client is not listed: refused before the subject is even looked at
        assertRefusal(SubjectMintRules.subjectRefusal(kind, CREDENTIAL, "alice@acme.example", "mallory-job"),
                ConnectionUnavailableException.SUBJECT_NOT_ALLOWED, "mallory-job is not listed");
        assertRefusal(SubjectMintRules.subjectRefusal(kind, CREDENTIAL, "mallory@attacker.example", "sync-job"),
                ConnectionUnavailableException.NOT_CONNECTED, "This connection cannot act as you: outside acme.example");
        // the caller's own subject (namedBy null) is not a naming: no client list applies, the subject check does
        assertThat(SubjectMintRules.subjectRefusal(kind, CREDENTIAL, "bob@acme.example", null)).isEmpty();
        assertRefusal(SubjectMintRules.subjectRefusal(kind, CREDENTIAL, "bob@attacker.example", null),
                ConnectionUnavailableException.NOT_CONNECTED, "outside acme.example");
    }

    @Test
    void aCachedTokenServesUntilItIsDueThenThisCallerMints() {
        assertThat(RULES.step(Cached.NONE, NOW)).isEqualTo(Step.MINT);
        assertThat(RULES.step(new Cached(true, NOW + 3599, null, 0), NOW)).isEqualTo(Step.SERVE);
        // the on-demand margin is 60 s: a token expiring within it is minted again
        assertThat(RULES.step(new Cached(true, NOW + 61, null, 0), NOW)).isEqualTo(Step.SERVE);
        assertThat(RULES.step(new Cached(true, NOW + 60, null, 0), NOW)).isEqualTo(Step.MINT);
        assertThat(RULES.step(new Cached(true, NOW - 1, null, 0), NOW)).isEqualTo(Step.MINT);
    }

    @Test
    void anotherNodesLiveLeaseIsWaitedForAndNoOtherLeaseIs() {
        assertThat(RULES.step(new Cached(false, 0, "node-b/lease-1", NOW + 10), NOW)).isEqualTo(Step.WAIT);
        assertThat(RULES.step(new Cached(true, NOW - 1, "node-b/lease-1", NOW + 10), NOW)).isEqualTo(Step.WAIT);
        // a lease that ran out (a node that died mid-mint) is taken over
        assertThat(RULES.step(new Cached(false, 0, "node-b/lease-1", NOW), NOW)).isEqualTo(Step.MINT);
        // this node's own lease: its threads are already one at a time per subject, so a leftover is taken over
        assertThat(RULES.step(new Cached(false, 0, NODE + "lease-2", NOW + 10), NOW)).isEqualTo(Step.MINT);
        // a fresh token serves whatever lease is on the row
        assertThat(RULES.step(new Cached(true, NOW + 3000, "node-b/lease-1", NOW + 10), NOW)).isEqualTo(Step.SERVE);
    }

    @Test
    void theLeaseLastsOneAttemptAndAWaitEndsAfterTheInlineAttemptsCould() {
        assertThat(RULES.leaseUntil(NOW)).isEqualTo(NOW + 40);
        assertThat(RULES.givesUp(NOW, NOW + 127)).isFalse();
        assertThat(RULES.givesUp(NOW, NOW + 128)).isTrue();
    }

    @Test
    void onlyTheMintersOwnLeaseIsReleased() {
        assertThat(SubjectMintRules.releases(NODE + "lease-1", NODE + "lease-1")).isTrue();
        assertThat(SubjectMintRules.releases(NODE + "lease-1", "node-b/lease-9")).isFalse();
        assertThat(SubjectMintRules.releases(NODE + "lease-1", null)).isFalse();
    }

    @Test
    void aGrantIsStoredWithItsExpiryOrAnHour() {
        TokenAnswer.Granted granted = new TokenAnswer.Granted("ya29.generated", null, 3599L, Set.of("calendar"), null);
        TokenAnswer.Granted unnamed = new TokenAnswer.Granted("ya29.generated", null, null, null, null);

        assertThat(SubjectMintRules.after(granted, false)).isEqualTo(After.STORE);
        assertThat(SubjectMintRules.expiresAt(granted, NOW)).isEqualTo(NOW + 3599);
        assertThat(SubjectMintRules.expiresAt(unnamed, NOW)).isEqualTo(NOW + 3600);
    }

    @Test
    void anAdminsRefusalStopsTheConnectionUnlessItIsThisSubjectsAlone() {
        TokenAnswer.Refused delegation = refused(RefreshFailure.ACTION_REQUIRED, 401, "delegation_refused",
                "Google refused the delegation");
        TokenAnswer.Refused unknownUser = refused(RefreshFailure.ACTION_REQUIRED, 400, "unknown_user",
                "Google does not know this Workspace user");

        assertThat(SubjectMintRules.after(delegation, false)).isEqualTo(After.ACTION_REQUIRED);
        assertRefusal(Optional.of(SubjectMintRules.refusal(After.ACTION_REQUIRED, delegation)),
                ConnectionUnavailableException.ACTION_REQUIRED, "(delegation_refused: Google refused the delegation)");

        assertThat(SubjectMintRules.after(unknownUser, true)).isEqualTo(After.SUBJECT_REFUSED);
        assertRefusal(Optional.of(SubjectMintRules.refusal(After.SUBJECT_REFUSED, unknownUser)),
                ConnectionUnavailableException.NOT_CONNECTED,
                "The provider refuses to act as you: Google does not know this Workspace user");
    }

    @Test
    void everyOtherRefusalIsRetriedLaterEvenWhenReadAsTheSubjects() {
        for (RefreshFailure failure : new RefreshFailure[] {RefreshFailure.TRANSIENT, RefreshFailure.CONFIGURATION,
                RefreshFailure.RECONNECT_REQUIRED}) {
            TokenAnswer.Refused answer = refused(failure, 503, "server_error", null);
            assertThat(SubjectMintRules.after(answer, false)).as(failure.name()).isEqualTo(After.RETRY_LATER);
            assertThat(SubjectMintRules.after(answer, true)).as(failure.name()).isEqualTo(After.RETRY_LATER);
        }
        assertRefusal(Optional.of(SubjectMintRules.refusal(After.RETRY_LATER, refused(RefreshFailure.TRANSIENT, 503,
                "server_error", null))), ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                "could not mint the token (server_error (HTTP 503)); retry later");
        assertThatThrownBy(() -> SubjectMintRules.refusal(After.STORE, refused(RefreshFailure.TRANSIENT, 503, "x", null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusedSubjectThatNeverHeldATokenLeavesNoRowAndOneThatHeldOneKeepsIt() {
        for (After refusal : new After[] {After.SUBJECT_REFUSED, After.RETRY_LATER, After.ACTION_REQUIRED}) {
            assertThat(SubjectMintRules.dropsRow(refusal, false)).as(refusal.name()).isTrue();
            assertThat(SubjectMintRules.dropsRow(refusal, true)).as(refusal.name()).isFalse();
        }
        assertThat(SubjectMintRules.dropsRow(After.STORE, false)).isFalse();
        assertThat(SubjectMintRules.dropsRow(After.STORE, true)).isFalse();
    }

    @Test
    void theKeptReasonIsTheProvidersCodeAndWordsOrItsCodeAndStatus() {
        assertThat(SubjectMintRules.reason(refused(RefreshFailure.ACTION_REQUIRED, 400, "unknown_user", "no such user")))
                .isEqualTo("unknown_user: no such user");
        assertThat(SubjectMintRules.reason(refused(RefreshFailure.TRANSIENT, 503, "server_error", null)))
                .isEqualTo("server_error (HTTP 503)");
    }

    @Test
    void theProvidersWordsToTheCallerAreBoundedAndFlattened() {
        String words = "line one\nSet-Cookie: x " + "w".repeat(400);
        ConnectionUnavailableException refusal = SubjectMintRules.refusal(After.SUBJECT_REFUSED,
                refused(RefreshFailure.ACTION_REQUIRED, 400, "unknown_user", words));

        assertThat(refusal.getMessage()).doesNotContain("\n").startsWith("The provider refuses to act as you: line one Set-Cookie")
                .hasSizeLessThan("The provider refuses to act as you: ".length() + 260);
    }

    private static TokenAnswer.Refused refused(RefreshFailure failure, int status, String error, String description) {
        return new TokenAnswer.Refused(failure, status, error, null, description);
    }

    private static void assertRefusal(Optional<ConnectionUnavailableException> refusal, String code, String words) {
        assertThat(refusal).get().satisfies(e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(words);
        });
    }

    /** A per-user kind like Google's: a domain, a list of clients that may name a subject, case-insensitive or not. */
    private static final class PerUserKind extends NamedServerGrantKind {

        private final boolean caseless;

        PerUserKind(boolean caseless) {
            super("test-per-user", "a per-user test kind");
            this.caseless = caseless;
        }

        @Override
        public ServerCredential accept(IdentityProviderModel provider, Map<String, String> input, Instant now) {
            return CREDENTIAL;
        }

        @Override
        public boolean perSubject() {
            return true;
        }

        @Override
        public String normalizedSubject(String subject) {
            return caseless && subject != null ? subject.toLowerCase(Locale.ROOT) : subject;
        }

        @Override
        public Optional<String> checkNamer(ServerCredential credential, String clientId) {
            return credential.shown("subject_clients").equals(clientId) ? Optional.empty()
                    : Optional.of(clientId + " is not listed");
        }

        @Override
        public Optional<String> checkSubject(ServerCredential credential, String subject) {
            return subject.endsWith("@" + credential.shown("domain")) ? Optional.empty()
                    : Optional.of("outside " + credential.shown("domain"));
        }

        @Override
        public Optional<MintRequest> mintRequest(IdentityProviderModel provider, ServerCredential credential, String subject,
                Set<String> scopes, Instant now) {
            return Optional.empty();
        }

        @Override
        public MintRefusal readRefusal(int status, String error, String description) {
            return MintRefusal.byStatus(status, error);
        }
    }
}
