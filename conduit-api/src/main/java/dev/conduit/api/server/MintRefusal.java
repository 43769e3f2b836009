package dev.conduit.api.server;

import dev.conduit.api.support.UntrustedText;

/**
 * A provider's refusal of a mint as Conduit acts on it.
 *
 * @param adminAction whether it stays refused until an admin acts at the provider or in Conduit (not retried as a
 *        transient failure); false for outages, rate limits and 5xx, which are retried with backoff
 * @param subjectOnly whether only this subject is refused (a Workspace user unknown to Google), not the connection
 * @param code Conduit's code for the status, e.g. {@code user_not_pre_authorized}
 * @param words the provider's reason in an admin's words, naming what to fix
 */
public record MintRefusal(boolean adminAction, boolean subjectOnly, String code, String words) {

    public static MintRefusal admin(String code, String words) {
        return new MintRefusal(true, false, code, words);
    }

    public static MintRefusal subject(String code, String words) {
        return new MintRefusal(true, true, code, words);
    }

    public static MintRefusal transientFailure(String words) {
        return new MintRefusal(false, false, "provider_unavailable", words);
    }

    /** 429 and 5xx are transient whatever the body says; a 400/401 the kind did not recognise needs an admin. */
    public static MintRefusal byStatus(int status, String error) {
        if (status == 429 || status >= 500) {
            return transientFailure("the provider answered " + status + "; Conduit retries");
        }
        return admin("mint_refused", "the provider refused the grant (" + (error == null ? "HTTP " + status : UntrustedText.forDisplay(error, 64)) + ")");
    }
}
