package dev.conduit.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

import javax.crypto.SecretKey;

import dev.conduit.vault.crypto.DataKeySource;
import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.KeyRingConfig;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.keys.ConfigKeyEncryptionKeys;
import dev.conduit.vault.keys.DataKeyCache;
import dev.conduit.vault.keys.DataKeyScope;
import dev.conduit.vault.keys.DataKeys;
import dev.conduit.vault.keys.KeyEncryptionKeys;
import dev.conduit.vault.keys.SealedDataKey;
import dev.conduit.vault.keys.WrappedKey;

/**
 * Opens a copy of a connection row (a backup) the way the vault does: {@link TokenCipher} with the data key named in the
 * value, read from CONDUIT_DATA_KEY and unwrapped with the server's KEKs (the test's {@code config} key provider keys),
 * v1 values with the server's ring. Holding the KEKs is the strongest backup reader there is: once the data key row is
 * gone, nothing opens the copy. The KEKs are the {@code config} provider's keys, or those of a keystore the test holds
 * ({@link #CopiedRowOpener(Connection, KeyEncryptionKeys)}); a KEK inside an HSM is not the test's to use.
 */
public final class CopiedRowOpener {

    private final Connection db;
    private final TokenCipher cipher;
    private final DataKeys keys;

    public CopiedRowOpener(Connection db, String vaultKeys, String activeKek) {
        this(db, ConfigKeyEncryptionKeys.parse(vaultKeys, activeKek), KeyRingConfig.parse(vaultKeys, activeKek));
    }

    /** With another key provider's KEKs (e.g. a keystore's, loaded by the test); v1 values do not open. */
    public CopiedRowOpener(Connection db, KeyEncryptionKeys keks) {
        this(db, keks, KeyRingConfig.parse("none:" + Secrets.aes256KeyBase64(), "none"));
    }

    private CopiedRowOpener(Connection db, KeyEncryptionKeys keks, KeyRing ring) {
        this.db = db;
        this.keys = new DataKeys(keks, new DataKeyCache(Duration.ofSeconds(1), 1, Clock.systemUTC()));
        this.cipher = new TokenCipher(ring, openingOnly(dataKeyId -> keys.key(stored(dataKeyId))));
    }

    private SealedDataKey stored(String dataKeyId) {
        try (PreparedStatement query = db.prepareStatement(
                "select realm_id, organization_id, wrapped from conduit_data_key where id = ?")) {
            query.setString(1, dataKeyId);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    throw new TokenDecryptionException("data key '" + dataKeyId + "' does not exist");
                }
                DataKeyScope scope = rs.getString(2) == null ? DataKeyScope.realm(rs.getString(1), dataKeyId)
                        : DataKeyScope.organization(rs.getString(1), rs.getString(2), dataKeyId);
                return new SealedDataKey(scope, WrappedKey.parse(rs.getString(3)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read conduit_data_key", e);
        }
    }

    /**
     * The unwrapped data key named {@code dataKeyId}, read from CONDUIT_DATA_KEY and opened with the KEKs, as the vault
     * opens it for a row of its scope. Key material: never print it.
     *
     * @throws TokenDecryptionException when the data key does not exist
     */
    public SecretKey dataKey(String dataKeyId) {
        return keys.key(stored(dataKeyId));
    }

    /**
     * The copy's access token opened with {@code dataKey} taken as its data key (whatever the value names), bound to the
     * copy's owner as the vault binds it.
     *
     * @throws TokenDecryptionException when it does not open with that key
     */
    public static String accessTokenWith(SecretKey dataKey, Copy copy) {
        TokenCipher with = new TokenCipher(KeyRingConfig.parse("none:" + Secrets.aes256KeyBase64(), "none"), openingOnly(dataKeyId -> dataKey));
        return with.decrypt(copy.accessToken(), copy.owner("access"));
    }

    /** A data-key source that opens with {@code keyById} and seals nothing, as a reader of copies does. */
    private static DataKeySource openingOnly(java.util.function.Function<String, SecretKey> keyById) {
        return new DataKeySource() {
            @Override
            public SealingKey active(TokenOwner owner) {
                throw new UnsupportedOperationException("a reader of copies seals nothing");
            }

            @Override
            public SealingKey parked() {
                throw new UnsupportedOperationException("a reader of copies seals nothing");
            }

            @Override
            public SecretKey opening(String dataKeyId, TokenOwner owner) {
                return keyById.apply(dataKeyId);
            }
        };
    }

    /** A copied row's sealed columns and binding. */
    public record Copy(String id, String realmId, String ownerKind, String ownerId, String alias, String accessToken,
            String refreshToken, String keyId, String credential) {

        public TokenOwner owner(String field) {
            return new TokenOwner(realmId, TokenOwner.Kind.valueOf(ownerKind), ownerId, alias, field);
        }
    }

    /** Copies every connection row of the realm (or of one organization of it), as a backup would. */
    public static java.util.List<Copy> copy(Connection db, String realmId, String organizationId) throws SQLException {
        java.util.List<Copy> copies = new java.util.ArrayList<>();
        try (PreparedStatement query = db.prepareStatement("select id, realm_id, owner_kind, owner_id, provider_alias,"
                + " access_token, refresh_token, key_id, credential from conduit_connection where realm_id = ?"
                + (organizationId == null ? "" : " and owner_kind = 'ORGANIZATION' and owner_id = ?"))) {
            query.setString(1, realmId);
            if (organizationId != null) {
                query.setString(2, organizationId);
            }
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    copies.add(new Copy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9)));
                }
            }
        }
        return copies;
    }

    /**
     * The copy's access token.
     *
     * @throws TokenDecryptionException when it does not open (its data key destroyed)
     */
    public String accessToken(Copy copy) {
        return cipher.decrypt(copy.accessToken(), copy.owner("access"));
    }
}
