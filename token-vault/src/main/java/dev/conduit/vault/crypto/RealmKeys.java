package dev.conduit.vault.crypto;

import java.util.List;

import javax.crypto.SecretKey;

/**
 * The data keys of a realm's own scope (never an organization's), for what belongs to the realm rather than to one
 * owner: the keyed fingerprints of its refresh tokens ({@link TokenFingerprints}), which must match across owners and
 * organizations of the realm, and the sign-in handover's seals ({@link HandoverSeal}). Destroying the realm's keys
 * (crypto-shredding) ends both.
 *
 * <p>Errors as {@link DataKeySource}: {@code KeyUnavailableException} when the key provider cannot wrap or unwrap a
 * key not in memory; {@link TokenDecryptionException} when a named key does not exist or is not the realm's own.
 */
public interface RealmKeys {

    /** The ACTIVE data key of the realm's own scope, made when it has none yet. */
    DataKeySource.SealingKey realmActive(String realmId);

    /** Every data key of the realm's own scope, the ACTIVE one first, then RETIRED ones still kept; empty if none yet. */
    List<DataKeySource.SealingKey> realmKeys(String realmId);

    /**
     * The realm's own data key {@code dataKeyId}.
     *
     * @throws TokenDecryptionException when it does not exist, belongs to another realm or is an organization's
     */
    SecretKey realmOpening(String dataKeyId, String realmId);
}
