package dev.conduit.vault.store;

import java.util.Optional;

/**
 * Records each upstream refresh before it is sent, in the transaction that claims the row's lease (committed before
 * the call goes out), and forgets it in the transaction that stores the answer. A record found later by the next
 * refresher that claims the row means a refresh whose answer was never stored: its node stopped (or lost the
 * database) between sending and committing. A provider that rotates refresh tokens may have rotated the stored one
 * in that lost answer, so an {@code invalid_grant} that follows can say why, instead of looking like a revocation by
 * the user.
 */
public class RefreshAttempts {

    /** A refresh that started and never stored its answer. */
    public record Unfinished(String node, long startedAt) {
    }

    /** This node, as recorded with its attempts, rounds and leases: host name and process id. */
    public static final String NODE = nodeName();

    private static String nodeName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
        } catch (java.net.UnknownHostException e) {
            return "pid " + ProcessHandle.current().pid();
        }
    }

    /** An attempt left behind by an earlier refresh of this connection, read in the caller's transaction. */
    public Optional<Unfinished> unfinished(VaultStore store, String connectionId) {
        RefreshAttemptEntity attempt = store.attempt(connectionId);
        return attempt == null ? Optional.empty() : Optional.of(new Unfinished(attempt.getNode(), attempt.getStartedAt()));
    }

    /** Records that this node is about to send a refresh, in the caller's transaction (committed before sending). */
    public void begin(VaultStore store, String connectionId, long now) {
        RefreshAttemptEntity attempt = store.attempt(connectionId);
        if (attempt == null) {
            attempt = new RefreshAttemptEntity();
            attempt.setConnectionId(connectionId);
            store.persist(attempt);
        }
        attempt.setNode(NODE);
        attempt.setStartedAt(now);
    }

    /** Forgets the connection's attempt, in the caller's transaction: committed with the stored answer, or not at all. */
    public void finish(VaultStore store, String connectionId) {
        store.deleteAttempt(connectionId);
    }
}
