package dev.conduit.vault.keycloak;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.conduit.vault.cache.Invalidation;
import dev.conduit.vault.cache.RowCaches;
import dev.conduit.vault.store.RowChanges;
import org.jboss.logging.Logger;
import org.keycloak.cluster.ClusterEvent;
import org.keycloak.cluster.ClusterProvider;
import org.keycloak.keys.infinispan.PublicKeyStorageInvalidationEvent;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.utils.KeycloakSessionUtil;

/**
 * The row caches' Keycloak side (issue 17): follows each session that works on the vault's tables to the end of its
 * transaction, and tells every node what it changed through Keycloak's {@link ClusterProvider}.
 *
 * <p>A change is applied to this node's caches at once (before the commit: nothing read from now on is kept), and
 * again after the transaction ends, committed or rolled back (a row read inside the writing transaction may have been
 * kept); after a commit it is also sent to every node, this one included ({@link ClusterProvider.DCNotify#ALL_DCS}). Keycloak's cluster provider puts the message into its replicated
 * {@code work} cache synchronously and the listeners run as each node applies it, so the request that wrote returns
 * only once the other nodes dropped the rows: a disconnect answered on node A is refused on node B at once. The
 * after-commit send is what makes it safe: a reader on B that read the old row before the commit holds a generation
 * ticket the message makes stale ({@code cache.GenerationCache}).
 *
 * <p>The message rides on Keycloak's own {@link PublicKeyStorageInvalidationEvent} (a string key, already known to
 * Keycloak's cluster marshalling), under this vault's own task key, so Keycloak's public-key cache never sees it; the
 * string is an {@link Invalidation}'s wire form: ids and names, never a token or key.
 */
final class RowCacheCluster implements RowChanges.Receiver {

    static final String TASK_KEY = "conduit-vault-row-cache";
    private static final String PENDING = RowCacheCluster.class.getName() + ".pending";
    private static final Logger LOG = Logger.getLogger(RowCacheCluster.class);

    /** When a write came from no watched transaction: everything is dropped on every node now and after these delays. */
    private static final long[] UNWATCHED_RESENDS_MILLIS = {0, 1_000, 5_000};

    private final KeycloakSessionFactory factory;
    private final RowCaches caches;
    private volatile ScheduledExecutorService resends;

    RowCacheCluster(KeycloakSessionFactory factory, RowCaches caches) {
        this.factory = factory;
        this.caches = caches;
    }

    /** At server start: receives the changes at once; the caches serve once this node hears every node's. */
    void start() {
        resends = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "conduit-row-cache-resend");
            thread.setDaemon(true);
            return thread;
        });
        RowChanges.receiveWith(this);
        KeycloakModelUtils.runJobInTransaction(factory,
                session -> session.getProvider(ClusterProvider.class).registerListener(TASK_KEY, this::received));
        caches.goLive();
    }

    void stop() {
        RowChanges.stopReceiving(this);
        if (resends != null) {
            resends.shutdownNow();
        }
    }

    private void received(ClusterEvent event) {
        // anything else under our task key is not ours to read: drop everything
        caches.apply(event instanceof PublicKeyStorageInvalidationEvent message ? Invalidation.parse(message.getCacheKey())
                : Invalidation.all());
    }

    @Override
    public void watch(KeycloakSession session) {
        if (session.getAttribute(PENDING) != null || !session.getTransactionManager().isActive()) {
            return;
        }
        Set<String> pending = new LinkedHashSet<>();
        AbstractKeycloakTransaction end = new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                ended(session, pending, true);
            }

            @Override
            protected void rollbackImpl() {
                // nothing changed in the database, so no other node can hold what this one read from its own transaction
                ended(session, pending, false);
            }
        };
        try {
            session.getTransactionManager().enlistAfterCompletion(end);
        } catch (IllegalStateException e) {
            // the transaction is already completing (an after-commit task's own use): its writes, if any, go the
            // unwatched way below
            return;
        }
        session.setAttribute(PENDING, pending);
    }

    @Override
    public void changed(Invalidation change) {
        caches.apply(change);
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        Object pending = session == null ? null : session.getAttribute(PENDING);
        if (pending instanceof Set<?> set) {
            @SuppressWarnings("unchecked")
            Set<String> messages = (Set<String>) set;
            messages.add(change.encode());
            return;
        }
        // a write from a session nobody watched (not expected: every writer goes through VaultStore.of), maybe inside its
        // flush: drop everything here, and on every node from another thread now and again once its commit is surely
        // done, so at worst a row read in between lasts until the last resend
        LOG.warn("Conduit row cache: a write outside a watched transaction; invalidating every node's row cache");
        caches.apply(Invalidation.all());
        ScheduledExecutorService scheduler = resends;
        if (scheduler == null) {
            return;
        }
        for (long delay : UNWATCHED_RESENDS_MILLIS) {
            try {
                scheduler.schedule(() -> KeycloakModelUtils.runJobInTransaction(factory,
                        own -> send(own, List.of(Invalidation.all().encode()))), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("Conduit row cache: stopping, no resend");
            }
        }
    }

    private void ended(KeycloakSession session, Set<String> pending, boolean committed) {
        session.removeAttribute(PENDING);
        if (pending.isEmpty()) {
            return;
        }
        List<String> messages = new ArrayList<>(pending);
        pending.clear();
        messages.forEach(message -> caches.apply(Invalidation.parse(message)));
        if (committed) {
            send(session, messages);
        }
    }

    private static void send(KeycloakSession session, List<String> messages) {
        List<ClusterEvent> events = messages.stream()
                .<ClusterEvent>map(PublicKeyStorageInvalidationEvent::create).toList();
        session.getProvider(ClusterProvider.class).notify(TASK_KEY, events, false, ClusterProvider.DCNotify.ALL_DCS);
    }
}
