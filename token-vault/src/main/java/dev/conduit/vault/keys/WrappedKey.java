package dev.conduit.vault.keys;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A data key as a key provider wrapped it: the id of the KEK (or KEK version) that wrapped it and the provider's opaque
 * bytes. Stored as {@code k1.<kekId>.<base64url(bytes)>}; a KEK id holds no '.'. Not secret, but bound: it opens only
 * with its KEK and its associated data.
 */
public final class WrappedKey {

    private static final String VERSION = "k1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final String kekId;
    private final byte[] bytes;

    public WrappedKey(String kekId, byte[] bytes) {
        Objects.requireNonNull(kekId, "kekId");
        Objects.requireNonNull(bytes, "bytes");
        if (kekId.isEmpty() || kekId.contains(".")) {
            throw new IllegalArgumentException("KEK id '" + kekId + "' must be non-empty without '.'");
        }
        this.kekId = kekId;
        this.bytes = bytes.clone();
    }

    public String kekId() {
        return kekId;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String stored() {
        return VERSION + "." + kekId + "." + ENCODER.encodeToString(bytes);
    }

    /**
     * @throws WrappedKeyRefusedException when the value is not in the stored form
     */
    public static WrappedKey parse(String stored) {
        String[] parts = stored == null ? new String[0] : stored.split("\\.", -1);
        if (parts.length != 3 || !VERSION.equals(parts[0]) || parts[1].isEmpty()) {
            throw new WrappedKeyRefusedException("wrapped key is not in the k1 format");
        }
        try {
            return new WrappedKey(parts[1], Base64.getUrlDecoder().decode(parts[2]));
        } catch (IllegalArgumentException e) {
            throw new WrappedKeyRefusedException("wrapped key is not valid base64url");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WrappedKey that && kekId.equals(that.kekId) && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * kekId.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "WrappedKey[kek=" + kekId + ", " + bytes.length + " bytes]";
    }
}
