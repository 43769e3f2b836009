package dev.conduit.vault.service;

import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.store.ConnectionEntity;

/** Seals and opens a row's two token columns, each bound to the row's realm, owner, alias and column. */
public final class RowSeal {

    private static final String ACCESS = "access";
    private static final String REFRESH = "refresh";
    private final TokenCipher cipher;

    public RowSeal(TokenCipher cipher) {
        this.cipher = cipher;
    }

    public String accessToken(ConnectionEntity row) {
        return row.getAccessToken() == null ? null : cipher.decrypt(row.getAccessToken(), owner(row, ACCESS));
    }

    public String refreshToken(ConnectionEntity row) {
        return row.getRefreshToken() == null ? null : cipher.decrypt(row.getRefreshToken(), owner(row, REFRESH));
    }

    /** Seals both tokens under the active key for the row's current owner; a null refresh token clears the column. */
    public void seal(ConnectionEntity row, String accessToken, String refreshToken) {
        row.setAccessToken(accessToken == null ? null : cipher.encrypt(accessToken, owner(row, ACCESS)));
        row.setRefreshToken(refreshToken == null ? null : cipher.encrypt(refreshToken, owner(row, REFRESH)));
        row.setKeyId(cipher.activeKeyId());
    }

    public String activeKeyId() {
        return cipher.activeKeyId();
    }

    private static TokenOwner owner(ConnectionEntity row, String field) {
        return new TokenOwner(row.getRealmId(), TokenOwner.Kind.valueOf(row.getOwnerKind()), row.getOwnerId(),
                row.getProviderAlias(), field);
    }
}
