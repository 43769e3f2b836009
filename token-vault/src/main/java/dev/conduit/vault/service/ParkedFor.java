package dev.conduit.vault.service;

/**
 * What a parked row's {@code LAST_ERROR} says until its revocation is first sent: what caused it and, for a disconnect,
 * the owner the row had (the row itself is re-owned by {@code REVOKING}), so the events of the send after the commit
 * name the user or organization that disconnected. After a failed send the reason replaces it: "retry", no owner.
 */
record ParkedFor(String why, String ownerKind, String ownerId) {

    private static final String PREFIX = "parked: ";
    private static final String BY = " by ";
    static final ParkedFor RETRY = new ParkedFor("retry", null, null);

    /** A removal's park: the owner is gone. */
    static String reason(String why) {
        return PREFIX + why;
    }

    /** A disconnect's park, with the owner the row had. */
    static String reason(String why, String ownerKind, String ownerId) {
        return PREFIX + why + BY + ownerKind + " " + ownerId;
    }

    static ParkedFor of(String lastError) {
        if (lastError == null || !lastError.startsWith(PREFIX) || lastError.length() == PREFIX.length()) {
            return RETRY;
        }
        String rest = lastError.substring(PREFIX.length());
        int by = rest.indexOf(BY);
        if (by < 0) {
            return new ParkedFor(rest, null, null);
        }
        String owner = rest.substring(by + BY.length());
        int space = owner.indexOf(' ');
        if (by == 0 || space <= 0 || space == owner.length() - 1) {
            return new ParkedFor(by == 0 ? RETRY.why() : rest.substring(0, by), null, null);
        }
        return new ParkedFor(rest.substring(0, by), owner.substring(0, space), owner.substring(space + 1));
    }
}
