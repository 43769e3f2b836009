package dev.conduit.vault.service;

/**
 * Figures of one run over the pending revocations of removed identity providers and realms, as the admin API returns
 * them: {@code sent} (revoked at the provider, already invalid there, or nothing to revoke), {@code failed} (kept for a
 * later attempt), {@code gaveUp} (deleted after the last attempt failed, or unopenable), {@code left} (still pending).
 */
public record PendingReport(int due, int sent, int failed, int gaveUp, long left, long millis) {
}
