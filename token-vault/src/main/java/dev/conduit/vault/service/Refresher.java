package dev.conduit.vault.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.conduit.api.grant.Scopes;
import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.api.vault.FreshToken;
import dev.conduit.api.vault.LastError;
import dev.conduit.api.vault.RefusedToken;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.refresh.RefreshPolicy.Trigger;
import dev.conduit.vault.refresh.RefreshedTokens;
import dev.conduit.vault.refresh.RefusalPolicy;
import dev.conduit.vault.refresh.UnsavedRefreshes;
import dev.conduit.vault.server.ServerConnections;
import dev.conduit.vault.server.ServerCredentials;
import dev.conduit.vault.server.ServerMint;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.api.support.UntrustedText;
import org.keycloak.models.IdentityProviderModel;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.RefreshAttempts;
import dev.conduit.vault.store.VaultStore;
import dev.conduit.vault.upstream.RevokeAnswer;
import dev.conduit.vault.upstream.TokenAnswer;
import dev.conduit.vault.upstream.TokenEndpoint;
import dev.conduit.vault.upstream.UpstreamTokenCalls;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * One connection's refresh, holding a pooled database connection only in two short transactions and none while the
 * provider answers (issue 13, item 3):
 * <ol>
 *   <li><b>claim</b>: under the row lock, {@link RefreshPolicy#beforeCall} decides; to call the provider, this
 *       refresher writes its lease (owner, until) and the attempt record, and commits;</li>
 *   <li><b>call</b>: the provider is asked, with retries and backoff, in no transaction;</li>
 *   <li><b>store</b>: under the row lock again, {@link RefreshPolicy#afterCall} decides what the answer changes, the
 *       lease is released, and it commits.</li>
 * </ol>
 * A caller that finds another refresher's live lease (another node; callers on this node queue on
 * {@link RefreshLocks} first) polls in short transactions until the answer is stored, and never calls the provider
 * itself: one upstream refresh per expiry, across threads and nodes. A lease lasts one attempt
 * ({@link VaultSettings#leaseSeconds()}) and is renewed before each further attempt ({@link ProviderAttempts}), so a
 * node that died mid-refresh blocks nobody for longer than one attempt's time. A granted answer is
 * held ({@link UnsavedRefreshes}) from the moment it arrives until a transaction stores it, so a refresh token the
 * provider rotated is never lost with a failed commit.
 */
final class Refresher {

    private static final Logger LOG = Logger.getLogger(Refresher.class);

    /** How often a caller waiting for another node's refresh looks at the row. */
    static final Duration POLL = Duration.ofMillis(200);

    /** Pauses between attempts and polls; false when interrupted (the refresh then stops). */
    interface Pause {
        boolean pause(Duration delay);

        Pause SLEEP = delay -> {
            try {
                Thread.sleep(delay.toMillis());
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }

    private final KeycloakSessionFactory factory;
    private final RowSeal seal;
    private final RefreshPolicy policy;
    private final Revocations revocations;
    private final UnsavedRefreshes unsaved;
    private final RefreshLocks locks;
    private final RefreshAttempts attempts;
    private final RefreshEvents events;
    private final LongSupplier clock;
    private final Pause pause;
    private final ProviderAttempts calls;
    private final ServerMint.Endpoint mints;
    /** Lease owners of this node start with this: a lease of ours found under the local lock is a leftover. */
    private final String nodePrefix = RefreshAttempts.NODE + "/";

    Refresher(KeycloakSessionFactory factory, RowSeal seal, RefreshPolicy policy, Revocations revocations,
            UnsavedRefreshes unsaved, RefreshLocks locks, TokenEndpoint endpoint, RefreshAttempts attempts,
            RefreshEvents events, LongSupplier clock, Pause pause, ServerMint.Endpoint mints) {
        this.factory = factory;
        this.seal = seal;
        this.policy = policy;
        this.revocations = revocations;
        this.unsaved = unsaved;
        this.locks = locks;
        this.attempts = attempts;
        this.events = events;
        this.clock = clock;
        this.pause = pause;
        this.calls = new ProviderAttempts(endpoint, policy, pause, this::renewLease, clock);
        this.mints = mints;
    }

    /** What the claim transaction decided: an outcome, wait for another refresher, or call the provider. */
    private record Claim(Outcome outcome, long waitUntil, Call call, Revocation revocation) {
        static Claim done(Outcome outcome) {
            return new Claim(outcome, 0, null, null);
        }
    }

    /** A claimed retry of a parked revocation: this refresher's lease owner id and what to send. */
    private record Revocation(String owner, Revocations.Send send) {
    }

    /**
     * A claimed refresh: what to present to whom, and what the claim saw; {@code mint} for a server connection, which
     * mints (or checks its static token) instead of presenting a refresh token.
     */
    private record Call(String owner, RefreshPolicy.Decision decision, UpstreamClient client, String clientSecret,
            String presented, Optional<RefreshAttempts.Unfinished> unfinished, String alias, long claimedAt,
            ServerMint mint) {
    }

    /**
     * Refreshes the connection if the rules say so, under the node-local lock.
     *
     * @param reported for {@link Trigger#REFUSED}: the token an app reported refused; null otherwise
     */
    Outcome refresh(String id, Trigger trigger, RefusedToken reported) {
        return locks.withLock(id, () -> {
            long giveUpAt = clock.getAsLong() + policy.waitLimitSeconds();
            while (true) {
                String owner = nodePrefix + UUID.randomUUID();
                Claim claim = inOwnTransaction(s -> claim(s, id, trigger, reported, owner));
                unsaved.settled(id); // committed: a held answer the claim wrote is stored
                if (claim.outcome() != null) {
                    return claim.outcome();
                }
                if (claim.call() != null) {
                    return callAndStore(id, claim.call());
                }
                if (claim.revocation() != null) {
                    return sendAndRecord(id, claim.revocation());
                }
                // another node is refreshing this row: its answer is what this caller needs
                if (clock.getAsLong() > giveUpAt || !pause.pause(POLL)) {
                    return Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                            "Another refresh of this connection is still running; retry shortly");
                }
            }
        });
    }

    private Claim claim(KeycloakSession session, String id, Trigger trigger, RefusedToken reported, String owner) {
        VaultStore store = VaultStore.of(session);
        ConnectionEntity row = store.locked(id);
        if (row == null) {
            return Claim.done(Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The connection was removed"));
        }
        RealmModel realm = session.realms().getRealm(row.getRealmId());
        if (realm == null) {
            return Claim.done(Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The realm was removed"));
        }
        session.getContext().setRealm(realm);
        long now = clock.getAsLong();
        Optional<UnsavedRefreshes.Unsaved> held = unsaved.holds(id)
                ? unsaved.toWrite(id, seal.refreshToken(row), Instant.ofEpochSecond(now)) : Optional.empty();
        IdentityProviderModel model = session.identityProviders().getByAlias(row.getProviderAlias());
        Optional<UpstreamClient> client = ConduitBrokers.client(session, model);
        Optional<ServerGrantKind> kind = row.isServer()
                ? ConduitBrokers.of(session, model).flatMap(broker -> broker.serverGrantKind(row.getGrantKind()))
                : Optional.empty();
        boolean configured = client.isPresent() && (!row.isServer() || kind.isPresent());
        if (kind.isPresent() && kind.get().perSubject() && !ConnectionStatus.REVOKED.name().equals(row.getStatus())) {
            return Claim.done(perSubjectRow(session, realm, row, trigger, now));
        }
        RefreshPolicy.Decision decision = policy.beforeCall(snapshot(row, held.isPresent(), trigger, reported, configured),
                trigger, owner, now);
        if (decision.kind() == RefreshPolicy.Kind.WRITE_HELD) {
            UnsavedRefreshes.Unsaved answer = held.get();
            store(session, realm, row, answer.tokens(), answer.scopes(), answer.instanceUrl(),
                    answer.refreshedAt().getEpochSecond(), answer.trigger());
            attempts.finish(store, id);
            releaseLease(row);
            LOG.infof("Connection %s: stored the refresh answer of %s held since the database failed to take it", id,
                    answer.refreshedAt());
            decision = policy.beforeCall(snapshot(row, false, trigger, reported, configured), trigger, owner, now);
        }
        if (decision.staleReport()) {
            // another caller or node replaced the refused token already: the usual rules apply
            VaultMetrics.refusal(row.getProviderAlias(), "stale");
        }
        Trigger effective = decision.trigger();
        switch (decision.kind()) {
            case DISCONNECTED -> {
                if (decision.retryRevocation()) {
                    Revocations.RetryStep step = revocations.claimRetry(session, realm, row);
                    if (step.decided()) {
                        return Claim.done(Outcome.revocationRetried(step.sent()));
                    }
                    row.setLeaseOwner(owner);
                    row.setLeaseUntil(decision.leaseUntil());
                    store.flush();
                    return new Claim(null, 0, null, new Revocation(owner, step.send()));
                }
                return Claim.done(Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The connection was disconnected"));
            }
            case SKIP -> {
                return Claim.done(Outcome.skipped(trigger == Trigger.WRITE_BACK ? null : fresh(row)));
            }
            case UNAVAILABLE -> {
                row.setNextRefreshAt(null);
                return Claim.done(Outcome.from(unavailable(ConnectionStatus.valueOf(row.getStatus()), row.getLastError())));
            }
            case SERVE_STORED -> {
                return Claim.done(Outcome.served(fresh(row)));
            }
            case WAIT -> {
                return new Claim(null, decision.leaseUntil(), null, null);
            }
            case TOO_SOON -> {
                refusalCounted(session, realm, row, decision.refusal());
                LOG.debugf("Connection %s: a refused token reported %d s after the last refusal refresh; not refreshed",
                        row.getId(), now - row.getRefusalLastAt());
                return Claim.done(Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                        "The provider refused this connection's newest token too; after a refusal it is replaced at most"
                                + " once every " + policy.refusals().spacing().toSeconds() + " s: retry in "
                                + decision.retryAfter().toSeconds() + " s"));
            }
            case NEEDS_ATTENTION -> {
                refusalCounted(session, realm, row, decision.refusal());
                return Claim.done(refusedByProvider(session, realm, row));
            }
            default -> {
                // RECONNECT, FAIL or CALL: the provider is (or would be) asked, which is a health check of the row
            }
        }
        if (decision.refusal() != null) {
            refusalCounted(session, realm, row, decision.refusal());
        }
        row.setHealthCheckedAt(now);
        if (decision.kind() == RefreshPolicy.Kind.RECONNECT) {
            return Claim.done(markReconnectRequired(session, realm, row, effective, decision.reason()));
        }
        if (decision.kind() == RefreshPolicy.Kind.FAIL) {
            return Claim.done(transientFailure(session, realm, row, effective, "provider_not_configured: identity provider "
                    + row.getProviderAlias() + " is missing or not a Conduit broker"
                    + (row.isServer() ? " offering " + row.getGrantKind() : ""), null, now));
        }
        // the key that will seal the answer, before the provider is asked: with the key provider away and that key not
        // in memory, the refresh token is not spent on an answer that could not be stored (503, nothing changed)
        seal.currentKeyId(row);
        if (row.isServer()) {
            ServerMint mint = new ServerMint(kind.get(), model, ServerCredentials.read(row.getGrantKind(), row.getShown(),
                    seal.credential(row)), mints, () -> Instant.ofEpochSecond(clock.getAsLong()));
            return new Claim(null, 0, claimed(store, row, owner, decision, client.get(), null, null, now, mint), null);
        }
        String secret;
        try {
            secret = new UpstreamTokenCalls(session, 0, 0).clientSecret(client.get());
        } catch (UpstreamTokenCalls.MissingSecretException e) {
            VaultMetrics.refresh(row.getProviderAlias(), effective.label(), RefreshFailure.CONFIGURATION.name().toLowerCase(),
                    Duration.ZERO);
            return Claim.done(transientFailure(session, realm, row, effective, e.getMessage(), null, now));
        }
        return new Claim(null, 0, claimed(store, row, owner, decision, client.get(), secret, seal.refreshToken(row), now,
                null), null);
    }

    /** Writes the lease and the attempt record of a call to the provider (committed with the claim). */
    private Call claimed(VaultStore store, ConnectionEntity row, String owner, RefreshPolicy.Decision decision,
            UpstreamClient client, String secret, String presented, long now, ServerMint mint) {
        String id = row.getId();
        Optional<RefreshAttempts.Unfinished> unfinished = attempts.unfinished(store, id);
        unfinished.ifPresent(lost -> LOG.warnf("Connection %s: a refresh started at %s on %s never stored its answer"
                + " (that node stopped mid-refresh)", id, Instant.ofEpochSecond(lost.startedAt()), lost.node()));
        attempts.begin(store, id, now);
        row.setLeaseOwner(owner);
        row.setLeaseUntil(decision.leaseUntil());
        store.flush();
        return new Call(owner, decision, client, secret, presented, unfinished, row.getProviderAlias(), now, mint);
    }

    private RefreshPolicy.Row snapshot(ConnectionEntity row, boolean held, Trigger trigger, RefusedToken reported,
            boolean providerConfigured) {
        ConnectionStatus status = ConnectionStatus.valueOf(row.getStatus());
        RefreshPolicy.Standing standing = standing(status);
        boolean reportedCurrent = trigger == Trigger.REFUSED && status.serves() && reported.isOf(seal.accessToken(row));
        // under the node-local lock no refresh of this node is in flight: a lease of this node is a leftover
        RefreshPolicy.Lease lease = row.getLeaseOwner() == null || row.getLeaseOwner().startsWith(nodePrefix)
                ? RefreshPolicy.Lease.NONE : new RefreshPolicy.Lease(row.getLeaseOwner(), row.getLeaseUntil());
        return new RefreshPolicy.Row(standing, row.getExpiresAt(), row.getNextRefreshAt(), row.getHealthCheckedAt(),
                new RefusalPolicy.State(row.getRefusalWindowAt(), row.getRefusalRefreshes(), row.getRefusalLastAt()),
                row.getRefreshToken() != null || row.isServer(), held, reportedCurrent, providerConfigured, lease);
    }

    private static RefreshPolicy.Standing standing(ConnectionStatus status) {
        return switch (status) {
            case REVOKED -> RefreshPolicy.Standing.REVOKED;
            case RECONNECT_REQUIRED -> RefreshPolicy.Standing.RECONNECT_REQUIRED;
            case ACTION_REQUIRED -> RefreshPolicy.Standing.ACTION_REQUIRED;
            default -> RefreshPolicy.Standing.SERVING;
        };
    }

    /** Calls the provider with no transaction open, then stores what it answered in a short one. */
    private Outcome callAndStore(String id, Call call) {
        Trigger trigger = call.decision().trigger();
        ProviderAttempts.Result result = call.mint() != null
                ? calls.call(id, call.owner(), call.decision(), call.mint()::attempt, call.alias())
                : calls.call(id, call.owner(), call.decision(), call.client(), call.clientSecret(), call.presented(), call.alias());
        TokenAnswer answer = result.answer();
        RefreshPolicy.Answer decided = result.decided();
        RefreshedTokens tokens = null;
        Set<String> scopes = null;
        String instanceUrl = null;
        if (answer instanceof TokenAnswer.Granted granted) {
            tokens = RefreshedTokens.from(granted.accessToken(), granted.refreshToken(), call.presented(), granted.expiresIn(),
                    Duration.ofSeconds(call.client().lifetimeWithoutExpiresIn()), Instant.ofEpochSecond(call.claimedAt()));
            scopes = granted.scopes();
            instanceUrl = granted.instanceUrl();
            // held until a transaction stores it: the database may fail to take what the provider already rotated
            if (!unsaved.hold(id, new UnsavedRefreshes.Unsaved(call.presented(), tokens, scopes, instanceUrl,
                    Instant.ofEpochSecond(call.claimedAt()), trigger.label()))) {
                LOG.warnf("Connection %s: too many unsaved refresh answers held; this one is not", id);
            }
        }
        RefreshedTokens granted = tokens;
        Set<String> grantedScopes = scopes;
        String grantedInstanceUrl = instanceUrl;
        Outcome outcome;
        try {
            outcome = inOwnTransaction(s -> stored(s, id, call, decided, granted, grantedScopes, grantedInstanceUrl));
        } catch (RuntimeException e) {
            if (granted != null && unsaved.holds(id)) {
                LOG.warnf("Connection %s: the refresh answer could not be stored (%s); held on this node until the"
                        + " database takes it", id, e.getClass().getName());
            }
            throw e;
        }
        unsaved.settled(id);
        return outcome;
    }

    /**
     * Sends a claimed parked revocation with no transaction open, then records the answer in a short transaction under
     * the row lock, while the lease is still ours (a retry whose lease ran out leaves the row to the one that took it).
     */
    private Outcome sendAndRecord(String id, Revocation revocation) {
        RevokeAnswer answer = revocations.send(factory, revocation.send());
        return inOwnTransaction(s -> {
            ConnectionEntity row = VaultStore.of(s).locked(id);
            RealmModel realm = row == null ? null : s.realms().getRealm(row.getRealmId());
            if (row == null || realm == null) {
                return Outcome.revocationRetried(answer.done()); // removed meanwhile (its realm or provider went)
            }
            if (!revocation.owner().equals(row.getLeaseOwner())) {
                LOG.warnf("Connection %s: this revocation's lease ran out before the provider answered; left to the"
                        + " retry that took it over", id);
                return Outcome.revocationRetried(answer.done());
            }
            s.getContext().setRealm(realm);
            releaseLease(row);
            return Outcome.revocationRetried(revocations.recordRetry(s, realm, row, answer));
        });
    }

    /** Extends this refresher's lease before a further attempt, in one short transaction; false when it is no longer ours. */
    private boolean renewLease(String id, String owner, long until) {
        return inOwnTransaction(s -> {
            ConnectionEntity row = VaultStore.of(s).locked(id);
            if (row == null || !owner.equals(row.getLeaseOwner())) {
                return false;
            }
            row.setLeaseUntil(until);
            return true;
        });
    }

    private Outcome stored(KeycloakSession session, String id, Call call, RefreshPolicy.Answer answer, RefreshedTokens tokens, Set<String> scopes, String instanceUrl) {
        VaultStore store = VaultStore.of(session);
        ConnectionEntity row = store.locked(id);
        if (row == null) {
            if (tokens != null) {
                LOG.warnf("Connection %s was removed while it refreshed; the provider's new tokens were not stored", id);
            }
            return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The connection was removed");
        }
        RealmModel realm = session.realms().getRealm(row.getRealmId());
        if (realm == null) {
            return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The realm was removed");
        }
        session.getContext().setRealm(realm);
        long now = clock.getAsLong();
        ConnectionStatus status = ConnectionStatus.valueOf(row.getStatus());
        boolean leaseOurs = call.owner().equals(row.getLeaseOwner());
        RefreshPolicy.AfterRow after = new RefreshPolicy.AfterRow(standing(status), Objects.equals(seal.refreshToken(row), call.presented()), leaseOurs, row.getExpiresAt(), row.getFailureCount());
        Trigger trigger = call.decision().trigger();
        RefreshPolicy.AfterDecision decision = policy.afterCall(after, trigger, answer, call.unfinished().isPresent(), now);
        if (leaseOurs) {
            attempts.finish(store, id);
            releaseLease(row);
        } else {
            LOG.warnf("Connection %s: this refresh's lease ran out before the provider answered", id);
        }
        switch (decision.kind()) {
            case STORE -> {
                if (call.mint() != null && !call.mint().previousKeyMinted() && call.mint().holdsPreviousKey()) {
                    ServerConnections.dropPreviousKey(seal, row); // the new key minted: the overlap is over
                }
                return Outcome.refreshed(store(session, realm, row, tokens, scopes, instanceUrl, call.claimedAt(), trigger.label()));
            }
            case ACTION_REQUIRED -> {
                return markActionRequired(session, realm, row, trigger, decision.reason());
            }
            case STORE_FOR_REVOCATION -> {
                // disconnected while the provider answered: the parked row's revocation must revoke what it just issued
                seal.seal(row, tokens.accessToken(), tokens.refreshToken());
                store.flush();
                return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The connection was disconnected");
            }
            case SUPERSEDED -> {
                store.flush();
                LOG.debugf("Connection %s: other tokens were stored while this refresh waited for the provider; they stand", id);
                return status.serves() ? Outcome.served(fresh(row)) : Outcome.from(unavailable(status, row.getLastError()));
            }
            case RECONNECT -> {
                // which node lost an answer is for administrators only (LastError): apps and users get the reason
                return markReconnectRequired(session, realm, row, trigger, LastError.of(decision.reason(),
                        call.unfinished().map(lost -> "that refresh started at " + Instant.ofEpochSecond(lost.startedAt())
                                + " on node " + lost.node()).orElse(null)));
            }
            default -> {
                return transientFailure(session, realm, row, trigger, decision.reason(), decision.failure());
            }
        }
    }

    private static void releaseLease(ConnectionEntity row) {
        row.setLeaseOwner(null);
        row.setLeaseUntil(0);
    }

    private void refusalCounted(KeycloakSession session, RealmModel realm, ConnectionEntity row, RefusalPolicy.Decision decision) {
        VaultMetrics.refusal(row.getProviderAlias(), decision.verdict().name().toLowerCase());
        events.tokenRefused(session, realm, row, decision.verdict().name().toLowerCase(), decision.next().refreshes());
        if (decision.verdict() == RefusalPolicy.Verdict.REFRESH) {
            row.setRefusalWindowAt(decision.next().windowStartedAt());
            row.setRefusalRefreshes(decision.next().refreshes());
            row.setRefusalLastAt(decision.next().lastRefreshAt());
        }
    }

    private Outcome refusedByProvider(KeycloakSession session, RealmModel realm, ConnectionEntity row) {
        RefusalPolicy refusals = policy.refusals();
        // a server connection has no consent to give again: its admin checks the integration account's API access
        ConnectionStatus status = row.isServer() ? ConnectionStatus.ACTION_REQUIRED : ConnectionStatus.RECONNECT_REQUIRED;
        String reason = LastError.REFUSED_BY_PROVIDER + ": the provider refused the access tokens of "
                + row.getRefusalRefreshes() + " refreshes in a row within " + refusals.window().toMinutes()
                + (row.isServer() ? " minutes; check the integration account's API access at the provider, then refresh"
                        + " the connection" : " minutes; connect again, and check the account's API access at the provider");
        String previous = row.getStatus();
        row.setStatus(status.name());
        row.setNextRefreshAt(null);
        row.setLastError(reason);
        VaultStore.of(session).flush();
        events.healthChanged(session, realm, row, previous, LastError.REFUSED_BY_PROVIDER);
        LOG.infof("Connection %s (%s) needs %s: its fresh tokens keep being refused", row.getId(), row.getProviderAlias(),
                row.isServer() ? "an administrator" : "to be connected again");
        return Outcome.from(unavailable(status, reason));
    }

    /** Writes a granted refresh into the row (flushed, committed with the transaction) and records it. */
    FreshToken store(KeycloakSession session, RealmModel realm, ConnectionEntity row, RefreshedTokens tokens,
            Set<String> scopes, String instanceUrl, long refreshedAt, String trigger) {
        String previous = row.getStatus();
        seal.seal(row, tokens.accessToken(), tokens.refreshToken());
        row.setIssuedAt(refreshedAt);
        row.setExpiresAt(tokens.expiresAt().getEpochSecond());
        if (scopes != null) {
            row.setScopes(Scopes.join(scopes));
        }
        if (instanceUrl != null) {
            row.setInstanceUrl(instanceUrl);
        }
        row.setLastRefreshAt(refreshedAt);
        row.setFailureCount(0);
        row.setLastError(null);
        row.setStatus(ConnectionStatus.HEALTHY.name());
        row.setNextRefreshAt(ConnectionVault.nextRefreshAt(policy, row));
        VaultStore.of(session).flush();
        events.refreshed(session, realm, row, trigger, tokens.rotated());
        if (!ConnectionStatus.HEALTHY.name().equals(previous)) {
            events.healthChanged(session, realm, row, previous, "refreshed");
        }
        return fresh(row, tokens.accessToken());
    }

    private Outcome markReconnectRequired(KeycloakSession session, RealmModel realm, ConnectionEntity row, Trigger trigger,
            String reason) {
        String previous = row.getStatus();
        row.setStatus(ConnectionStatus.RECONNECT_REQUIRED.name());
        row.setNextRefreshAt(null);
        row.setLastError(reason);
        VaultStore.of(session).flush();
        events.refreshFailed(session, realm, row, trigger.label(), "reconnect_required");
        events.healthChanged(session, realm, row, previous, "reconnect_required");
        LOG.infof("Connection %s (%s) needs to be connected again: %s", row.getId(), row.getProviderAlias(), reason);
        return Outcome.failed(ConnectionUnavailableException.RECONNECT_REQUIRED, LastError.forAppsAndOwners(reason));
    }

    /**
     * A per-user server connection's own row mints nothing (its users' tokens do, {@link SubjectMints}): the scheduled
     * runs leave it, and an admin's refresh after fixing the setup makes it serve again.
     */
    private Outcome perSubjectRow(KeycloakSession session, RealmModel realm, ConnectionEntity row, Trigger trigger, long now) {
        row.setNextRefreshAt(null);
        row.setHealthCheckedAt(now);
        if (trigger == Trigger.ADMIN && ConnectionStatus.ACTION_REQUIRED.name().equals(row.getStatus())) {
            row.setStatus(ConnectionStatus.HEALTHY.name());
            row.setLastError(null);
            events.healthChanged(session, realm, row, ConnectionStatus.ACTION_REQUIRED.name(), "admin_refresh");
        }
        VaultStore.of(session).flush();
        return Outcome.skipped(null);
    }

    /** A server connection's mint refused for a reason an admin must fix: not served, not retried, the reason kept. */
    private Outcome markActionRequired(KeycloakSession session, RealmModel realm, ConnectionEntity row, Trigger trigger,
            String reason) {
        String previous = row.getStatus();
        row.setStatus(ConnectionStatus.ACTION_REQUIRED.name());
        row.setNextRefreshAt(null);
        row.setLastError(reason);
        VaultStore.of(session).flush();
        events.refreshFailed(session, realm, row, trigger.label(), "action_required");
        events.healthChanged(session, realm, row, previous, "action_required");
        LOG.infof("Server connection %s (%s) needs an administrator: %s", row.getId(), row.getProviderAlias(),
                UntrustedText.forLog(reason));
        return Outcome.from(unavailable(ConnectionStatus.ACTION_REQUIRED, reason));
    }

    private Outcome transientFailure(KeycloakSession session, RealmModel realm, ConnectionEntity row, Trigger trigger,
            String reason, Duration retryAfter, long now) {
        return transientFailure(session, realm, row, trigger, reason,
                policy.failure(row.getFailureCount(), retryAfter, row.getExpiresAt(), trigger, now));
    }

    /** Keeps the stored tokens, records the failure and when to try again; serves the old token while it lives. */
    private Outcome transientFailure(KeycloakSession session, RealmModel realm, ConnectionEntity row, Trigger trigger,
            String reason, RefreshPolicy.Failure failure) {
        String previous = row.getStatus();
        row.setFailureCount(failure.failureCount());
        row.setLastError(reason);
        row.setStatus(ConnectionStatus.EXPIRING.name());
        row.setNextRefreshAt(failure.nextRefreshAt());
        VaultStore.of(session).flush();
        events.refreshFailed(session, realm, row, trigger.label(), reason);
        if (!ConnectionStatus.EXPIRING.name().equals(previous)) {
            events.healthChanged(session, realm, row, previous, "refresh_failing");
        }
        String message = "The provider could not refresh the token (" + reason + "); retry later";
        if (failure.serveStored()) {
            return Outcome.failedServing(fresh(row), ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, message);
        }
        return Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, message);
    }

    FreshToken fresh(ConnectionEntity row) {
        return fresh(row, seal.accessToken(row));
    }

    static FreshToken fresh(ConnectionEntity row, String accessToken) {
        return new FreshToken(row.getId(), row.getProviderId(), row.getProviderAlias(), accessToken, row.getExpiresAt(),
                Scopes.parse(row.getScopes()), row.getInstanceUrl(), row.getAccountId(), row.getOrganizationId());
    }

    static ConnectionUnavailableException unavailable(ConnectionStatus status, String lastError) {
        return switch (status) {
            case RECONNECT_REQUIRED -> new ConnectionUnavailableException(ConnectionUnavailableException.RECONNECT_REQUIRED,
                    "The connection must be authorized again"
                            + (lastError == null ? "" : " (" + LastError.forAppsAndOwners(lastError) + ")"));
            case REVOKED -> new ConnectionUnavailableException(ConnectionUnavailableException.NOT_CONNECTED,
                    "The connection was disconnected");
            case ACTION_REQUIRED -> new ConnectionUnavailableException(ConnectionUnavailableException.ACTION_REQUIRED,
                    "The provider refuses this server connection until an administrator acts"
                            + (lastError == null ? "" : " (" + LastError.forAppsAndOwners(lastError) + ")"));
            default -> new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "The connection is not available");
        };
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }
}
