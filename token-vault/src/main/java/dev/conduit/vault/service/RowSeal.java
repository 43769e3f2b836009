package dev.conduit.vault.service;

import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.store.ConnectionEntity;

/**
 * Seals and opens a row's token columns under the ACTIVE data key of the row's scope (v2; v1 rows still open), each bound to the row's realm, owner, alias and column, and writes the
 * refresh token's keyed fingerprint with it ({@link TokenFingerprints}): every write of the refresh token goes through
 * {@link #seal}, so a row's fingerprint is null only for rows from before changelog 0008.
 */
public final class RowSeal {

    private static final String ACCESS = "access";
    private static final String REFRESH = "refresh";
    private static final String CREDENTIAL = "credential";
    private final TokenCipher cipher;
    private final TokenFingerprints fingerprints;

    public RowSeal(TokenCipher cipher, TokenFingerprints fingerprints) {
        this.cipher = cipher;
        this.fingerprints = fingerprints;
    }

    public String accessToken(ConnectionEntity row) {
        return row.getAccessToken() == null ? null : cipher.decrypt(row.getAccessToken(), owner(row, ACCESS));
    }

    public String refreshToken(ConnectionEntity row) {
        return row.getRefreshToken() == null ? null : cipher.decrypt(row.getRefreshToken(), owner(row, REFRESH));
    }

    /**
     * Whether both token columns open with this server's keys for the row's owner: false for a row sealed under a key
     * no longer configured, or altered, or copied from another owner. The opened tokens are dropped at once.
     */
    public boolean opens(ConnectionEntity row) {
        try {
            accessToken(row);
            refreshToken(row);
            credential(row);
            return true;
        } catch (TokenDecryptionException e) {
            return false;
        }
    }

    /** A per-user connection's token for one subject, sealed to the connection's owner and that subject. */
    public String subjectToken(ConnectionEntity row, dev.conduit.vault.store.SubjectTokenEntity token) {
        return token.getAccessToken() == null ? null
                : cipher.decrypt(token.getAccessToken(), owner(row, "subject:" + token.getSubject()));
    }

    public void sealSubjectToken(ConnectionEntity row, dev.conduit.vault.store.SubjectTokenEntity token, String accessToken) {
        TokenOwner owner = owner(row, "subject:" + token.getSubject());
        TokenCipher.Sealer sealer = cipher.sealer(owner);
        token.setAccessToken(accessToken == null ? null : sealer.encrypt(accessToken, owner));
        token.setKeyId(sealer.keyId());
    }

    /** A server connection's sealed credential (JSON, see {@link ServerCredentials}), or null when the row has none. */
    public String credential(ConnectionEntity row) {
        return row.getCredential() == null ? null : cipher.decrypt(row.getCredential(), owner(row, CREDENTIAL));
    }

    /**
     * Seals a server connection's credential under the active key for the row's current owner, and re-seals its
     * tokens under that key too, so the row's {@code KEY_ID} names the key of all three columns.
     */
    public void sealCredential(ConnectionEntity row, String credentialJson) {
        String accessToken = accessToken(row);
        String refreshToken = refreshToken(row);
        row.setCredential(cipher.sealer(owner(row, ACCESS)).encrypt(credentialJson, owner(row, CREDENTIAL)));
        seal(row, accessToken, refreshToken);
    }

    /**
     * Seals both tokens under the active key for the row's current owner; a null refresh token clears the column. A
     * server connection's credential still under an older key is re-sealed under the active one with them (key rotation,
     * and every mint), so the row's {@code KEY_ID} is true of every sealed column.
     */
    public void seal(ConnectionEntity row, String accessToken, String refreshToken) {
        TokenCipher.Sealer sealer = cipher.sealer(owner(row, ACCESS));
        if (row.getCredential() != null) {
            row.setCredential(sealer.reencrypt(row.getCredential(), owner(row, CREDENTIAL)));
        }
        row.setAccessToken(accessToken == null ? null : sealer.encrypt(accessToken, owner(row, ACCESS)));
        row.setRefreshToken(refreshToken == null ? null : sealer.encrypt(refreshToken, owner(row, REFRESH)));
        row.setKeyId(sealer.keyId());
        row.setRefreshFingerprint(refreshToken == null ? null : fingerprint(row, refreshToken));
    }

    /** The refresh token's fingerprint under the realm's ACTIVE data key, as {@link #seal} stores it. */
    public String fingerprint(ConnectionEntity row, String refreshToken) {
        return fingerprints.of(row.getRealmId(), row.getProviderAlias(), refreshToken);
    }

    /** Whether the row's stored fingerprint is under the key {@link #fingerprint} uses now (false when it has none). */
    public boolean fingerprintCurrent(ConnectionEntity row) {
        return fingerprints.current(row.getRefreshFingerprint(), row.getRealmId());
    }

    /**
     * What a stored fingerprint of {@code refreshToken} in the row's realm and provider is one of: under each data key of
     * the realm still kept, and each key of the ring.
     */
    public java.util.List<String> fingerprintCandidates(ConnectionEntity row, String refreshToken) {
        return fingerprints.candidates(row.getRealmId(), row.getProviderAlias(), refreshToken);
    }

    TokenCipher cipher() {
        return cipher;
    }

    /**
     * The id of the key that seals the row's owner now: its scope's ACTIVE data key (made when the scope has none). A row
     * whose {@code KEY_ID} differs is re-sealed by the background rotation.
     *
     * @throws dev.conduit.vault.keys.KeyUnavailableException when a new data key cannot be wrapped
     */
    public String currentKeyId(ConnectionEntity row) {
        return cipher.sealer(owner(row, ACCESS)).keyId();
    }

    private static TokenOwner owner(ConnectionEntity row, String field) {
        return new TokenOwner(row.getRealmId(), TokenOwner.Kind.valueOf(row.getOwnerKind()), row.getOwnerId(),
                row.getProviderAlias(), field);
    }
}
