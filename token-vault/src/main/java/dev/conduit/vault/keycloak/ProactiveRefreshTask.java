package dev.conduit.vault.keycloak;

import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.store.RefreshAttempts;
import dev.conduit.vault.store.VaultStore;
import dev.conduit.vault.service.RunReport;
import dev.conduit.vault.service.VaultMetrics;
import dev.conduit.vault.service.VaultSettings;
import org.jboss.logging.Logger;
import org.keycloak.cluster.ClusterProvider;
import org.keycloak.cluster.ExecutionResult;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.timer.TimerProvider;

/**
 * The vault's scheduled work, on one node of the cluster per round (one round per interval): refresh connections
 * that are due, retry parked revocations, run the health check,
 * send the pending revocations of removed identity providers and realms, fingerprint rows from before changelog 0008. Before that, on every node, the refresh answers
 * that node holds because the database failed to store them are written. Keycloak's cluster provider keeps two nodes from
 * running at the same time, but it releases its lock when a run ends, so a node whose timer fires later in the same
 * interval would run again; the round is therefore claimed in the database ({@code CONDUIT_VAULT_ROUND}, a
 * conditional update that only one node can win).
 */
final class ProactiveRefreshTask implements Runnable {

    static final String TASK = "conduit-vault-refresh";
    private static final Logger LOG = Logger.getLogger(ProactiveRefreshTask.class);
    /** Recorded with the claimed round, for operators: which node ran it. */
    private static final String NODE = RefreshAttempts.NODE;

    private final KeycloakSessionFactory factory;
    private final ConnectionVault vault;
    private final int intervalSeconds;

    private ProactiveRefreshTask(KeycloakSessionFactory factory, ConnectionVault vault, int intervalSeconds) {
        this.factory = factory;
        this.vault = vault;
        this.intervalSeconds = intervalSeconds;
    }

    static void schedule(KeycloakSessionFactory factory, ConnectionVault vault, VaultSettings settings) {
        if (settings.refreshIntervalSeconds() <= 0) {
            LOG.info("Conduit token vault: proactive refresh is off (refresh-interval-seconds=0)");
            return;
        }
        ProactiveRefreshTask task = new ProactiveRefreshTask(factory, vault, settings.refreshIntervalSeconds());
        KeycloakModelUtils.runJobInTransaction(factory, session -> session.getProvider(TimerProvider.class)
                .schedule(task, settings.refreshIntervalSeconds() * 1000L, TASK));
    }

    @Override
    public void run() {
        long now = Time.currentTime();
        long round = now / intervalSeconds;
        try {
            // this node's own work first: refresh answers the database failed to store are held here only
            vault.writeBackUnsaved();
            ExecutionResult<RunReport> result = KeycloakModelUtils.runJobInTransactionWithResult(factory, session ->
                    session.getProvider(ClusterProvider.class).executeIfNotExecuted(TASK, intervalSeconds, () -> {
                        if (!claim(round, now)) {
                            VaultMetrics.proactiveRound(false);
                            LOG.tracef("Conduit vault round %d skipped: another node ran it", round);
                            return null;
                        }
                        VaultMetrics.proactiveRound(true);
                        RunReport refreshed = vault.refreshDue();
                        RunReport checked = vault.checkHealth();
                        vault.pendingRevocations().sendDue(null);
                        vault.fillFingerprints();
                        if (refreshed.due() > 0 || checked.due() > 0) {
                            LOG.debugf("Conduit vault run: refresh %s, health %s", refreshed, checked);
                        }
                        return refreshed;
                    }));
            if (!result.isExecuted()) {
                VaultMetrics.proactiveRound(false);
                LOG.tracef("Conduit vault run skipped: another node is running it");
            }
        } catch (RuntimeException e) {
            // the timer thread must survive a failed run (database briefly down); the next interval retries
            LOG.warnf("Conduit vault run failed: %s", e.getClass().getName());
        }
    }

    /** Claims the round for this node in its own, immediately committed transaction; true when it won. */
    private boolean claim(long round, long now) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, session -> VaultStore.of(session)
                .claimRound(TASK, round, NODE, now));
    }
}
