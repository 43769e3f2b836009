package dev.conduit.vault.service;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.upstream.TokenAnswer;
import dev.conduit.vault.upstream.TokenEndpoint;
import org.jboss.logging.Logger;

/**
 * The call step of a refresh, in no transaction: up to the decision's attempts at the provider, with the policy's
 * pauses between them, and before each further attempt the row's lease renewed ({@link LeaseRenewal}, one short
 * transaction that checks the lease is still this refresher's). The lease lasts one attempt
 * ({@link RefreshPolicy#leaseFor}): a refresher that died lets the row go within that, a live one keeps it. A refresher
 * that finds its lease taken over (it ran out, and another refresher claimed the row) makes no further attempt: the
 * other one is at work with the same refresh token.
 */
final class ProviderAttempts {

    private static final Logger LOG = Logger.getLogger(ProviderAttempts.class);

    /** Extends the lease of {@code owner} on the row to {@code until}; false when the lease is no longer its own (or the row is gone). */
    interface LeaseRenewal {
        boolean renew(String connectionId, String owner, long until);
    }

    /**
     * @param unanswered an attempt got no answer at all (a rotating provider may have rotated then)
     * @param leaseLost the attempts stopped because another refresher holds the row now
     */
    record Result(TokenAnswer answer, boolean unanswered, int made, boolean leaseLost) {
        RefreshPolicy.Answer decided() {
            return ProviderAttempts.decided(answer, unanswered);
        }
    }

    private final TokenEndpoint endpoint;
    private final RefreshPolicy policy;
    private final Refresher.Pause pause;
    private final LeaseRenewal renewal;
    private final LongSupplier clock;

    ProviderAttempts(TokenEndpoint endpoint, RefreshPolicy policy, Refresher.Pause pause, LeaseRenewal renewal,
            LongSupplier clock) {
        this.endpoint = endpoint;
        this.policy = policy;
        this.pause = pause;
        this.renewal = renewal;
        this.clock = clock;
    }

    /** One attempt at the provider: a refresh, or a server connection's mint. */
    interface Attempt {
        TokenAnswer send();
    }

    Result call(String id, String owner, RefreshPolicy.Decision decision, UpstreamClient client, String clientSecret,
            String presented, String alias) {
        return call(id, owner, decision, () -> endpoint.refresh(client, clientSecret, presented), alias);
    }

    Result call(String id, String owner, RefreshPolicy.Decision decision, Attempt attempt, String alias) {
        String trigger = decision.trigger().label();
        TokenAnswer answer;
        boolean unanswered = false;
        int made = 0;
        while (true) {
            long started = System.nanoTime();
            answer = attempt.send();
            made++;
            VaultMetrics.refresh(alias, trigger,
                    answer instanceof TokenAnswer.Refused r ? r.failure().name().toLowerCase() : "success",
                    Duration.ofNanos(System.nanoTime() - started));
            if (answer instanceof TokenAnswer.Refused refused && refused.failure() == RefreshFailure.TRANSIENT) {
                unanswered |= refused.status() == 0;
                LOG.debugf("Refresh of connection %s failed transiently (attempt %d): %s", id, made, refused.reason());
            }
            Optional<Duration> delay = policy.retryDelay(decision, made, decided(answer, unanswered));
            if (delay.isEmpty() || !pause.pause(delay.get())) {
                return new Result(answer, unanswered, made, false);
            }
            if (!renewal.renew(id, owner, policy.renewedLeaseUntil(clock.getAsLong()))) {
                LOG.warnf("Connection %s: another refresher holds the row now (this refresh's lease ran out); no further"
                        + " attempt after %d", id, made);
                return new Result(answer, unanswered, made, true);
            }
        }
    }

    static RefreshPolicy.Answer decided(TokenAnswer answer, boolean unanswered) {
        if (answer instanceof TokenAnswer.Refused refused) {
            RefreshPolicy.AnswerKind kind = switch (refused.failure()) {
                case TRANSIENT -> RefreshPolicy.AnswerKind.TRANSIENT;
                case RECONNECT_REQUIRED -> RefreshPolicy.AnswerKind.INVALID_GRANT;
                case CONFIGURATION -> RefreshPolicy.AnswerKind.CONFIGURATION;
                case ACTION_REQUIRED -> RefreshPolicy.AnswerKind.ACTION_REQUIRED;
            };
            String reason = kind == RefreshPolicy.AnswerKind.ACTION_REQUIRED && refused.description() != null
                    ? refused.error() + ": " + refused.description() : refused.reason();
            return new RefreshPolicy.Answer(kind, unanswered, refused.retryAfter(), reason);
        }
        return RefreshPolicy.Answer.granted();
    }
}
