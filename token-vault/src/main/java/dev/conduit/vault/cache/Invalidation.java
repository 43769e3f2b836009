package dev.conduit.vault.cache;

import dev.conduit.api.vault.ConnectionKey;

/**
 * What a write changed, as the cluster carries it: one connection row (by its key), one data key (by id), a realm's
 * rows and data keys, or everything. The wire form is one line of ids and names (never a token or key); a message that
 * does not parse invalidates everything, so a garbled or future message fails closed.
 */
public record Invalidation(Kind kind, ConnectionKey row, String id) {

    public enum Kind { ROW, DATA_KEY, REALM, ALL }

    private static final String SEPARATOR = "\u001f";
    private static final String PREFIX = "conduit-vault";

    public static Invalidation row(ConnectionKey key) {
        return new Invalidation(Kind.ROW, key, null);
    }

    public static Invalidation dataKey(String id) {
        return new Invalidation(Kind.DATA_KEY, null, id);
    }

    public static Invalidation realm(String realmId) {
        return new Invalidation(Kind.REALM, null, realmId);
    }

    public static Invalidation all() {
        return new Invalidation(Kind.ALL, null, null);
    }

    public String encode() {
        return switch (kind) {
            case ROW -> String.join(SEPARATOR, PREFIX, kind.name(), row.realmId(), row.kind().name(), row.ownerId(), row.alias());
            case DATA_KEY, REALM -> String.join(SEPARATOR, PREFIX, kind.name(), id);
            case ALL -> String.join(SEPARATOR, PREFIX, kind.name());
        };
    }

    /** The message's invalidation; {@link #all()} for anything that does not parse. */
    public static Invalidation parse(String message) {
        if (message == null) {
            return all();
        }
        String[] parts = message.split(SEPARATOR, -1);
        if (parts.length < 2 || !PREFIX.equals(parts[0])) {
            return all();
        }
        try {
            Kind kind = Kind.valueOf(parts[1]);
            return switch (kind) {
                case ROW -> parts.length == 6
                        ? row(new ConnectionKey(parts[2], ConnectionKey.Kind.valueOf(parts[3]), parts[4], parts[5])) : all();
                case DATA_KEY -> parts.length == 3 ? dataKey(parts[2]) : all();
                case REALM -> parts.length == 3 ? realm(parts[2]) : all();
                case ALL -> all();
            };
        } catch (IllegalArgumentException e) {
            return all();
        }
    }
}
