package dev.conduit.vault.keys;

import java.util.List;

/** Real KEKs that a test can take away, as an HSM goes away ({@link #up}), and that count their unwraps. */
public final class ReachableKeys implements KeyEncryptionKeys {

    private final KeyEncryptionKeys keks;
    /** False: every wrap and unwrap throws {@link KeyUnavailableException}. */
    public boolean up = true;
    /** The unwraps that reached the KEKs. */
    public int unwraps;

    public ReachableKeys(KeyEncryptionKeys keks) {
        this.keks = keks;
    }

    @Override
    public String providerId() {
        return keks.providerId();
    }

    @Override
    public String activeKekId() {
        return keks.activeKekId();
    }

    @Override
    public List<String> kekIds() {
        return keks.kekIds();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey, byte[] aad) {
        if (!up) {
            throw new KeyUnavailableException("test HSM is away");
        }
        return keks.wrap(dataKey, aad);
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] aad) {
        if (!up) {
            throw new KeyUnavailableException("test HSM is away");
        }
        unwraps++;
        return keks.unwrap(wrapped, aad);
    }
}
