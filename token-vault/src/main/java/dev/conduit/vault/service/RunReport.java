package dev.conduit.vault.service;

/** Figures of one refresh or health run, as the admin API returns them. */
public record RunReport(int due, int refreshed, int served, int skipped, int failed, long millis) {

    static RunReport empty(int due) {
        return new RunReport(due, 0, 0, 0, 0, 0);
    }

    static RunReport single(Outcome outcome, long nanos) {
        return empty(1).add(outcome).took(nanos);
    }

    RunReport add(Outcome outcome) {
        return switch (outcome.kind()) {
            case REFRESHED -> new RunReport(due, refreshed + 1, served, skipped, failed, millis);
            case SERVED -> new RunReport(due, refreshed, served + 1, skipped, failed, millis);
            case SKIPPED -> new RunReport(due, refreshed, served, skipped + 1, failed, millis);
            case FAILED -> new RunReport(due, refreshed, served, skipped, failed + 1, millis);
        };
    }

    RunReport took(long nanos) {
        return new RunReport(due, refreshed, served, skipped, failed, nanos / 1_000_000);
    }
}
