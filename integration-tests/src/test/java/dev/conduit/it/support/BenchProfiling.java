package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The benchmarks' profiling switches, both off unless a system property asks for them:
 * <ul>
 *   <li>{@value #JFR_PROPERTY}{@code =<file>}: the shared Keycloak JVM runs a Java Flight Recording (profile settings,
 *   deep stacks) that the benchmark dumps to that file when it ends, and the benchmark writes the time window of every
 *   measured block to {@code <file>.windows} ({@code endpoint startEpochMs endEpochMs requests}), so that
 *   {@code scripts/JfrPhases.java} can attribute the samples of each endpoint to phases;</li>
 *   <li>{@value #SQL_PROPERTY}{@code =true}: the embedded PostgreSQL loads {@code pg_stat_statements}, and the benchmark
 *   counts the statements the server ran during each endpoint's measured blocks ({@link SqlStatements}).</li>
 * </ul>
 */
public final class BenchProfiling {

    public static final String JFR_PROPERTY = "conduit.bench.jfr";
    public static final String SQL_PROPERTY = "conduit.bench.sql";
    /** The recording's name, for jcmd. */
    public static final String RECORDING = "conduit-bench";

    private BenchProfiling() {
    }

    /** The recording's file, or null when no recording was asked for. */
    public static Path jfrFile() {
        String file = System.getProperty(JFR_PROPERTY, "");
        return file.isBlank() ? null : Path.of(file).toAbsolutePath();
    }

    public static boolean sqlStatements() {
        return Boolean.parseBoolean(System.getProperty(SQL_PROPERTY, "false"));
    }

    /**
     * The Keycloak process's environment for the recording ({@code JAVA_OPTS_APPEND}, which kc.sh adds to the JVM's
     * options); empty when none was asked for. Dumped on exit as well, should the benchmark not get to dump it.
     */
    public static Map<String, String> keycloakEnvironment() {
        Path file = jfrFile();
        if (file == null) {
            return Map.of();
        }
        return Map.of("JAVA_OPTS_APPEND", "-XX:FlightRecorderOptions:stackdepth=512 -XX:StartFlightRecording=name="
                + RECORDING + ",settings=profile,dumponexit=true,filename=" + file);
    }

    /** Appends one measured block's window to {@code <file>.windows}; nothing when no recording was asked for. */
    public static void recordWindow(String endpoint, long startEpochMillis, long endEpochMillis, int requests) {
        Path file = jfrFile();
        if (file == null) {
            return;
        }
        try {
            Files.writeString(windowsFile(file), endpoint + " " + startEpochMillis + " " + endEpochMillis + " " + requests + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark windows next to " + file, e);
        }
    }

    /** Starts {@code <file>.windows} afresh (a run's windows only). */
    public static void resetWindows() {
        Path file = jfrFile();
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(windowsFile(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path windowsFile(Path jfr) {
        return jfr.resolveSibling(jfr.getFileName() + ".windows");
    }
}
