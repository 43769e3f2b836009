package dev.conduit.vault.service;

import java.util.Optional;

import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.api.support.UntrustedText;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.upstream.TokenAnswer;

/**
 * What {@link SubjectMints} decides for one subject's token, from the values it read under the connection's and the
 * subject's row locks: which subject it is, whether this caller may have it, whether the cached token serves, another
 * node's mint is awaited or this caller mints, and what a mint's answer does to the rows and the caller. Plain values
 * in, a decision out: no storage, no Keycloak.
 */
final class SubjectMintRules {

    /** Before a mint: serve the cached token, wait for another node's mint, or take the lease and mint. */
    enum Step { SERVE, WAIT, MINT }

    /** After a mint: keep the token; the connection needs an admin; this subject alone is refused; retry later. */
    enum After { STORE, ACTION_REQUIRED, SUBJECT_REFUSED, RETRY_LATER }

    /** The subject's row as read under its lock: whether it holds a token, its expiry, and its lease. */
    record Cached(boolean hasToken, long expiresAt, String leaseOwner, long leaseUntil) {
        static final Cached NONE = new Cached(false, 0, null, 0);
    }

    /** A granted token's expiry when the provider names none: Google's tokens last an hour. */
    static final long DEFAULT_LIFETIME_SECONDS = 3600;

    private final RefreshPolicy policy;
    private final String nodePrefix;

    /** @param nodePrefix what this node's lease owners start with; a lease of this node is never waited for */
    SubjectMintRules(RefreshPolicy policy, String nodePrefix) {
        this.policy = policy;
        this.nodePrefix = nodePrefix;
    }

    /** The subject the caller's one names for this kind (its provider's spelling; none is the empty subject). */
    static String subject(ServerGrantKind kind, String subject) {
        String normalized = kind.normalizedSubject(subject == null ? "" : subject);
        return normalized == null ? "" : normalized;
    }

    /**
     * Why the connection serves no subject now, or empty: a status that does not serve, or an identity provider that
     * no longer offers the connection's kind ({@code kindOffered} false).
     */
    static Optional<ConnectionUnavailableException> connectionRefusal(ConnectionStatus status, String lastError,
            boolean kindOffered, String alias, String grantKind) {
        if (!status.serves()) {
            return Optional.of(Refresher.unavailable(status, lastError));
        }
        if (!kindOffered) {
            return Optional.of(new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "provider_not_configured: identity provider " + alias + " is missing or offers no " + grantKind));
        }
        return Optional.empty();
    }

    /**
     * Why this caller may not have {@code subject}, or empty: a subject named by a service account ({@code namedBy}, its
     * client id; null when the subject is the caller's own) needs the connection to let that client name one, and the
     * kind must accept the subject (Google: an address in the Workspace domain).
     */
    static Optional<ConnectionUnavailableException> subjectRefusal(ServerGrantKind kind, ServerCredential credential,
            String subject, String namedBy) {
        if (namedBy != null) {
            Optional<String> notAllowed = kind.checkNamer(credential, namedBy);
            if (notAllowed.isPresent()) {
                return Optional.of(new ConnectionUnavailableException(ConnectionUnavailableException.SUBJECT_NOT_ALLOWED,
                        notAllowed.get()));
            }
        }
        return kind.checkSubject(credential, subject).map(wrong -> new ConnectionUnavailableException(
                ConnectionUnavailableException.NOT_CONNECTED, "This connection cannot act as you: " + wrong));
    }

    /**
     * A cached token not yet due serves; a live lease of another node is waited for (one mint across nodes); anything
     * else (no token, due, no lease, an expired lease, or a lease of this node, whose threads the per-subject lock
     * already serialises) is minted by this caller.
     */
    Step step(Cached cached, long now) {
        if (cached.hasToken() && !policy.dueOnDemand(cached.expiresAt(), now)) {
            return Step.SERVE;
        }
        if (cached.leaseOwner() != null && !cached.leaseOwner().startsWith(nodePrefix) && cached.leaseUntil() > now) {
            return Step.WAIT;
        }
        return Step.MINT;
    }

    /** The lease this caller takes before it mints. */
    long leaseUntil(long now) {
        return now + policy.leaseSeconds();
    }

    /** Whether the caller stops waiting for another node's mint (its wait began at {@code startedAt}). */
    boolean givesUp(long startedAt, long now) {
        return now > startedAt + policy.waitLimitSeconds();
    }

    /** Whether the mint's answer releases the subject's lease: only the owner's, never one another caller took since. */
    static boolean releases(String owner, String leaseOwner) {
        return owner.equals(leaseOwner);
    }

    /**
     * What a mint's answer does: a grant is stored; a refusal an admin must fix stops the whole connection unless the
     * kind read it as this subject's alone ({@code subjectOnly}: Google does not know this user), which refuses only
     * this subject; anything else is transient.
     */
    static After after(TokenAnswer answer, boolean subjectOnly) {
        if (answer instanceof TokenAnswer.Granted) {
            return After.STORE;
        }
        TokenAnswer.Refused refused = (TokenAnswer.Refused) answer;
        if (refused.failure() != RefreshFailure.ACTION_REQUIRED) {
            return After.RETRY_LATER;
        }
        return subjectOnly ? After.SUBJECT_REFUSED : After.ACTION_REQUIRED;
    }

    /**
     * Whether a mint's answer drops the subject's row: a refusal of a subject whose row never held a token leaves
     * nothing behind, so a client naming invented addresses cannot grow the table one row per name; a row that held a
     * token keeps it and the refusal's reason.
     */
    static boolean dropsRow(After after, boolean heldToken) {
        return after != After.STORE && !heldToken;
    }

    /** The granted token's expiry (epoch seconds). */
    static long expiresAt(TokenAnswer.Granted granted, long now) {
        return now + (granted.expiresIn() == null ? DEFAULT_LIFETIME_SECONDS : granted.expiresIn());
    }

    /** The refusal as kept in a row's last error: the provider's code and its words, or the code and status. */
    static String reason(TokenAnswer.Refused refused) {
        return refused.description() == null ? refused.reason() : refused.error() + ": " + refused.description();
    }

    /** What the caller of a refused mint is told ({@link After#ACTION_REQUIRED}: the connection's new status says it). */
    static ConnectionUnavailableException refusal(After after, TokenAnswer.Refused refused) {
        return switch (after) {
            case ACTION_REQUIRED -> Refresher.unavailable(ConnectionStatus.ACTION_REQUIRED, reason(refused));
            case SUBJECT_REFUSED -> new ConnectionUnavailableException(ConnectionUnavailableException.NOT_CONNECTED,
                    "The provider refuses to act as you: " + UntrustedText.forDisplay(refused.description(), 256));
            case RETRY_LATER -> new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "The provider could not mint the token (" + refused.reason() + "); retry later");
            case STORE -> throw new IllegalArgumentException("a stored grant is no refusal");
        };
    }
}
