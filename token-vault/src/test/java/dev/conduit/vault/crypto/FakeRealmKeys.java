package dev.conduit.vault.crypto;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** Realm data keys in memory, as StoredDataKeys keeps them in CONDUIT_DATA_KEY: the first of a realm's list is ACTIVE. */
final class FakeRealmKeys implements RealmKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, List<DataKeySource.SealingKey>> byRealm = new HashMap<>();

    /** A new ACTIVE key for the realm (made on first use too); the previous one stays, RETIRED. Answers its id. */
    String rotate(String realmId) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        DataKeySource.SealingKey key = new DataKeySource.SealingKey(UUID.randomUUID().toString(), new SecretKeySpec(bytes, "AES"));
        byRealm.computeIfAbsent(realmId, r -> new ArrayList<>()).add(0, key);
        return key.id();
    }

    /** Crypto-shredding: the realm's keys are gone. */
    void destroy(String realmId) {
        byRealm.remove(realmId);
    }

    /** Only the ACTIVE key is kept (the rotation deleted the retired ones). */
    void deleteRetired(String realmId) {
        List<DataKeySource.SealingKey> keys = byRealm.get(realmId);
        keys.subList(1, keys.size()).clear();
    }

    @Override
    public DataKeySource.SealingKey realmActive(String realmId) {
        if (!byRealm.containsKey(realmId)) {
            rotate(realmId);
        }
        return byRealm.get(realmId).get(0);
    }

    @Override
    public List<DataKeySource.SealingKey> realmKeys(String realmId) {
        return List.copyOf(byRealm.getOrDefault(realmId, List.of()));
    }

    @Override
    public SecretKey realmOpening(String dataKeyId, String realmId) {
        return byRealm.getOrDefault(realmId, List.of()).stream().filter(k -> k.id().equals(dataKeyId)).findFirst()
                .map(DataKeySource.SealingKey::key)
                .orElseThrow(() -> new TokenDecryptionException("data key '" + dataKeyId + "' is not a key of this realm"));
    }
}
