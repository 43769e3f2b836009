package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Map;

import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.store.ConnectionEntity;
import org.junit.jupiter.api.Test;

class RowSealTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] current = key();
    private final byte[] retired = key();

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static RowSeal seal(Map<String, byte[]> keys, String active) {
        KeyRing ring = KeyRing.of(keys, active);
        return new RowSeal(new TokenCipher(ring), new TokenFingerprints(ring));
    }

    private static ConnectionEntity row(String ownerId) {
        ConnectionEntity row = new ConnectionEntity();
        row.setId("c-" + ownerId);
        row.setRealmId("realm-1");
        row.setOwnerKind("USER");
        row.setOwnerId(ownerId);
        row.setProviderAlias("salesforce");
        return row;
    }

    private static ConnectionEntity sealed(RowSeal seal, String ownerId, String accessToken, String refreshToken) {
        ConnectionEntity row = row(ownerId);
        seal.seal(row, accessToken, refreshToken);
        return row;
    }

    @Test
    void aRowSealedWithTheServersKeysOpens() {
        RowSeal seal = seal(Map.of("k1", current), "k1");
        ConnectionEntity withRefresh = sealed(seal, "ada", "access-1", "refresh-1");
        ConnectionEntity accessOnly = sealed(seal, "bea", "access-2", null);

        assertThat(seal.opens(withRefresh)).isTrue();
        assertThat(seal.opens(accessOnly)).isTrue();
    }

    @Test
    void aRowSealedUnderARetiredKeyDoesNotOpen() {
        ConnectionEntity row = sealed(seal(Map.of("k0", retired), "k0"), "ada", "access-1", "refresh-1");

        assertThat(seal(Map.of("k1", current), "k1").opens(row)).isFalse();
    }

    @Test
    void aRowWhoseRefreshTokenWasCopiedFromAnotherOwnerDoesNotOpen() {
        RowSeal seal = seal(Map.of("k1", current), "k1");
        ConnectionEntity victim = sealed(seal, "millie", "access-m", "refresh-m");
        ConnectionEntity attacker = sealed(seal, "elizabeth", "access-e", "refresh-e");
        attacker.setRefreshToken(victim.getRefreshToken());

        assertThat(seal.opens(attacker)).isFalse();
        assertThat(seal.opens(victim)).isTrue();
    }
}
