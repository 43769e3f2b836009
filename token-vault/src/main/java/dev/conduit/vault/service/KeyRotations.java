package dev.conduit.vault.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.keys.KeyUnavailableException;
import dev.conduit.vault.store.DataKeyStore;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Re-encrypts a realm's connections not sealed under the ACTIVE data key of their scope (v1 rows of the configured
 * ring: the migration; rows of a RETIRED data key: data-key rotation) with that key, in the background on the
 * factory's pool: ids are read a page at a time (in id order, {@value #PAGE} per page), each row re-sealed in its own
 * transaction under the refresh locks and the row lock, so the server keeps serving throughout and no request holds
 * the realm's ids. One run per realm at a time on this node; {@link #progress} tells how far it got. A row whose key
 * was already retired cannot be opened: it is counted and named (at most {@value #NAMED} ids), never a failure of the
 * run. The old key must stay configured until a run finished with nothing left. Re-sealing writes the refresh token's
 * fingerprint under the active key ({@link RowSeal#seal}); a row already under the active key that has none yet (from
 * before changelog 0008) gets it too. The realm's pending revocations (its removed identity providers') are re-sealed
 * after its connections, and the master realm's run re-seals those of removed realms ({@link PendingRevocations#reseal}).
 */
public final class KeyRotations {

    private static final Logger LOG = Logger.getLogger(KeyRotations.class);
    static final int PAGE = 200;
    static final int NAMED = 100;

    /**
     * How far a realm's rotation got; {@code left} counts rows still under another key, not yet visited;
     * {@code activeKeyId} is the KEK that wraps the data keys.
     */
    public record Progress(String state, String activeKeyId, long startedAt, Long finishedAt, int done, long left,
            int undecryptable, List<String> undecryptableIds) {
        public static final String RUNNING = "RUNNING";
        public static final String FINISHED = "FINISHED";
        public static final String FAILED = "FAILED";
    }

    private final KeycloakSessionFactory factory;
    private final RowSeal seal;
    private final StoredDataKeys dataKeys;
    private final RefreshLocks locks;
    private final ExecutorService background;
    private final PendingRevocations pending;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    KeyRotations(KeycloakSessionFactory factory, RowSeal seal, StoredDataKeys dataKeys, RefreshLocks locks,
            ExecutorService background, PendingRevocations pending) {
        this.factory = factory;
        this.seal = seal;
        this.dataKeys = dataKeys;
        this.locks = locks;
        this.background = background;
        this.pending = pending;
    }

    /** One realm's run; figures written by the worker, read by the admin endpoint. */
    private static final class Run {
        final long startedAt = Time.currentTime();
        final long pendingAtStart;
        volatile String state = Progress.RUNNING;
        volatile Long finishedAt;
        volatile int done;
        final List<String> undecryptable = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int undecryptableCount;

        Run(long pendingAtStart) {
            this.pendingAtStart = pendingAtStart;
        }

        Progress progress(String activeKeyId) {
            List<String> named;
            synchronized (undecryptable) {
                named = List.copyOf(undecryptable);
            }
            return new Progress(state, activeKeyId, startedAt, finishedAt, done,
                    Math.max(0, pendingAtStart - done - undecryptableCount), undecryptableCount, named);
        }
    }

    /**
     * Starts the realm's rotation unless one runs already on this node; either way answers its progress, and whether
     * this call started it.
     */
    public Map.Entry<Boolean, Progress> start(String realmId) {
        return start(realmId, false);
    }

    /**
     * The same; with {@code orphans} (the master realm's rotation) the pending revocations of realms that no longer
     * exist are re-sealed too.
     */
    public Map.Entry<Boolean, Progress> start(String realmId, boolean orphans) {
        long pending = inOwnTransaction(s -> pendingIn(s, realmId));
        Run fresh = new Run(pending);
        Run current = runs.compute(realmId, (id, existing) ->
                existing != null && Progress.RUNNING.equals(existing.state) ? existing : fresh);
        if (current != fresh) {
            return Map.entry(false, current.progress(dataKeys.activeKekId()));
        }
        try {
            background.submit(() -> run(realmId, orphans, fresh));
        } catch (RejectedExecutionException e) {
            fresh.state = Progress.FAILED;
            fresh.finishedAt = (long) Time.currentTime();
            LOG.warnf("Key rotation of realm %s not started: the server is shutting down", realmId);
        }
        return Map.entry(true, fresh.progress(dataKeys.activeKekId()));
    }

    /** The realm's latest run on this node, if any. */
    public Optional<Progress> progress(String realmId) {
        return Optional.ofNullable(runs.get(realmId)).map(run -> run.progress(dataKeys.activeKekId()));
    }

    /** The realm's rows under no ACTIVE data key of the realm (v1 rows, rows of a RETIRED key). */
    static long pendingIn(KeycloakSession session, String realmId) {
        List<String> active = DataKeyStore.of(VaultStore.of(session)).activeIdsOfRealm(realmId);
        return VaultStore.of(session).countsByKey(realmId).entrySet().stream()
                .filter(e -> !active.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private void run(String realmId, boolean orphans, Run run) {
        try {
            String after = null;
            while (true) {
                String from = after;
                List<String> page = inOwnTransaction(s -> VaultStore.of(s).idsByRealmAfter(realmId, from, PAGE));
                if (page.isEmpty()) {
                    break;
                }
                for (String id : page) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new IllegalStateException("interrupted");
                    }
                    Boolean changed = locks.withLock(id, () -> inOwnTransaction(s -> reseal(s, id)));
                    if (changed == null) {
                        run.undecryptableCount++;
                        if (run.undecryptable.size() < NAMED) {
                            run.undecryptable.add(id);
                        }
                    } else if (changed) {
                        run.done++;
                    }
                }
                after = page.get(page.size() - 1);
            }
            // the pending revocations of the realm's removed providers (and, for the master realm, of removed realms)
            int pendingResealed = pending.reseal(realmId, orphans);
            int deleted = inOwnTransaction(s -> DataKeyStore.of(VaultStore.of(s)).deleteUnusedRetired(realmId)
                    + (orphans ? DataKeyStore.of(VaultStore.of(s)).deleteUnusedRetired(StoredDataKeys.PARKED_REALM) : 0));
            run.state = Progress.FINISHED;
            LOG.infof("Re-encrypted %d connection(s) of realm %s under its data keys; %d could not be opened; %d pending"
                    + " revocation row(s) re-sealed; %d retired data key(s) no row uses deleted", run.done, realmId,
                    run.undecryptableCount, pendingResealed, deleted);
        } catch (KeyUnavailableException e) {
            run.state = Progress.FAILED;
            LOG.warnf("Key rotation of realm %s stopped after %d connection(s): the key provider is unreachable (%s);"
                    + " nothing was lost, start it again later", realmId, run.done, e.getMessage());
        } catch (RuntimeException e) {
            run.state = Progress.FAILED;
            LOG.warnf("Key rotation of realm %s stopped after %d connection(s): %s", realmId, run.done, e.getClass().getName());
        } finally {
            run.finishedAt = (long) Time.currentTime();
        }
    }

    /** True when re-sealed, false when already under the active key (or gone), null when it cannot be opened. */
    private Boolean reseal(KeycloakSession session, String id) {
        ConnectionEntity row = VaultStore.of(session).locked(id);
        if (row == null) {
            return false;
        }
        if (seal.currentKeyId(row).equals(row.getKeyId())) {
            fingerprintIfStale(row, id);
            return false;
        }
        String accessToken;
        String refreshToken;
        try {
            accessToken = seal.accessToken(row);
            refreshToken = seal.refreshToken(row);
            seal.credential(row); // a server connection's credential, re-sealed with the tokens by seal()
        } catch (TokenDecryptionException e) {
            LOG.warnf("Key rotation skipped connection %s: it cannot be opened with this server's keys (%s)", id, e.getMessage());
            return null;
        }
        if (row.isServer()) {
            VaultStore.of(session).deleteSubjectTokens(id); // a per-user connection's cache, minted again on use
        }
        seal.seal(row, accessToken, refreshToken);
        return true;
    }

    /**
     * A row under the active key whose refresh token's fingerprint is missing (a row from before changelog 0008) or not
     * under the realm's ACTIVE data key (made under the ring before data keys, or under a retired realm key: an
     * organization's row, whose own key did not change) gets it re-written (not counted as re-sealed), so the ring and
     * retired keys stop being needed for fingerprints.
     */
    private void fingerprintIfStale(ConnectionEntity row, String id) {
        if (row.getRefreshToken() == null || seal.fingerprintCurrent(row)) {
            return;
        }
        try {
            row.setRefreshFingerprint(seal.fingerprint(row, seal.refreshToken(row)));
        } catch (TokenDecryptionException e) {
            LOG.debugf("Key rotation could not fingerprint connection %s: it cannot be opened with this server's keys", id);
        }
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }
}
