package dev.conduit.vault.refresh;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refreshes the provider granted but the database did not store: the database went away between the provider's
 * answer and the commit. A rotating provider (Salesforce) has already retired the refresh token the row still holds,
 * so forgetting the answer would make the next refresh present a rotated token, which revokes the whole chain.
 * Each is held in this node's memory until a later transaction on the same connection writes it, and only while
 * the row still holds the refresh token the answer replaced (a reconnect or another refresh since makes it stale).
 * Bounded in number and in age; what does not fit is not held, and the caller's failure stands.
 */
public final class UnsavedRefreshes {

    /**
     * @param replaces the refresh token the row held when the refresh started (committed state)
     * @param scopes the granted scopes the answer named, or null
     * @param instanceUrl the instance URL the answer named, or null
     */
    public record Unsaved(String replaces, RefreshedTokens tokens, Set<String> scopes, String instanceUrl,
            Instant refreshedAt, String trigger) {
        @Override
        public String toString() {
            return "Unsaved[refreshedAt=" + refreshedAt + ", trigger=" + trigger + ", " + tokens + "]";
        }
    }

    private final Map<String, Unsaved> byConnection = new ConcurrentHashMap<>();
    private final int capacity;
    private final Duration keepFor;

    public UnsavedRefreshes(int capacity, Duration keepFor) {
        this.capacity = capacity;
        this.keepFor = keepFor;
    }

    /** Holds the answer until {@link #settled}; false when full (the answer is then lost with the transaction). */
    public boolean hold(String connectionId, Unsaved unsaved) {
        if (byConnection.size() >= capacity && !byConnection.containsKey(connectionId)) {
            return false;
        }
        byConnection.put(connectionId, unsaved);
        return true;
    }

    /**
     * The unsaved answer to write into the row now, if any: present, younger than the keep time, and replacing the
     * refresh token the row holds. A stale or expired one is dropped.
     */
    public Optional<Unsaved> toWrite(String connectionId, String storedRefreshToken, Instant now) {
        Unsaved unsaved = byConnection.get(connectionId);
        if (unsaved == null) {
            return Optional.empty();
        }
        if (!Objects.equals(unsaved.replaces(), storedRefreshToken) || unsaved.refreshedAt().plus(keepFor).isBefore(now)) {
            byConnection.remove(connectionId, unsaved);
            return Optional.empty();
        }
        return Optional.of(unsaved);
    }

    /** The connection's transaction committed: nothing of it is unsaved any more. */
    public void settled(String connectionId) {
        byConnection.remove(connectionId);
    }

    public boolean holds(String connectionId) {
        return byConnection.containsKey(connectionId);
    }

    public Set<String> connectionIds() {
        return Set.copyOf(byConnection.keySet());
    }

    public int size() {
        return byConnection.size();
    }
}
