package dev.conduit.vault.service;

import dev.conduit.vault.crypto.TokenDecryptionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import dev.conduit.broker.grant.ConduitBrokers;
import dev.conduit.broker.grant.Scopes;
import dev.conduit.broker.grant.UpstreamClient;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.refresh.RefreshedTokens;
import dev.conduit.vault.refresh.RefusalPolicy;
import dev.conduit.vault.refresh.UnsavedRefreshes;
import dev.conduit.vault.store.RefreshAttempts;
import dev.conduit.vault.store.StorageOutage;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.upstream.TokenAnswer;
import dev.conduit.vault.upstream.UpstreamTokenCalls;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Hands out upstream access tokens and keeps them fresh: exactly one upstream refresh per connection per
 * expiry, whatever the number of callers and nodes. Callers on one node queue on a local lock; the one at the
 * head opens its own transaction and takes the row's database lock (SELECT ... FOR UPDATE), which is what
 * serializes nodes; whoever gets the lock first re-reads the row and refreshes only if it is still due, so the
 * others find the new token. The new access token, refresh token and expiry are written in one UPDATE and
 * committed before the caller sees them. Transient failures keep the stored tokens and retry with backoff;
 * {@code invalid_grant} marks the connection {@link ConnectionStatus#RECONNECT_REQUIRED}. A granted refresh the
 * database fails to store (it went away meanwhile) is held on this node ({@link UnsavedRefreshes}) and written by the
 * next transaction on that connection, so a refresh token the provider rotated is never lost with the commit.
 * An app whose API call the provider answered 401 reports the refused token ({@link RefusedToken}): the same
 * locks refresh the connection only while it still holds that token, within {@link VaultSettings#refusals()}.
 */
public final class ConnectionVault {

    private static final Logger LOG = Logger.getLogger(ConnectionVault.class);

    /**
     * Why a refresh runs: a caller, the due index, the health check, an admin's "refresh now", only to write
     * an answer held since the database failed to store it, or an app's report that the provider refused the
     * current access token ({@link RefusedToken}).
     */
    enum Trigger { ON_DEMAND, PROACTIVE, HEALTH, ADMIN, WRITE_BACK, REFUSED }

    /** At most this many unsaved refresh answers are held, each for at most a day. */
    private static final int UNSAVED_CAPACITY = 10_000;

    private final KeycloakSessionFactory factory;
    private final RowSeal seal;
    private final VaultSettings settings;
    private final RefreshLocks locks = new RefreshLocks(1024);
    private final Revocations revocations;
    private final UnsavedRefreshes unsaved = new UnsavedRefreshes(UNSAVED_CAPACITY, Duration.ofDays(1));

    public ConnectionVault(KeycloakSessionFactory factory, RowSeal seal, VaultSettings settings) {
        this.factory = factory;
        this.seal = seal;
        this.settings = settings;
        this.revocations = new Revocations(seal, settings);
    }

    public RowSeal seal() {
        return seal;
    }

    public VaultSettings settings() {
        return settings;
    }

    public Revocations revocations() {
        return revocations;
    }

    /** The connection's access token, refreshed first when it is within the margin of expiry. */
    public FreshToken accessToken(KeycloakSession session, ConnectionKey key) throws ConnectionUnavailableException {
        ConnectionEntity row = find(session, key).orElseThrow(() -> new ConnectionUnavailableException(
                ConnectionUnavailableException.NOT_CONNECTED, "No " + key.alias() + " connection for this "
                        + key.kind().name().toLowerCase() + "; connect it first"));
        return accessToken(row);
    }

    public FreshToken accessToken(ConnectionEntity row) throws ConnectionUnavailableException {
        return opening(row, () -> servedToken(row));
    }

    /**
     * The connection's access token for an app whose API call the provider answered 401 with {@code refused}. If
     * the connection still holds that token, it is refreshed (once: whoever takes the locks first refreshes, the
     * others find the new token), within {@link VaultSettings#refusals()}: too soon after the last such refresh is
     * {@code temporarily_unavailable}, and a connection whose fresh tokens keep being refused is marked
     * {@link ConnectionStatus#RECONNECT_REQUIRED} ({@code refused_by_provider}). If it holds a newer token (another
     * caller reported first, or a refresh ran meanwhile), that one is served, refreshed first only when due.
     *
     * @param refused null for an ordinary request: the same as {@link #accessToken(KeycloakSession, ConnectionKey)}
     */
    public FreshToken accessToken(KeycloakSession session, ConnectionKey key, RefusedToken refused)
            throws ConnectionUnavailableException {
        if (refused == null) {
            return accessToken(session, key);
        }
        ConnectionEntity row = find(session, key).orElseThrow(() -> new ConnectionUnavailableException(
                ConnectionUnavailableException.NOT_CONNECTED, "No " + key.alias() + " connection for this "
                        + key.kind().name().toLowerCase() + "; connect it first"));
        return opening(row, () -> replacedToken(row, refused));
    }

    private interface Serving {
        FreshToken serve() throws ConnectionUnavailableException;
    }

    private FreshToken opening(ConnectionEntity row, Serving serving) throws ConnectionUnavailableException {
        try {
            return serving.serve();
        } catch (RuntimeException e) {
            if (!(e instanceof TokenDecryptionException) && !(e.getCause() instanceof TokenDecryptionException)) {
                throw e;
            }
            // the row is sealed under a key this server does not hold (removed too early, or nodes configured
            // differently): an operator's problem, answered as unavailable, never as a server error
            LOG.errorf("Connection %s cannot be opened with this server's keys: %s", row.getId(),
                    (e instanceof TokenDecryptionException ? e : e.getCause()).getMessage());
            throw new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "The stored connection cannot be opened with this server's keys; an administrator must restore the key");
        }
    }

    private FreshToken servedToken(ConnectionEntity row) throws ConnectionUnavailableException {
        ConnectionStatus status = ConnectionStatus.valueOf(row.getStatus());
        if (!status.serves()) {
            throw unavailable(status, row.getLastError());
        }
        // a refresh answer this node holds unsaved is written first, due or not
        if (!unsaved.holds(row.getId())
                && !settings.schedule().dueOnDemand(Instant.ofEpochSecond(row.getExpiresAt()), Instant.ofEpochSecond(Time.currentTime()))) {
            VaultMetrics.served(row.getProviderAlias(), false);
            return fresh(row);
        }
        Outcome outcome = refreshOrUnavailable(row.getId(), Trigger.ON_DEMAND, null);
        VaultMetrics.served(row.getProviderAlias(), true);
        return outcome.tokenOrThrow();
    }

    private FreshToken replacedToken(ConnectionEntity row, RefusedToken refused) throws ConnectionUnavailableException {
        ConnectionStatus status = ConnectionStatus.valueOf(row.getStatus());
        if (!status.serves()) {
            throw unavailable(status, row.getLastError());
        }
        // an older token than the one stored: that one was replaced already, serve the newer one as usual
        if (!unsaved.holds(row.getId()) && !refused.isOf(seal.accessToken(row))) {
            VaultMetrics.refusal(row.getProviderAlias(), "stale");
            return servedToken(row);
        }
        Outcome outcome = refreshOrUnavailable(row.getId(), Trigger.REFUSED, refused);
        VaultMetrics.served(row.getProviderAlias(), outcome.kind() == Outcome.Kind.REFRESHED);
        return outcome.tokenOrThrow();
    }

    private Outcome refreshOrUnavailable(String id, Trigger trigger, RefusedToken refused) throws ConnectionUnavailableException {
        try {
            return refresh(id, trigger, refused);
        } catch (RuntimeException e) {
            if (!StorageOutage.causedBy(e)) {
                throw e;
            }
            throw new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "The token store is unavailable; retry shortly");
        }
    }

    public Optional<ConnectionEntity> find(KeycloakSession session, ConnectionKey key) {
        return em(session).createNamedQuery("conduitConnectionByOwnerAndAlias", ConnectionEntity.class)
                .setParameter("realmId", key.realmId())
                .setParameter("ownerKind", key.kind().name())
                .setParameter("ownerId", key.ownerId())
                .setParameter("alias", key.alias())
                .getResultStream()
                .findFirst();
    }

    /** Records a connect (or reconnect) as an event; called by the handover once the row is written. */
    public void connected(KeycloakSession session, RealmModel realm, ConnectionEntity row, boolean reconnect) {
        VaultEvents.connected(session, realm, row, reconnect);
    }

    /** Makes the next use refresh: for an administrator who knows the provider dropped the access token. */
    public void expireAccessToken(KeycloakSession session, ConnectionEntity row) {
        long now = Time.currentTime();
        row.setExpiresAt(now);
        row.setNextRefreshAt(nextRefreshAt(row));
        em(session).flush();
    }

    /** Forces a refresh now (admin "refresh" button, tests of the proactive path): same lock, same rules. */
    public RunReport refreshNow(String connectionId) {
        long started = System.nanoTime();
        Outcome outcome = refresh(connectionId, Trigger.ADMIN);
        return RunReport.single(outcome, System.nanoTime() - started);
    }

    /**
     * Writes the refresh answers this node holds because the database failed to store them, each in its own
     * transaction under the connection's locks; stops at the first that fails (the database is still away).
     *
     * @return how many were written
     */
    public int writeBackUnsaved() {
        int written = 0;
        for (String id : unsaved.connectionIds()) {
            try {
                refresh(id, Trigger.WRITE_BACK);
                written++;
            } catch (RuntimeException e) {
                if (!StorageOutage.causedBy(e)) {
                    throw e;
                }
                LOG.debugf("Unsaved refresh answers: the database is still unavailable (%s)", e.getClass().getName());
                break;
            }
        }
        if (written > 0) {
            LOG.infof("Wrote %d refresh answer(s) held since the database failed to store them", written);
        }
        return written;
    }

    /**
     * One refresh decision under the node-local lock, in its own transaction. Once that transaction commits,
     * nothing of the connection is unsaved; when it fails, an answer held by it stays held.
     */
    private Outcome refresh(String id, Trigger trigger) {
        return refresh(id, trigger, null);
    }

    /** @param refused the token an app reported refused, for {@link Trigger#REFUSED}; null otherwise */
    private Outcome refresh(String id, Trigger trigger, RefusedToken refused) {
        return locks.withLock(id, () -> {
            boolean heldBefore = unsaved.holds(id);
            Outcome outcome;
            try {
                outcome = inOwnTransaction(s -> refreshLocked(s, id, trigger, refused));
            } catch (RuntimeException e) {
                if (unsaved.holds(id) && !heldBefore) {
                    LOG.warnf("Connection %s: the refresh answer could not be stored (%s); held on this node until the"
                            + " database takes it", id, e.getClass().getName());
                }
                throw e;
            }
            unsaved.settled(id);
            return outcome;
        });
    }

    /**
     * One proactive run: finds connections due (their NEXT_REFRESH_AT has passed: close to expiry, keep-alive
     * time, or a failed refresh's backoff is over) through the index, and refreshes each in its own transaction
     * on {@code refresh-threads} workers. Revocations that failed earlier are retried here too.
     */
    public RunReport refreshDue() {
        return refreshDue(null);
    }

    /** The same run limited to one realm's connections (an administrator's "run now" for their realm). */
    public RunReport refreshDue(String realmId) {
        long started = System.nanoTime();
        long now = Time.currentTime();
        List<String> due = inOwnTransaction(s -> {
            var query = em(s).createNamedQuery(realmId == null ? "conduitConnectionsDue" : "conduitConnectionsDueInRealm", String.class)
                    .setParameter("due", now);
            if (realmId != null) {
                query.setParameter("realmId", realmId);
            }
            return query.setMaxResults(settings.refreshBatch()).getResultList();
        });
        RunReport report = runEach(due, Trigger.PROACTIVE);
        RunReport done = report.took(System.nanoTime() - started);
        VaultMetrics.proactiveRun(due.size(), Duration.ofNanos(System.nanoTime() - started));
        if (!due.isEmpty()) {
            LOG.debugf("Proactive refresh: %s", done);
        }
        return done;
    }

    /**
     * Health check: connections not checked for {@code health-interval-seconds} are validated against the
     * provider by refreshing them (the only call every provider answers the same way, and it keeps idle
     * refresh tokens alive); the status records the outcome and its reason.
     */
    public RunReport checkHealth() {
        long started = System.nanoTime();
        long before = Time.currentTime() - settings.healthIntervalSeconds();
        List<String> stale = inOwnTransaction(s -> em(s).createNamedQuery("conduitConnectionsHealthDue", String.class)
                .setParameter("before", before)
                .setMaxResults(settings.refreshBatch())
                .getResultList());
        return runEach(stale, Trigger.HEALTH).took(System.nanoTime() - started);
    }

    /** What a key rotation did: rows re-encrypted, and rows it could not open (their key is no longer configured). */
    public record KeyRotation(int reencrypted, List<String> undecryptable) {
    }

    /**
     * Re-encrypts every connection of the realm still sealed under an older key with the active key, one row
     * per transaction under the row lock, so the server keeps serving throughout. The old key must stay
     * configured until this returns 0 rows left. A row whose key was already retired cannot be opened: it is
     * skipped and reported (a new login of its owner replaces it; disconnecting removes it), never a failure of the run.
     */
    public KeyRotation rotateKeys(String realmId) {
        List<String> ids = inOwnTransaction(s -> em(s).createNamedQuery("conduitConnectionIdsByRealm", String.class)
                .setParameter("realmId", realmId).getResultList());
        int done = 0;
        List<String> undecryptable = new ArrayList<>();
        for (String id : ids) {
            Boolean changed = locks.withLock(id, () -> inOwnTransaction(s -> {
                ConnectionEntity row = em(s).find(ConnectionEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
                if (row == null || seal.activeKeyId().equals(row.getKeyId())) {
                    return false;
                }
                String accessToken;
                String refreshToken;
                try {
                    accessToken = seal.accessToken(row);
                    refreshToken = seal.refreshToken(row);
                } catch (TokenDecryptionException e) {
                    LOG.warnf("Key rotation skipped connection %s: it cannot be opened with this server's keys (%s)",
                            id, e.getMessage());
                    return null;
                }
                seal.seal(row, accessToken, refreshToken);
                return true;
            }));
            if (changed == null) {
                undecryptable.add(id);
            } else if (changed) {
                done++;
            }
        }
        LOG.infof("Re-encrypted %d connection(s) of realm %s under key '%s'; %d could not be opened", done, realmId,
                seal.activeKeyId(), undecryptable.size());
        return new KeyRotation(done, List.copyOf(undecryptable));
    }

    private RunReport runEach(List<String> ids, Trigger trigger) {
        RunReport report = RunReport.empty(ids.size());
        if (ids.isEmpty()) {
            return report;
        }
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(settings.refreshThreads(), ids.size()));
        try {
            List<Future<Outcome>> results = ids.stream()
                    .map(id -> workers.submit(() -> refresh(id, trigger)))
                    .toList();
            for (int i = 0; i < results.size(); i++) {
                try {
                    report = report.add(results.get(i).get());
                } catch (ExecutionException e) {
                    LOG.warnf("Refreshing connection %s failed: %s", ids.get(i), e.getCause().getClass().getName());
                    report = report.add(Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, "internal error"));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            workers.shutdownNow();
        }
        return report;
    }

    /**
     * Runs under the node-local lock, in its own transaction, holding the row lock until commit.
     *
     * @param reported for {@link Trigger#REFUSED}: the token an app reported refused; null otherwise
     */
    private Outcome refreshLocked(KeycloakSession session, String id, Trigger trigger, RefusedToken reported) {
        EntityManager em = em(session);
        ConnectionEntity row = em.find(ConnectionEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (row == null) {
            return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The connection was removed");
        }
        RealmModel realm = session.realms().getRealm(row.getRealmId());
        if (realm == null) {
            return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The realm was removed");
        }
        session.getContext().setRealm(realm);
        ConnectionStatus status = ConnectionStatus.valueOf(row.getStatus());
        long now = Time.currentTime();
        if (status == ConnectionStatus.REVOKED) {
            if (trigger != Trigger.ON_DEMAND && trigger != Trigger.WRITE_BACK) {
                revocations.retry(session, realm, row);
            }
            return Outcome.failed(ConnectionUnavailableException.NOT_CONNECTED, "The connection was disconnected");
        }
        Optional<UnsavedRefreshes.Unsaved> held = unsaved.holds(id)
                ? unsaved.toWrite(id, seal.refreshToken(row), Instant.ofEpochSecond(now)) : Optional.empty();
        if (held.isPresent()) {
            UnsavedRefreshes.Unsaved answer = held.get();
            store(session, realm, row, answer.tokens(), answer.scopes(), answer.instanceUrl(),
                    answer.refreshedAt().getEpochSecond(), answer.trigger());
            RefreshAttempts.finish(em, id);
            status = ConnectionStatus.valueOf(row.getStatus());
            LOG.infof("Connection %s: stored the refresh answer of %s held since the database failed to take it", id,
                    answer.refreshedAt());
        }
        if (trigger == Trigger.WRITE_BACK) {
            return Outcome.skipped(null);
        }
        if (status == ConnectionStatus.RECONNECT_REQUIRED) {
            row.setNextRefreshAt(null);
            return Outcome.from(unavailable(status, row.getLastError()));
        }
        if (trigger == Trigger.REFUSED) {
            if (!reported.isOf(seal.accessToken(row))) {
                // another caller or node replaced the refused token while this one waited: the usual rules apply
                VaultMetrics.refusal(row.getProviderAlias(), "stale");
                trigger = Trigger.ON_DEMAND;
            } else {
                Optional<Outcome> refusedOutcome = refusal(session, realm, row, now);
                if (refusedOutcome.isPresent()) {
                    return refusedOutcome.get();
                }
            }
        }
        if (trigger == Trigger.ON_DEMAND
                && !settings.schedule().dueOnDemand(Instant.ofEpochSecond(row.getExpiresAt()), Instant.ofEpochSecond(now))) {
            return Outcome.served(fresh(row)); // another caller or node refreshed while this one waited
        }
        if (trigger == Trigger.PROACTIVE && (row.getNextRefreshAt() == null || row.getNextRefreshAt() > now)) {
            return Outcome.skipped(fresh(row));
        }
        if (trigger == Trigger.HEALTH && row.getHealthCheckedAt() > now - settings.healthIntervalSeconds()) {
            return Outcome.skipped(fresh(row)); // checked by another run while this one waited for the row
        }
        row.setHealthCheckedAt(now);
        // the refresh token as committed (what a held answer replaced, or the row's), and the one to present now
        String committedRefreshToken = held.isPresent() ? held.get().replaces() : seal.refreshToken(row);
        String refreshToken = held.isPresent() ? held.get().tokens().refreshToken() : committedRefreshToken;
        if (refreshToken == null) {
            return markReconnectRequired(session, realm, row, trigger, "no_refresh_token: the provider gave no refresh token; connect again with offline access");
        }
        Optional<UpstreamClient> client = ConduitBrokers.client(session, session.identityProviders().getByAlias(row.getProviderAlias()));
        if (client.isEmpty()) {
            return transientFailure(session, realm, row, trigger, "provider_not_configured: identity provider "
                    + row.getProviderAlias() + " is missing or not a Conduit broker", null, now);
        }
        Optional<RefreshAttempts.Unfinished> unfinished = RefreshAttempts.unfinished(em, id);
        unfinished.ifPresent(lost -> LOG.warnf("Connection %s: a refresh started at %s on %s never stored its answer"
                + " (that node stopped mid-refresh)", id, Instant.ofEpochSecond(lost.startedAt()), lost.node()));
        RefreshAttempts.begin(factory, id, now);
        UpstreamTokenCalls calls = new UpstreamTokenCalls(session, settings.connectTimeoutMillis(), settings.readTimeoutMillis());
        int attempts = trigger == Trigger.ON_DEMAND || trigger == Trigger.REFUSED ? settings.inlineAttempts() : 1;
        TokenAnswer answer = null;
        boolean unanswered = false;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0 && !pause(settings.inlineBackoff().delay(attempt - 1, ((TokenAnswer.Refused) answer).retryAfter()))) {
                break;
            }
            long started = System.nanoTime();
            answer = calls.refresh(client.get(), refreshToken);
            VaultMetrics.refresh(row.getProviderAlias(), trigger.name().toLowerCase(),
                    answer instanceof TokenAnswer.Refused r ? r.failure().name().toLowerCase() : "success",
                    Duration.ofNanos(System.nanoTime() - started));
            if (!(answer instanceof TokenAnswer.Refused refused) || refused.failure() != RefreshFailure.TRANSIENT) {
                break;
            }
            unanswered |= refused.status() == 0;
            LOG.debugf("Refresh of connection %s failed transiently (attempt %d): %s", id, attempt + 1, refused.reason());
        }
        if (answer instanceof TokenAnswer.Granted granted) {
            RefreshedTokens tokens = RefreshedTokens.from(granted.accessToken(), granted.refreshToken(), refreshToken,
                    granted.expiresIn(), Duration.ofSeconds(client.get().lifetimeWithoutExpiresIn()), Instant.ofEpochSecond(now));
            // held until this transaction commits: the database may fail to store what the provider already rotated
            if (!unsaved.hold(id, new UnsavedRefreshes.Unsaved(committedRefreshToken, tokens, granted.scopes(),
                    granted.instanceUrl(), Instant.ofEpochSecond(now), trigger.name().toLowerCase()))) {
                LOG.warnf("Connection %s: too many unsaved refresh answers held; this one is not", id);
            }
            RefreshAttempts.finish(em, id);
            return Outcome.refreshed(store(session, realm, row, tokens, granted.scopes(), granted.instanceUrl(), now,
                    trigger.name().toLowerCase()));
        }
        RefreshAttempts.finish(em, id);
        TokenAnswer.Refused refused = (TokenAnswer.Refused) answer;
        if (refused.failure() == RefreshFailure.RECONNECT_REQUIRED) {
            // after an attempt that got no answer, a rotating provider may have rotated the token in the lost answer
            // which node lost the answer is for administrators only (LastError): apps and users get the reason
            return markReconnectRequired(session, realm, row, trigger, LastError.of(refused.reason()
                    + ": the provider refused the refresh token"
                    + (unanswered ? " after an earlier attempt got no answer (a rotating provider may have rotated it then)" : "")
                    + unfinished.map(lost -> "; an earlier refresh never stored its answer (its node stopped mid-refresh),"
                            + " and a provider that rotates refresh tokens rotated it then").orElse(""),
                    unfinished.map(lost -> "that refresh started at " + Instant.ofEpochSecond(lost.startedAt()) + " on node "
                            + lost.node()).orElse(null)));
        }
        return transientFailure(session, realm, row, trigger, refused.reason(), refused.retryAfter(), now);
    }

    /**
     * An app reports the row's current access token refused: applies {@link VaultSettings#refusals()} to the row's
     * refusal-triggered refreshes. Empty when the refresh goes ahead (the row now counts it); else the answer:
     * retry later, or the connection marked as needing its user.
     */
    private Optional<Outcome> refusal(KeycloakSession session, RealmModel realm, ConnectionEntity row, long now) {
        RefusalPolicy policy = settings.refusals();
        RefusalPolicy.Decision decision = policy.decide(new RefusalPolicy.State(row.getRefusalWindowAt(),
                row.getRefusalRefreshes(), row.getRefusalLastAt()), Instant.ofEpochSecond(now));
        VaultMetrics.refusal(row.getProviderAlias(), decision.verdict().name().toLowerCase());
        VaultEvents.tokenRefused(session, realm, row, decision.verdict().name().toLowerCase(), decision.next().refreshes());
        switch (decision.verdict()) {
            case REFRESH -> {
                row.setRefusalWindowAt(decision.next().windowStartedAt());
                row.setRefusalRefreshes(decision.next().refreshes());
                row.setRefusalLastAt(decision.next().lastRefreshAt());
                return Optional.empty();
            }
            case TOO_SOON -> {
                LOG.debugf("Connection %s: a refused token reported %d s after the last refusal refresh; not refreshed",
                        row.getId(), now - row.getRefusalLastAt());
                return Optional.of(Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                        "The provider refused this connection's newest token too; after a refusal it is replaced at most"
                                + " once every " + policy.spacing().toSeconds() + " s: retry in "
                                + decision.retryAfter().toSeconds() + " s"));
            }
            default -> {
                String reason = LastError.REFUSED_BY_PROVIDER + ": the provider refused the access tokens of "
                        + row.getRefusalRefreshes() + " refreshes in a row within " + policy.window().toMinutes()
                        + " minutes; connect again, and check the account's API access at the provider";
                String previous = row.getStatus();
                row.setStatus(ConnectionStatus.RECONNECT_REQUIRED.name());
                row.setNextRefreshAt(null);
                row.setLastError(reason);
                em(session).flush();
                VaultEvents.healthChanged(session, realm, row, previous, LastError.REFUSED_BY_PROVIDER);
                LOG.infof("Connection %s (%s) needs to be connected again: its fresh tokens keep being refused",
                        row.getId(), row.getProviderAlias());
                return Optional.of(Outcome.from(unavailable(ConnectionStatus.RECONNECT_REQUIRED, reason)));
            }
        }
    }

    /** Writes a granted refresh into the row (flushed, committed with the transaction) and records it. */
    private FreshToken store(KeycloakSession session, RealmModel realm, ConnectionEntity row, RefreshedTokens tokens,
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
        row.setNextRefreshAt(nextRefreshAt(row));
        em(session).flush();
        VaultEvents.refreshed(session, realm, row, trigger, tokens.rotated());
        if (!ConnectionStatus.HEALTHY.name().equals(previous)) {
            VaultEvents.healthChanged(session, realm, row, previous, "refreshed");
        }
        return fresh(row, tokens.accessToken());
    }

    private Outcome markReconnectRequired(KeycloakSession session, RealmModel realm, ConnectionEntity row, Trigger trigger,
            String reason) {
        String previous = row.getStatus();
        row.setStatus(ConnectionStatus.RECONNECT_REQUIRED.name());
        row.setNextRefreshAt(null);
        row.setLastError(reason);
        em(session).flush();
        VaultEvents.refreshFailed(session, realm, row, trigger.name().toLowerCase(), "reconnect_required");
        VaultEvents.healthChanged(session, realm, row, previous, "reconnect_required");
        LOG.infof("Connection %s (%s) needs to be connected again: %s", row.getId(), row.getProviderAlias(), reason);
        return Outcome.failed(ConnectionUnavailableException.RECONNECT_REQUIRED, LastError.forAppsAndOwners(reason));
    }

    /** Keeps the stored tokens, records the failure and when to try again; serves the old token while it lives. */
    private Outcome transientFailure(KeycloakSession session, RealmModel realm, ConnectionEntity row, Trigger trigger,
            String reason, Duration retryAfter, long now) {
        String previous = row.getStatus();
        row.setFailureCount(row.getFailureCount() + 1);
        row.setLastError(reason);
        row.setStatus(ConnectionStatus.EXPIRING.name());
        Duration wait = settings.failureBackoff().delay(row.getFailureCount() - 1, retryAfter);
        row.setNextRefreshAt(now + Math.max(1, wait.toSeconds()));
        em(session).flush();
        VaultEvents.refreshFailed(session, realm, row, trigger.name().toLowerCase(), reason);
        if (!ConnectionStatus.EXPIRING.name().equals(previous)) {
            VaultEvents.healthChanged(session, realm, row, previous, "refresh_failing");
        }
        String message = "The provider could not refresh the token (" + reason + "); retry later";
        // a refused token is not served back, however long it was meant to live
        if (now < row.getExpiresAt() && trigger != Trigger.REFUSED) {
            return Outcome.failedServing(fresh(row), ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, message);
        }
        return Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, message);
    }

    /** When the proactive refresher should look at this row next, or null when there is nothing it could do. */
    public Long nextRefreshAt(ConnectionEntity row) {
        if (row.getRefreshToken() == null || !ConnectionStatus.valueOf(row.getStatus()).serves()) {
            return null;
        }
        long lastRefresh = Math.max(row.getLastRefreshAt(), row.getConnectedAt());
        return settings.schedule().nextProactiveRefresh(Instant.ofEpochSecond(row.getExpiresAt()),
                Instant.ofEpochSecond(lastRefresh)).getEpochSecond();
    }

    private FreshToken fresh(ConnectionEntity row) {
        return fresh(row, seal.accessToken(row));
    }

    private static FreshToken fresh(ConnectionEntity row, String accessToken) {
        return new FreshToken(row.getId(), row.getProviderId(), row.getProviderAlias(), accessToken, row.getExpiresAt(),
                Scopes.parse(row.getScopes()), row.getInstanceUrl(), row.getAccountId(), row.getOrganizationId());
    }

    private static ConnectionUnavailableException unavailable(ConnectionStatus status, String lastError) {
        return switch (status) {
            case RECONNECT_REQUIRED -> new ConnectionUnavailableException(ConnectionUnavailableException.RECONNECT_REQUIRED,
                    "The connection must be authorized again"
                            + (lastError == null ? "" : " (" + LastError.forAppsAndOwners(lastError) + ")"));
            case REVOKED -> new ConnectionUnavailableException(ConnectionUnavailableException.NOT_CONNECTED,
                    "The connection was disconnected");
            default -> new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "The connection is not available");
        };
    }

    private static boolean pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }

    static EntityManager em(KeycloakSession session) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }
}
