package dev.conduit.demoapp;

import dev.conduit.example.UpstreamToken;
import dev.conduit.example.UpstreamTokens;

/** {@link Fetcher}'s exchanges through the example internal app's library ({@link UpstreamTokens}). */
final class LibraryExchanges implements Fetcher.Exchanges {

    private final UpstreamTokens tokens;

    LibraryExchanges(UpstreamTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public UpstreamToken exchange(String subjectToken, String provider, String organization) {
        return organization == null ? tokens.forUser(subjectToken, provider)
                : tokens.forOrganization(subjectToken, provider, organization);
    }

    @Override
    public UpstreamToken replacing(String subjectToken, UpstreamToken refused) {
        return tokens.replacing(subjectToken, refused);
    }
}
