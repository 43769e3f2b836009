package dev.conduit.vault.service;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Node-local queue in front of the database row lock: concurrent callers for one connection on this node
 * wait here, so only one of them at a time opens a transaction and takes the row lock (which is what
 * serializes refreshes across nodes). Striped: bounded memory, unrelated connections rarely share a stripe.
 */
final class RefreshLocks {

    private final ReentrantLock[] stripes;

    RefreshLocks(int stripes) {
        this.stripes = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new ReentrantLock();
        }
    }

    <T> T withLock(String connectionId, Supplier<T> work) {
        ReentrantLock lock = stripes[Math.floorMod(connectionId.hashCode(), stripes.length)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
