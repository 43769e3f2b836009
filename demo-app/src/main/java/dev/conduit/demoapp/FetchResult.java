package dev.conduit.demoapp;

import java.util.List;

/**
 * What one "Fetch" did, for the page: the steps (each an exchange and, when it gave a token, the API call made
 * with it), the records, and a sentence saying how it went, with the button that fixes a refusal, if any.
 *
 * @param organization the organization whose connection was used, or null for the person's own
 * @param fix          the account-linking action that would fix a refusal, or null
 */
public record FetchResult(ProviderApi api, String organization, List<Step> steps, List<List<String>> rows,
        Outcome outcome, String sentence, Authorization.Purpose fix) {

    public enum Outcome {
        /** Records shown. */
        FETCHED,
        /** The provider refused the first token (401); a fresh one from Conduit fetched the records. */
        RECOVERED,
        /** Conduit refused the exchange: the person (or an organization admin) must act, or try later. */
        EXCHANGE_REFUSED,
        /** The provider refused the call. */
        API_REFUSED,
        /** Something did not answer. */
        FAILED
    }

    /** One exchange and the API call made with its token (null when the exchange gave none). */
    public record Step(ExchangeView exchange, ApiCall call) {
    }

    public boolean hasRecords() {
        return outcome == Outcome.FETCHED || outcome == Outcome.RECOVERED;
    }
}
