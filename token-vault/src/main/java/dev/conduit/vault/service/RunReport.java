package dev.conduit.vault.service;

/**
 * Figures of one refresh or health run, as the admin API returns them. A parked revocation the run retried is not a
 * failed refresh: it counts in {@code revocationsSent} (revoked at the provider, or done without a call: shared, nothing
 * to revoke) or {@code revocationsFailed} (still parked for a later retry, or dropped because it cannot be opened).
 */
public record RunReport(int due, int refreshed, int served, int skipped, int failed, int revocationsSent,
        int revocationsFailed, long millis) {

    static RunReport empty(int due) {
        return new RunReport(due, 0, 0, 0, 0, 0, 0, 0);
    }

    static RunReport single(Outcome outcome, long nanos) {
        return empty(1).add(outcome).took(nanos);
    }

    RunReport add(Outcome outcome) {
        return switch (outcome.kind()) {
            case REFRESHED -> new RunReport(due, refreshed + 1, served, skipped, failed, revocationsSent, revocationsFailed, millis);
            case SERVED -> new RunReport(due, refreshed, served + 1, skipped, failed, revocationsSent, revocationsFailed, millis);
            case SKIPPED -> new RunReport(due, refreshed, served, skipped + 1, failed, revocationsSent, revocationsFailed, millis);
            case FAILED -> new RunReport(due, refreshed, served, skipped, failed + 1, revocationsSent, revocationsFailed, millis);
            case REVOCATION_SENT -> new RunReport(due, refreshed, served, skipped, failed, revocationsSent + 1, revocationsFailed,
                    millis);
            case REVOCATION_FAILED -> new RunReport(due, refreshed, served, skipped, failed, revocationsSent,
                    revocationsFailed + 1, millis);
        };
    }

    RunReport took(long nanos) {
        return new RunReport(due, refreshed, served, skipped, failed, revocationsSent, revocationsFailed, nanos / 1_000_000);
    }
}
