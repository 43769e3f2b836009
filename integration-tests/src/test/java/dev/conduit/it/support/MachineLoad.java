package dev.conduit.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How busy the whole machine was while a benchmark ran (every process, not only ours), from {@code /proc/stat} and
 * {@code /proc/loadavg}: the benchmarks run on shared machines, so their figures say what else was running.
 */
public final class MachineLoad {

    private final long[] start;

    private MachineLoad(long[] start) {
        this.start = start;
    }

    public static MachineLoad start() {
        return new MachineLoad(cpuTimes());
    }

    /** {@code cores=.. busy_pct=.. loadavg=..} since {@link #start()}; {@code unavailable} where /proc is missing. */
    public String summary() {
        long[] end = cpuTimes();
        if (start == null || end == null) {
            return "cpu=unavailable";
        }
        long total = end[0] - start[0];
        long idle = end[1] - start[1];
        String loadavg;
        try {
            loadavg = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+", 4)[0];
        } catch (IOException e) {
            loadavg = "unavailable";
        }
        return String.format(Locale.ROOT, "cores=%d busy_pct=%.0f loadavg_1m=%s", Runtime.getRuntime().availableProcessors(),
                total == 0 ? 0.0 : 100.0 * (total - idle) / total, loadavg);
    }

    /** Total and idle (idle + iowait) jiffies of all CPUs, or null. */
    private static long[] cpuTimes() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
