package dev.conduit.vault.service;

import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import dev.conduit.api.vault.ConduitVault;
import dev.conduit.vault.store.MigrationRunEntity;
import dev.conduit.vault.store.MigrationRunStore;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Moves the tokens Keycloak's Store Tokens kept in clear ({@code FEDERATED_IDENTITY.TOKEN}) of one Conduit broker into
 * the vault, as the user's connection a broker login would store ({@link ConduitVault#accept}), and clears the column.
 *
 * <p>A run is started by an administrator and runs on the vault's background pool; it is recorded in
 * {@code CONDUIT_MIGRATION_RUN} ({@link MigrationRunEntity}), so every node answers its progress and refuses a second
 * run while its heartbeat is fresh ({@link MigrationRunRules}). Batches of {@value StoredTokenBatches#BATCH} identities, each in its own
 * transaction, which also locks the run row, checks the run is still this attempt's, and writes its counts, heartbeat
 * and cursor: the sealed rows, the cleared columns and the figures commit together, so a run stopped anywhere (a crash,
 * a failing batch) leaves each identity either migrated or untouched and its counts exact, and a takeover continues
 * after the last identity committed. An identity whose user already has a vault connection of that provider keeps the
 * vault's (it came from a login through Conduit, later than anything Keycloak stored): skipped, and its stale plaintext
 * cleared. A token that is no token response is left as it is and counted ({@code unparseable}).
 */
public final class StoredTokenMigration {

    private static final Logger LOG = Logger.getLogger(StoredTokenMigration.class);

    /**
     * A run's figures as every node reads them; {@code remaining} counts the identities that still hold a token in clear
     * (as of the last batch while running, counted now otherwise). {@code error} and {@code reason} say why a FAILED
     * run stopped (never a token); {@code takeovers} how often a start continued a run whose node had died.
     */
    public record Progress(String state, String node, Long startedAt, Long heartbeatAt, Long finishedAt, int takeovers,
            long migrated, long skipped, long unparseable, long remaining, String error, String reason) {

        static Progress notStarted(long remaining) {
            return new Progress(MigrationRunRules.NOT_STARTED, null, null, null, null, 0, 0, 0, 0, remaining, null, null);
        }

        static Progress of(MigrationRunEntity run, String state, long remaining) {
            boolean failed = MigrationRunRules.FAILED.equals(state);
            return new Progress(state, run.getNode(), run.getStartedAt(), run.getHeartbeatAt(), run.getFinishedAt(),
                    run.getTakeovers(), run.getMigrated(), run.getSkipped(), run.getUnparseable(), remaining,
                    failed ? "temporarily_unavailable" : null, failed ? run.getReason() : null);
        }
    }

    /** A start's answer: the run's figures, and whether it continued a run whose node had died. */
    public record Started(Progress progress, boolean tookOver) {
    }

    /** Thrown when a run of that provider is going on (on any node, its heartbeat fresh); carries its figures. */
    public static final class AlreadyRunning extends RuntimeException {
        private final transient Progress progress;

        AlreadyRunning(Progress progress) {
            super("A migration of this identity provider is already running"
                    + (progress.node() == null ? "" : " on node " + progress.node()) + "; a run whose node stopped is taken"
                    + " over by a new start once it has had no heartbeat for " + MigrationRunRules.STALE_AFTER_SECONDS + " s");
            this.progress = progress;
        }

        public Progress progress() {
            return progress;
        }
    }

    private record Claim(Progress progress, MigrationRunRules.Start start) {
    }

    private final KeycloakSessionFactory factory;
    private final StoredTokenBatches batches;
    private final ExecutorService background;
    private final String node;

    StoredTokenMigration(KeycloakSessionFactory factory, ConnectionVault vault, ExecutorService background, String node) {
        this.factory = factory;
        this.batches = new StoredTokenBatches(vault);
        this.background = background;
        this.node = node;
    }

    /**
     * Starts the migration of {@code alias} (a Conduit broker of the realm, checked by the caller) on the background pool,
     * or takes over its run whose node died; answers the figures so far.
     *
     * @throws AlreadyRunning when a run of it is going on, on this node or another
     */
    public Started start(String realmId, String alias, String providerId) {
        String runId = UUID.randomUUID().toString();
        Claim claim;
        try {
            claim = inOwnTransaction(session -> claim(session, realmId, alias, runId, Time.currentTime()));
        } catch (ModelDuplicateException race) {
            // another node inserted the alias's first run at the same moment
            throw new AlreadyRunning(progress(realmId, alias));
        }
        if (claim.start() == MigrationRunRules.Start.REFUSED) {
            throw new AlreadyRunning(claim.progress());
        }
        try {
            background.submit(() -> run(realmId, alias, providerId, runId));
        } catch (RejectedExecutionException e) {
            fail(realmId, alias, runId, "the server is shutting down");
            return new Started(progress(realmId, alias), false);
        }
        LOG.infof("Stored-token migration of %s in realm %s %s on node %s", alias, realmId,
                claim.start() == MigrationRunRules.Start.TAKE_OVER ? "taken over" : "started", node);
        return new Started(claim.progress(), claim.start() == MigrationRunRules.Start.TAKE_OVER);
    }

    /** The latest run's figures (any node's), else a not-started answer with the identities holding a token now. */
    public Progress progress(String realmId, String alias) {
        return inOwnTransaction(session -> {
            MigrationRunEntity run = MigrationRunStore.of(session).find(realmId, alias);
            if (run == null) {
                return Progress.notStarted(StoredTokenBatches.remaining(session, realmId, alias));
            }
            String shown = MigrationRunRules.shown(run.getState(), run.getHeartbeatAt(), Time.currentTime());
            return Progress.of(run, shown, MigrationRunRules.RUNNING.equals(shown) ? run.getRemaining()
                    : StoredTokenBatches.remaining(session, realmId, alias));
        });
    }

    private Claim claim(KeycloakSession session, String realmId, String alias, String runId, long now) {
        MigrationRunStore store = MigrationRunStore.of(session);
        MigrationRunEntity run = store.locked(realmId, alias);
        MigrationRunRules.Start start = run == null ? MigrationRunRules.Start.NEW
                : MigrationRunRules.start(run.getState(), run.getHeartbeatAt(), now);
        if (start == MigrationRunRules.Start.REFUSED) {
            return new Claim(Progress.of(run, MigrationRunRules.RUNNING, run.getRemaining()), start);
        }
        boolean first = run == null;
        if (first) {
            run = new MigrationRunEntity();
            run.setId(UUID.randomUUID().toString());
            run.setRealmId(realmId);
            run.setProviderAlias(alias);
        }
        if (start == MigrationRunRules.Start.NEW) {
            run.setStartedAt(now);
            run.setTakeovers(0);
            run.setMigrated(0);
            run.setSkipped(0);
            run.setUnparseable(0);
            run.setAfterUserId("");
        } else {
            run.setTakeovers(run.getTakeovers() + 1);
        }
        run.setRunId(runId);
        run.setNode(node);
        run.setState(MigrationRunRules.RUNNING);
        run.setHeartbeatAt(now);
        run.setFinishedAt(null);
        run.setReason(null);
        run.setRemaining(StoredTokenBatches.remaining(session, realmId, alias));
        if (first) {
            store.persist(run);
        }
        return new Claim(Progress.of(run, MigrationRunRules.RUNNING, run.getRemaining()), start);
    }

    /** The run, batch after batch, until none is left, a batch fails, the run is taken over, or the server stops. */
    private void run(String realmId, String alias, String providerId, String runId) {
        long started = System.nanoTime();
        String state = MigrationRunRules.RUNNING;
        try {
            while (MigrationRunRules.RUNNING.equals(state)) {
                if (Thread.currentThread().isInterrupted()) {
                    LOG.infof("Stored-token migration of %s in realm %s stopped with the server; a new start continues it",
                            alias, realmId);
                    return;
                }
                state = inOwnTransaction(session -> batchOfRun(session, realmId, alias, providerId, runId));
            }
        } catch (RuntimeException failed) {
            LOG.warnf("Stored-token migration of %s in realm %s stopped: a batch failed (%s) and was rolled back; run it"
                    + " again to continue", alias, realmId, failed.getClass().getName());
            fail(realmId, alias, runId, "a batch failed and was rolled back (" + failed.getClass().getSimpleName()
                    + "); run it again to continue");
            return;
        }
        if (state == null) {
            LOG.infof("Stored-token migration of %s in realm %s: this node's attempt was taken over or ended elsewhere",
                    alias, realmId);
            return;
        }
        Progress done = progress(realmId, alias);
        LOG.infof("Stored-token migration of %s in realm %s: %d migrated, %d skipped, %d unparseable, %d remaining,"
                + " %d takeover(s), %d ms on node %s", alias, realmId, done.migrated(), done.skipped(), done.unparseable(),
                done.remaining(), done.takeovers(), (System.nanoTime() - started) / 1_000_000, node);
    }

    /** One batch, its figures and the heartbeat in one transaction; the run's state after it, null when not ours. */
    private String batchOfRun(KeycloakSession session, String realmId, String alias, String providerId, String runId) {
        MigrationRunEntity run = MigrationRunStore.of(session).locked(realmId, alias);
        if (run == null || !MigrationRunRules.holds(run.getState(), run.getRunId(), runId)) {
            return null;
        }
        StoredTokenBatches.Counts batch = batches.next(session, realmId, alias, providerId, run.getAfterUserId());
        run.setMigrated(run.getMigrated() + batch.migrated());
        run.setSkipped(run.getSkipped() + batch.skipped());
        run.setUnparseable(run.getUnparseable() + batch.unparseable());
        run.setAfterUserId(batch.lastUserId());
        run.setRemaining(StoredTokenBatches.remaining(session, realmId, alias));
        long now = Time.currentTime();
        run.setHeartbeatAt(now);
        if (batch.last()) {
            run.setState(MigrationRunRules.FINISHED);
            run.setFinishedAt(now);
        }
        return run.getState();
    }

    /** Ends the attempt's run as FAILED (its figures kept), if it still holds it. */
    private void fail(String realmId, String alias, String runId, String reason) {
        try {
            inOwnTransaction(session -> {
                MigrationRunEntity run = MigrationRunStore.of(session).locked(realmId, alias);
                if (run != null && MigrationRunRules.holds(run.getState(), run.getRunId(), runId)) {
                    long now = Time.currentTime();
                    run.setState(MigrationRunRules.FAILED);
                    run.setReason(reason);
                    run.setHeartbeatAt(now);
                    run.setFinishedAt(now);
                }
                return null;
            });
        } catch (RuntimeException unrecorded) {
            // the database is away too: the run stays RUNNING, is shown INTERRUPTED once stale, and a start continues it
            LOG.warnf("Stored-token migration of %s in realm %s: its failure could not be recorded (%s)", alias, realmId,
                    unrecorded.getClass().getName());
        }
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }
}
