package dev.conduit.vault.keys;

/** KEK ids (aliases, labels) travel in the stored form of a {@link WrappedKey}, so they are checked at start. */
final class KekIds {

    private KekIds() {
    }

    /** @throws IllegalStateException for an empty id or one holding '.', which the stored form cannot carry */
    static void check(String providerId, String id) {
        if (id == null || id.isEmpty() || id.contains(".")) {
            throw new IllegalStateException(providerId + " key provider: KEK id '" + id + "' must be non-empty without '.'");
        }
    }
}
