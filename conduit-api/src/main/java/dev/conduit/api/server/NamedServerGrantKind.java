package dev.conduit.api.server;

/** A kind's id and one line for admins, given once; the kinds extend it. */
public abstract class NamedServerGrantKind implements ServerGrantKind {

    private final String id;
    private final String description;
    private final java.util.List<ServerField> fields;

    protected NamedServerGrantKind(String id, String description, ServerField... fields) {
        this.id = id;
        this.description = description;
        this.fields = java.util.List.of(fields);
    }

    @Override
    public final java.util.List<ServerField> fields() {
        return fields;
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
