package dev.conduit.vault.service;

import dev.conduit.api.vault.ConnectionUnavailableException;
import dev.conduit.api.vault.FreshToken;

/** What one locked refresh attempt ended with; returned (not thrown) so its transaction always commits. */
record Outcome(Kind kind, FreshToken token, String code, String message) {

    /** REVOCATION_SENT and REVOCATION_FAILED: a parked revocation was retried (the connection serves nothing either way). */
    enum Kind { REFRESHED, SERVED, SKIPPED, FAILED, REVOCATION_SENT, REVOCATION_FAILED }

    static Outcome refreshed(FreshToken token) {
        return new Outcome(Kind.REFRESHED, token, null, null);
    }

    static Outcome served(FreshToken token) {
        return new Outcome(Kind.SERVED, token, null, null);
    }

    static Outcome skipped(FreshToken token) {
        return new Outcome(Kind.SKIPPED, token, null, null);
    }

    static Outcome failed(String code, String message) {
        return new Outcome(Kind.FAILED, null, code, message);
    }

    /** The refresh failed but the stored access token is still valid: the caller gets it, the run counts a failure. */
    static Outcome failedServing(FreshToken token, String code, String message) {
        return new Outcome(Kind.FAILED, token, code, message);
    }

    /** A parked revocation was retried: {@code sent} when done at (or for) the provider, else still parked or dropped. */
    static Outcome revocationRetried(boolean sent) {
        return new Outcome(sent ? Kind.REVOCATION_SENT : Kind.REVOCATION_FAILED, null,
                ConnectionUnavailableException.NOT_CONNECTED, "The connection was disconnected");
    }

    static Outcome from(ConnectionUnavailableException e) {
        return failed(e.code(), e.getMessage());
    }

    FreshToken tokenOrThrow() throws ConnectionUnavailableException {
        if (token == null) {
            throw new ConnectionUnavailableException(code, message);
        }
        return token;
    }
}
