package dev.conduit.vault.keycloak;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The vault's thread pools, owned by its factory for the server's lifetime (never one per run). */
final class VaultPools {

    private VaultPools() {
    }

    /** The scheduled refresh and health runs' workers ({@code refresh-threads}). */
    static ExecutorService workers(int threads) {
        return Executors.newFixedThreadPool(Math.max(1, threads), named("conduit-vault-refresh-"));
    }

    /** One thread for long administrator jobs (key rotation), one job after the other. */
    static ExecutorService background() {
        return Executors.newSingleThreadExecutor(named("conduit-vault-job-"));
    }

    static void shutdown(ExecutorService pool) {
        if (pool == null) {
            return;
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
