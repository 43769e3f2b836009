package dev.conduit.vault.store;

import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.service.RunReport;
import dev.conduit.vault.service.VaultSettings;
import org.jboss.logging.Logger;
import org.keycloak.cluster.ClusterProvider;
import org.keycloak.cluster.ExecutionResult;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.timer.TimerProvider;

/**
 * The vault's scheduled work, on one node of the cluster per interval (Keycloak's cluster provider elects it
 * through the shared cache): refresh connections that are due, retry parked revocations, run the health check.
 */
final class ProactiveRefreshTask implements Runnable {

    static final String TASK = "conduit-vault-refresh";
    private static final Logger LOG = Logger.getLogger(ProactiveRefreshTask.class);

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
        try {
            ExecutionResult<RunReport> result = KeycloakModelUtils.runJobInTransactionWithResult(factory, session ->
                    session.getProvider(ClusterProvider.class).executeIfNotExecuted(TASK, intervalSeconds, () -> {
                        RunReport refreshed = vault.refreshDue();
                        RunReport checked = vault.checkHealth();
                        if (refreshed.due() > 0 || checked.due() > 0) {
                            LOG.debugf("Conduit vault run: refresh %s, health %s", refreshed, checked);
                        }
                        return refreshed;
                    }));
            if (!result.isExecuted()) {
                LOG.tracef("Conduit vault run skipped: another node ran it");
            }
        } catch (RuntimeException e) {
            // the timer thread must survive a failed run (database briefly down); the next interval retries
            LOG.warnf("Conduit vault run failed: %s", e.getClass().getName());
        }
    }
}
