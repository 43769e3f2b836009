package dev.conduit.vault.store;

import java.util.Optional;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Records each upstream refresh before it is sent, in its own committed transaction, and forgets it in the
 * transaction that stores the answer. A record found later by the holder of the connection's row lock means a
 * refresh whose answer was never stored: its node stopped (or lost the database) between sending and committing.
 * A provider that rotates refresh tokens may have rotated the stored one in that lost answer, so an
 * {@code invalid_grant} that follows can say why, instead of looking like a revocation by the user.
 */
public final class RefreshAttempts {

    /** A refresh that started and never stored its answer. */
    public record Unfinished(String node, long startedAt) {
    }

    /** This node, as recorded with its attempts and rounds: host name and process id. */
    public static final String NODE = nodeName();

    private RefreshAttempts() {
    }

    private static String nodeName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
        } catch (java.net.UnknownHostException e) {
            return "pid " + ProcessHandle.current().pid();
        }
    }

    /** An attempt left behind by an earlier refresh of this connection, read in the caller's transaction. */
    public static Optional<Unfinished> unfinished(EntityManager em, String connectionId) {
        RefreshAttemptEntity attempt = em.find(RefreshAttemptEntity.class, connectionId);
        return attempt == null ? Optional.empty() : Optional.of(new Unfinished(attempt.getNode(), attempt.getStartedAt()));
    }

    /** Records that this node is about to send a refresh, committed at once (it must outlive a crash of this node). */
    public static void begin(KeycloakSessionFactory factory, String connectionId, long now) {
        KeycloakModelUtils.runJobInTransaction(factory, session -> {
            EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
            RefreshAttemptEntity attempt = em.find(RefreshAttemptEntity.class, connectionId);
            if (attempt == null) {
                attempt = new RefreshAttemptEntity();
                attempt.setConnectionId(connectionId);
                em.persist(attempt);
            }
            attempt.setNode(NODE);
            attempt.setStartedAt(now);
        });
    }

    /** Forgets the connection's attempt, in the caller's transaction: committed with the stored answer, or not at all. */
    public static void finish(EntityManager em, String connectionId) {
        em.createNamedQuery("conduitFinishRefreshAttempt").setParameter("id", connectionId).executeUpdate();
    }
}
