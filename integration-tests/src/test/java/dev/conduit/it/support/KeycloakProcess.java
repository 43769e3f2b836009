package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The one way the tests run a Keycloak distribution: the single node of {@link ConduitEnvironment}, the nodes of
 * {@link KeycloakCluster} and the benchmarks' plain and Conduit servers. It starts {@code kc.sh} with the given
 * command and options, the log in a file, a bootstrap admin from the environment (never on the command line),
 * waits until a probe answers, and stops the server with all of its processes (kc.sh and the java it starts),
 * gracefully or as {@code kill -9}. Helpers around it copy a distribution and run {@code kc.sh build}.
 */
public final class KeycloakProcess {

    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread shutdownHook;
    private final long startedNanos;

    private KeycloakProcess(String name, Process process, Path log, long startedNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
        // registered at once, so a server that never becomes usable is stopped with the test JVM too
        this.shutdownHook = new Thread(() -> {
            if (!terminate(false, Duration.ofSeconds(30))) {
                killHard();
            }
        });
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Options of the token vault under the names the server reads (one place for every launcher). */
    public static List<String> vaultKeyOptions(String keys, String activeKey) {
        return List.of(vaultOption("keys", keys), vaultOption("active-key", activeKey));
    }

    /** One token vault option, {@code --spi-conduit-vault--<name>=<value>}. */
    public static String vaultOption(String name, String value) {
        return "--spi-conduit-vault--" + name + "=" + value;
    }

    /** One token vault option under its name before the {@code conduit-vault} SPI, still read for one release. */
    public static String deprecatedVaultOption(String name, String value) {
        return "--spi-conduit-upstream-grant-handover--conduit-vault--" + name + "=" + value;
    }

    public static Builder in(Path home) {
        return new Builder(home);
    }

    /** What to start: the distribution's folder, {@code kc.sh}'s command and options, its environment and log. */
    public static final class Builder {
        private final Path home;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String name;
        private Path log;

        private Builder(Path home) {
            this.home = home;
            this.name = home.getFileName().toString();
            this.log = home.resolve("keycloak.log");
        }

        /** The kc.sh command and its fixed arguments, e.g. {@code start-dev} or {@code start --optimized}. */
        public Builder command(String... arguments) {
            command.addAll(List.of(arguments));
            return this;
        }

        public Builder option(String option) {
            command.add(option);
            return this;
        }

        public Builder options(List<String> options) {
            command.addAll(options);
            return this;
        }

        /** Keycloak's bootstrap admin {@code admin} with this password, given through the environment. */
        public Builder bootstrapAdmin(String password) {
            environment.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
            environment.put("KC_BOOTSTRAP_ADMIN_PASSWORD", password);
            return this;
        }

        public Builder environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        /** The name in failure messages (node-a, plain...). */
        public Builder named(String value) {
            this.name = value;
            return this;
        }

        public KeycloakProcess start() {
            List<String> full = new ArrayList<>();
            full.add(home.resolve("bin/kc.sh").toString());
            full.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            long started = System.nanoTime();
            try {
                return new KeycloakProcess(name, builder.start(), log, started);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + full.get(0), e);
            }
        }
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Milliseconds from the start until now. */
    public long millisSinceStart() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /**
     * Waits until {@code probe} answers 200 and {@code also} holds (e.g. a cluster view), polling every
     * {@code pollMillis}; fails with the log's tail when the server exits or the time is up.
     *
     * @return milliseconds from the start until ready
     */
    public long awaitReady(URI probe, Duration timeout, long pollMillis, BooleanSupplier also) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            failIfExited();
            if (answers(probe) && also.getAsBoolean()) {
                return millisSinceStart();
            }
            pause(pollMillis);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s:\n" + tail(log));
    }

    public long awaitReady(URI probe, Duration timeout) {
        return awaitReady(probe, timeout, 1000, () -> true);
    }

    /** Throws, with the log's tail, when the server is no longer running. */
    public void failIfExited() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(log));
        }
    }

    /** Whether {@code probe} answers 200 now. */
    public static boolean answers(URI probe) {
        try {
            return PROBE.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + probe, e);
        }
    }

    /** The resident set of the Keycloak JVM (kc.sh's java child), from /proc, in KiB. */
    public long rssKb() {
        long best = 0;
        for (ProcessHandle handle : Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList()) {
            Path status = Path.of("/proc/" + handle.pid() + "/status");
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        best = Math.max(best, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (IOException gone) {
                // that process has exited meanwhile
            }
        }
        return best;
    }

    /**
     * Dumps the server JVM's flight recording {@code recording} (started with {@code -XX:StartFlightRecording=name=...})
     * to {@code file}, through the test JVM's {@code jcmd}.
     */
    public void dumpFlightRecording(String recording, Path file) {
        // kc.sh execs java (the process itself), or runs it as a child
        ProcessHandle jvm = Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException(name + ": no java process under kc.sh"));
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(jvm.pid()), "JFR.dump", "name=" + recording,
                    "filename=" + file).redirectErrorStream(true).start();
            String output = new String(dump.getInputStream().readAllBytes());
            if (!dump.waitFor(120, TimeUnit.SECONDS) || dump.exitValue() != 0 || !Files.exists(file)) {
                throw new IllegalStateException("jcmd JFR.dump failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during jcmd JFR.dump", e);
        }
    }

    /** Graceful stop (SIGTERM to kc.sh and the server), then {@code kill -9} after 30 s. */
    public void stop() {
        if (!terminate(false, Duration.ofSeconds(30))) {
            killHard();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already: the hook runs anyway
        }
    }

    /** {@code kill -9} of the server and the kc.sh around it: no shutdown, open transactions end as connections drop. */
    public void killHard() {
        terminate(true, Duration.ofSeconds(30));
    }

    /** Signals kc.sh and its descendants and waits until every one of them has exited. */
    private boolean terminate(boolean force, Duration timeout) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        for (ProcessHandle handle : all) {
            if (force) {
                handle.destroyForcibly();
            } else {
                handle.destroy();
            }
        }
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        try {
            for (ProcessHandle handle : all) {
                handle.onExit().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** {@code kc.sh build} with these options (one augmentation, then {@code start --optimized}); its log in build.log. */
    public static void build(Path home, List<String> options, Duration timeout) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "build"));
        command.addAll(options);
        Path log = home.resolve("build.log");
        Process build;
        try {
            build = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kc.sh build", e);
        }
        try {
            if (!build.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyAll(build);
                throw new IllegalStateException("kc.sh build did not finish within " + timeout.toSeconds() + " s:\n" + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyAll(build);
            throw new IllegalStateException("interrupted during kc.sh build", e);
        }
        if (build.exitValue() != 0) {
            throw new IllegalStateException("kc.sh build exited with " + build.exitValue() + ":\n" + tail(log));
        }
    }

    /**
     * For {@link #copyDistribution}: the jar of this artifact in {@code providers/} (e.g. {@code conduit-token-vault},
     * whatever its version), to start a server without it.
     */
    public static Predicate<Path> providerJar(String artifactId) {
        return relative -> {
            String file = relative.getFileName() == null ? "" : relative.getFileName().toString();
            return relative.getNameCount() == 2 && relative.getName(0).toString().equals("providers")
                    && (file.equals(artifactId + ".jar") || file.startsWith(artifactId + "-") && file.endsWith(".jar"));
        };
    }

    /**
     * Copies a distribution folder without its data/ (H2 files, import folder, tmp), the tests' file vault or logs,
     * and without the files {@code leaveOut} names (relative paths).
     */
    public static void copyDistribution(Path from, Path to, Predicate<Path> leaveOut) {
        try {
            TestFiles.deleteTree(to);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + to, e);
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path relative = from.relativize(source);
                String first = relative.getNameCount() == 0 ? "" : relative.getName(0).toString();
                if (first.equals("data") || first.equals("conduit-test-vault") || first.endsWith(".log") || leaveOut.test(relative)) {
                    continue;
                }
                Path destination = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    private static String tail(Path log) {
        try {
            return TestFiles.tail(log);
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static void destroyAll(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
