package dev.conduit.vault.service;

import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.store.PendingRevocationEntity;
import dev.conduit.vault.store.RevocationClientEntity;

/**
 * Opens and re-seals the pending revocations' sealed columns. A pending revocation's tokens are its connection's
 * columns, copied unchanged, so they open with the connection's binding (realm, owner, alias and column, copied with
 * them), until the key rotation or the removal of their realm or organization re-seals them under the parked
 * revocations' own data key ({@link TokenCipher#parkedSealer}), which outlives both: shredding a realm's or an
 * organization's data keys leaves what still has to be revoked readable. A removed provider's settings are sealed bound to their row's realm, alias and id, and to a column name no
 * token column has, so neither can be swapped for the other.
 */
final class PendingSeal {

    static final String SETTINGS = "revocation-client";
    private final TokenCipher cipher;

    PendingSeal(TokenCipher cipher) {
        this.cipher = cipher;
    }

    String accessToken(PendingRevocationEntity pending) {
        return pending.getAccessToken() == null ? null : cipher.decrypt(pending.getAccessToken(), owner(pending, "access"));
    }

    String refreshToken(PendingRevocationEntity pending) {
        return pending.getRefreshToken() == null ? null : cipher.decrypt(pending.getRefreshToken(), owner(pending, "refresh"));
    }

    void sealSettings(RevocationClientEntity client, String settings) {
        TokenCipher.Sealer sealer = cipher.parkedSealer();
        client.setSettings(sealer.encrypt(settings, owner(client)));
        client.setKeyId(sealer.keyId());
    }

    String settings(RevocationClientEntity client) {
        return cipher.decrypt(client.getSettings(), owner(client));
    }

    /** Re-seals both tokens under the parked revocations' active data key; false when they were under it already. */
    boolean reseal(PendingRevocationEntity pending) {
        return reseal(pending, cipher.parkedSealer());
    }

    /** The same with the parked sealer already at hand, for many rows in one transaction. */
    boolean reseal(PendingRevocationEntity pending, TokenCipher.Sealer sealer) {
        if (sealer.keyId().equals(pending.getKeyId())) {
            return false;
        }
        if (pending.getAccessToken() != null) {
            pending.setAccessToken(sealer.reencrypt(pending.getAccessToken(), owner(pending, "access")));
        }
        if (pending.getRefreshToken() != null) {
            pending.setRefreshToken(sealer.reencrypt(pending.getRefreshToken(), owner(pending, "refresh")));
        }
        pending.setKeyId(sealer.keyId());
        return true;
    }

    boolean reseal(RevocationClientEntity client) {
        return reseal(client, cipher.parkedSealer());
    }

    boolean reseal(RevocationClientEntity client, TokenCipher.Sealer sealer) {
        if (sealer.keyId().equals(client.getKeyId())) {
            return false;
        }
        client.setSettings(sealer.reencrypt(client.getSettings(), owner(client)));
        client.setKeyId(sealer.keyId());
        return true;
    }

    TokenCipher.Sealer parkedSealer() {
        return cipher.parkedSealer();
    }

    private static TokenOwner owner(PendingRevocationEntity pending, String field) {
        return new TokenOwner(pending.getRealmId(), TokenOwner.Kind.valueOf(pending.getOwnerKind()), pending.getOwnerId(),
                pending.getProviderAlias(), field);
    }

    private static TokenOwner owner(RevocationClientEntity client) {
        return new TokenOwner(client.getRealmId(), TokenOwner.Kind.REVOKING, client.getId(), client.getProviderAlias(), SETTINGS);
    }
}
