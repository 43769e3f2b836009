package dev.conduit.api.server;

/** A kind's id and one line for admins, given once; the kinds extend it. */
public abstract class NamedServerGrantKind implements ServerGrantKind {

    private final String id;
    private final String description;

    protected NamedServerGrantKind(String id, String description) {
        this.id = id;
        this.description = description;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String description() {
        return description;
    }
}
