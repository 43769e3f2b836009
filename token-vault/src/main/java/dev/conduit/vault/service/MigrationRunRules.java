package dev.conduit.vault.service;

/**
 * The stored-token migration's cluster-wide decisions, on a run's recorded state and heartbeat (epoch seconds): may a
 * run start, is a run stale, what state does a reader see, may a batch commit. One run per realm and alias: a run
 * whose heartbeat is fresh refuses a second start on every node; a run whose node died (no heartbeat for more than
 * {@link #STALE_AFTER_SECONDS}) is taken over by the next start, which continues it.
 *
 * <p>The runner writes the heartbeat in each batch's transaction, under the run row's lock, so a live node's batch,
 * however long, cannot be taken over halfway (the takeover waits for the lock and then finds the fresh heartbeat).
 * The bound only has to cover the moment between two batches and the time a queued run waits for the pool; node clocks
 * must agree within a few seconds.
 */
public final class MigrationRunRules {

    public static final String NOT_STARTED = "NOT_STARTED";
    public static final String RUNNING = "RUNNING";
    public static final String FINISHED = "FINISHED";
    public static final String FAILED = "FAILED";
    /** What a reader sees of a RUNNING run without a heartbeat for too long: its node stopped; a start continues it. */
    public static final String INTERRUPTED = "INTERRUPTED";

    /** A running run without a heartbeat for longer than this has lost its node. */
    public static final long STALE_AFTER_SECONDS = 30;

    /** What a start does with the run recorded for its realm and alias. */
    public enum Start {
        /** None recorded, or the last one ended: a new run, counts from zero. */
        NEW,
        /** The recorded run is RUNNING but stale: this node continues it, with its counts and cursor. */
        TAKE_OVER,
        /** The recorded run is RUNNING with a fresh heartbeat: 409 on every node. */
        REFUSED
    }

    private MigrationRunRules() {
    }

    /** @param state the recorded run's state, null when none is recorded */
    public static Start start(String state, long heartbeatAt, long now) {
        if (!RUNNING.equals(state)) {
            return Start.NEW;
        }
        return stale(heartbeatAt, now) ? Start.TAKE_OVER : Start.REFUSED;
    }

    public static boolean stale(long heartbeatAt, long now) {
        return now - heartbeatAt > STALE_AFTER_SECONDS;
    }

    /** The state a GET reports: the recorded one, or {@link #INTERRUPTED} for a stale RUNNING run. */
    public static String shown(String state, long heartbeatAt, long now) {
        return RUNNING.equals(state) && stale(heartbeatAt, now) ? INTERRUPTED : state;
    }

    /**
     * Whether the attempt {@code mine} still holds the run and may commit a batch of it: the run is RUNNING under that
     * attempt's id. A node whose run was taken over (it was paused past the bound) stops at its next batch.
     */
    public static boolean holds(String state, String recordedRunId, String mine) {
        return RUNNING.equals(state) && mine.equals(recordedRunId);
    }
}
