package dev.conduit.vault.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.api.vault.ConnectionKey;
import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.api.vault.FreshToken;
import dev.conduit.api.vault.RefusedToken;
import dev.conduit.vault.cache.GenerationCache;
import dev.conduit.vault.cache.RowCaches;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.keys.KeyUnavailableException;
import dev.conduit.vault.refresh.RefreshPolicy;
import dev.conduit.vault.refresh.RefreshPolicy.Trigger;
import dev.conduit.vault.refresh.UnsavedRefreshes;
import dev.conduit.vault.server.ServerMint;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.RefreshAttempts;
import dev.conduit.api.support.StorageOutage;
import dev.conduit.vault.store.VaultStore;
import dev.conduit.vault.upstream.TokenEndpoint;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Hands out upstream access tokens and keeps them fresh: exactly one upstream refresh per connection per
 * expiry, whatever the number of callers and nodes. The refresh itself is {@link Refresher}'s (claim the row's
 * lease in a short transaction, call the provider with no transaction open, store the answer in another short one);
 * what is decided is {@link RefreshPolicy}'s. This class serves tokens, runs the scheduled refresh and health runs on
 * the factory's worker pool, and the administrators' operations (expire, refresh now, key rotation through
 * {@link KeyRotations}). A granted refresh the database fails to store is held on this node ({@link UnsavedRefreshes})
 * and written by the next transaction on that connection, so a refresh token the provider rotated is never lost.
 * An app whose API call the provider answered 401 reports the refused token ({@link RefusedToken}): the connection is
 * refreshed only while it still holds that token, within {@link VaultSettings#refusals()}.
 */
public final class ConnectionVault {

    private static final Logger LOG = Logger.getLogger(ConnectionVault.class);

    /** At most this many unsaved refresh answers are held, each for at most a day. */
    private static final int UNSAVED_CAPACITY = 10_000;

    private final KeycloakSessionFactory factory;
    private final RowSeal seal;
    private final VaultSettings settings;
    private final RefreshPolicy policy;
    private final RefreshLocks locks = new RefreshLocks(1024);
    private final Revocations revocations;
    private final UnsavedRefreshes unsaved = new UnsavedRefreshes(UNSAVED_CAPACITY, Duration.ofDays(1));
    private final Refresher refresher;
    private final ExecutorService workers;
    private final KeyRotations keyRotations;
    private final FingerprintBackfill fingerprintBackfill;
    private final PendingRevocations pendingRevocations;
    private final StoredTokenMigration storedTokens;
    private final SubjectMints subjectMints;
    private final StoredDataKeys dataKeys;
    private final RowCaches rowCaches;

    /**
     * @param workers the factory's pool for scheduled runs ({@code refresh-threads} threads), shut down by the factory
     * @param background the factory's pool for long administrator jobs (key rotation, stored-token migration), shut down by the factory
     * @param rowCaches this node's cache of sealed rows, which the connection row of an exchange is read through
     */
    public ConnectionVault(KeycloakSessionFactory factory, RowSeal seal, StoredDataKeys dataKeys, VaultSettings settings,
            ExecutorService workers, ExecutorService background, RowCaches rowCaches) {
        this.factory = factory;
        this.rowCaches = rowCaches;
        this.dataKeys = dataKeys;
        this.seal = seal;
        this.settings = settings;
        this.policy = settings.refreshPolicy();
        this.revocations = new Revocations(seal, settings);
        this.workers = workers;
        this.refresher = new Refresher(factory, seal, policy, revocations, unsaved, locks,
                TokenEndpoint.keycloak(factory, settings.connectTimeoutMillis(), settings.readTimeoutMillis()),
                new RefreshAttempts(), RefreshEvents.KEYCLOAK, Time::currentTime, Refresher.Pause.SLEEP,
                ServerMint.Endpoint.keycloak(factory, settings.connectTimeoutMillis(), settings.readTimeoutMillis()));
        revocations.sendAfterCommitWith(this::sendParkedRevocation);
        this.pendingRevocations = new PendingRevocations(factory, new PendingSeal(seal.cipher()), revocations, settings,
                workers);
        this.keyRotations = new KeyRotations(factory, seal, dataKeys, locks, background, pendingRevocations);
        this.fingerprintBackfill = new FingerprintBackfill(factory, seal);
        this.storedTokens = new StoredTokenMigration(factory, this, background, RefreshAttempts.NODE);
        this.subjectMints = new SubjectMints(factory, seal, policy, locks,
                ServerMint.Endpoint.keycloak(factory, settings.connectTimeoutMillis(), settings.readTimeoutMillis()),
                Time::currentTime, Refresher.Pause.SLEEP);
    }

    /** A disconnect's revocation, after its commit: the parked row's retry on the workers (due now for the task too). */
    private void sendParkedRevocation(String id) {
        try {
            workers.submit(() -> refresher.refresh(id, Trigger.ADMIN, null));
        } catch (RejectedExecutionException e) {
            LOG.debugf("Connection %s: the workers are shut down; the scheduled task sends its revocation", id);
        }
    }

    public RowSeal seal() {
        return seal;
    }

    /** The data keys that seal the rows (envelope encryption). */
    public StoredDataKeys dataKeys() {
        return dataKeys;
    }

    public VaultSettings settings() {
        return settings;
    }

    public Revocations revocations() {
        return revocations;
    }

    public KeyRotations keyRotations() {
        return keyRotations;
    }

    /** The migration of the tokens Keycloak's Store Tokens kept in clear (see {@link StoredTokenMigration}). */
    public StoredTokenMigration storedTokens() {
        return storedTokens;
    }

    /** The revocations parked by the removal of an identity provider or a realm (see {@link PendingRevocations}). */
    public PendingRevocations pendingRevocations() {
        return pendingRevocations;
    }

    /**
     * The connection's access token, refreshed first when it is within the margin of expiry. The row is read in a
     * short transaction of its own, not the caller's: a caller whose request has not touched the database yet holds
     * no pooled connection while a refresh (its own or another node's) waits for the provider.
     */
    public FreshToken accessToken(KeycloakSession session, ConnectionKey key) throws ConnectionUnavailableException {
        ConnectionEntity row = stored(key);
        return accessToken(row);
    }

    /**
     * The connection's row as stored (detached): from this node's row cache ({@link RowCaches}: sealed, dropped on every
     * node by any change made through Keycloak), or else read and committed in a transaction of its own and kept there.
     * Whatever it holds, a token due for refresh goes to the refresher, which reads the row under its lock.
     */
    private ConnectionEntity stored(ConnectionKey key) throws ConnectionUnavailableException {
        Optional<ConnectionEntity> cached = rowCaches.row(key);
        if (cached.isPresent()) {
            VaultMetrics.rowCache(true);
            return cached.get();
        }
        Optional<ConnectionEntity> row;
        // taken before the read: a change committed meanwhile makes it stale, and the row read is not kept
        GenerationCache.Ticket ticket = rowCaches.rowTicket(key);
        try {
            row = inOwnTransaction(s -> find(s, key));
        } catch (RuntimeException e) {
            if (!StorageOutage.causedBy(e)) {
                throw e;
            }
            throw new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "The token store is unavailable; retry shortly");
        }
        VaultMetrics.rowCache(false);
        row.ifPresent(found -> rowCaches.keepRow(key, ticket, found));
        return row.orElseThrow(() -> new ConnectionUnavailableException(
                ConnectionUnavailableException.NOT_CONNECTED, "No " + key.alias() + " connection for this "
                        + key.kind().name().toLowerCase() + "; connect it first"));
    }

    /** This node's cache of sealed rows. */
    public RowCaches rowCaches() {
        return rowCaches;
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
        ConnectionEntity row = stored(key);
        return opening(row, () -> replacedToken(row, refused));
    }

    /**
     * The same for a caller acting as {@code subject}: a per-user server connection (issue 15) serves that user's token,
     * minted once per subject (as its provider spells it: Google's addresses in lower case) and expiry
     * ({@link SubjectMints}); any other connection as above. A subject a service
     * account named ({@code namedBy}, its client id) is served only by a per-user connection that allows that client.
     */
    public FreshToken accessToken(KeycloakSession session, ConnectionKey key, RefusedToken refused, String subject,
            String namedBy) throws ConnectionUnavailableException {
        ConnectionEntity row = stored(key);
        Optional<ServerGrantKind> perSubject = row.isServer() ? perSubject(session, row) : Optional.empty();
        if (perSubject.isPresent()) {
            return opening(row, () -> subjectMints.serve(row.getId(), perSubject.get(), subject, namedBy));
        }
        if (namedBy != null) {
            throw new ConnectionUnavailableException(ConnectionUnavailableException.SUBJECT_NOT_ALLOWED, "This connection"
                    + " acts as one account: requested_subject is for a connection that acts per user");
        }
        return refused == null ? accessToken(row) : opening(row, () -> replacedToken(row, refused));
    }

    /** The server connection's kind when it mints per subject, else empty. */
    private static Optional<ServerGrantKind> perSubject(KeycloakSession session, ConnectionEntity row) {
        return dev.conduit.api.grant.ConduitBrokers.of(session, session.identityProviders().getByAlias(row.getProviderAlias()))
                .flatMap(broker -> broker.serverGrantKind(row.getGrantKind()))
                .filter(ServerGrantKind::perSubject);
    }

    private interface Serving {
        FreshToken serve() throws ConnectionUnavailableException;
    }

    private FreshToken opening(ConnectionEntity row, Serving serving) throws ConnectionUnavailableException {
        try {
            return serving.serve();
        } catch (KeyUnavailableException e) {
            throw keyProviderUnavailable(row, e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof KeyUnavailableException unavailable) {
                throw keyProviderUnavailable(row, unavailable);
            }
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

    /**
     * The key provider cannot unwrap the row's data key (not in this node's memory) or wrap a new one: nothing is served,
     * nothing written, the app retries (503 {@code temporarily_unavailable} at the exchange).
     */
    private static ConnectionUnavailableException keyProviderUnavailable(ConnectionEntity row, KeyUnavailableException e) {
        LOG.warnf("Connection %s: the key provider is unreachable (%s)", row.getId(), e.getMessage());
        return new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                "The key provider is unreachable; retry shortly");
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
            return refresher.refresh(id, trigger, refused);
        } catch (RuntimeException e) {
            if (!StorageOutage.causedBy(e)) {
                throw e;
            }
            throw new ConnectionUnavailableException(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE,
                    "The token store is unavailable; retry shortly");
        }
    }

    /** The connection's row in the caller's transaction. */
    public Optional<ConnectionEntity> find(KeycloakSession session, ConnectionKey key) {
        return VaultStore.of(session).find(key.realmId(), key.kind().name(), key.ownerId(), key.alias());
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
        Outcome outcome = refresher.refresh(connectionId, Trigger.ADMIN, null);
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
                refresher.refresh(id, Trigger.WRITE_BACK, null);
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
        List<String> due = inOwnTransaction(s -> VaultStore.of(s).dueIds(now, realmId, settings.refreshBatch()));
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
        List<String> stale = inOwnTransaction(s -> VaultStore.of(s).healthDueIds(before, settings.refreshBatch()));
        return runEach(stale, Trigger.HEALTH).took(System.nanoTime() - started);
    }

    /**
     * Fills the refresh-token fingerprints of rows from before changelog 0008, up to {@code refresh-batch} rows per
     * call (the scheduled task's rounds), until none is left; answers how many it filled.
     */
    public int fillFingerprints() {
        return fingerprintBackfill.fill(settings.refreshBatch());
    }

    private RunReport runEach(List<String> ids, Trigger trigger) {
        RunReport report = RunReport.empty(ids.size());
        if (ids.isEmpty()) {
            return report;
        }
        List<Future<Outcome>> results = ids.stream()
                .map(id -> workers.submit(() -> refresher.refresh(id, trigger, null)))
                .toList();
        try {
            for (int i = 0; i < results.size(); i++) {
                try {
                    report = report.add(results.get(i).get());
                } catch (ExecutionException e) {
                    LOG.warnf("Refreshing connection %s failed: %s", ids.get(i), e.getCause().getClass().getName());
                    report = report.add(Outcome.failed(ConnectionUnavailableException.TEMPORARILY_UNAVAILABLE, "internal error"));
                }
            }
        } catch (InterruptedException e) {
            results.forEach(result -> result.cancel(true));
            Thread.currentThread().interrupt();
        }
        return report;
    }

    /** When the proactive refresher should look at this row next, or null when there is nothing it could do. */
    public Long nextRefreshAt(ConnectionEntity row) {
        return nextRefreshAt(policy, row);
    }

    static Long nextRefreshAt(RefreshPolicy policy, ConnectionEntity row) {
        // a server connection needs no refresh token: it mints again (or checks its static token)
        return policy.nextRefreshAt(row.getRefreshToken() != null || row.isServer(), ConnectionStatus.valueOf(row.getStatus()).serves(),
                row.getExpiresAt(), Math.max(row.getLastRefreshAt(), row.getConnectedAt()));
    }

    private FreshToken fresh(ConnectionEntity row) {
        return refresher.fresh(row);
    }

    private static ConnectionUnavailableException unavailable(ConnectionStatus status, String lastError) {
        return Refresher.unavailable(status, lastError);
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }

    static EntityManager em(KeycloakSession session) {
        dev.conduit.vault.store.RowChanges.watch(session);
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }
}
