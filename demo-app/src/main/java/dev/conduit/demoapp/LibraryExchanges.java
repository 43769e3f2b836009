package dev.conduit.demoapp;

import java.util.function.Consumer;

import dev.conduit.example.ExchangeWire;
import dev.conduit.example.UpstreamToken;
import dev.conduit.example.UpstreamTokens;

/** {@link Fetcher}'s exchanges through the example internal app's library ({@link UpstreamTokens}). */
final class LibraryExchanges implements Fetcher.Exchanges {

    private final UpstreamTokens tokens;

    LibraryExchanges(UpstreamTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public UpstreamToken exchange(String subjectToken, String provider, String organization, Consumer<ExchangeWire> wire) {
        UpstreamTokens observed = tokens.observedBy(wire);
        return organization == null ? observed.forUser(subjectToken, provider)
                : observed.forOrganization(subjectToken, provider, organization);
    }

    @Override
    public UpstreamToken replacing(String subjectToken, UpstreamToken refused, Consumer<ExchangeWire> wire) {
        return tokens.observedBy(wire).replacing(subjectToken, refused);
    }
}
