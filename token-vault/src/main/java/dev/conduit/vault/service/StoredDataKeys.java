package dev.conduit.vault.service;

import java.util.function.Function;

import javax.crypto.SecretKey;

import dev.conduit.vault.cache.GenerationCache;
import dev.conduit.vault.cache.RowCaches;
import dev.conduit.vault.crypto.DataKeySource;
import dev.conduit.vault.crypto.RealmKeys;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.keys.DataKeyScope;
import dev.conduit.vault.keys.DataKeys;
import dev.conduit.vault.keys.SealedDataKey;
import dev.conduit.vault.keys.WrappedKey;
import dev.conduit.vault.keys.WrappedKeyRefusedException;
import dev.conduit.vault.store.DataKeyEntity;
import dev.conduit.vault.store.DataKeyStore;
import dev.conduit.vault.store.VaultStore;
import jakarta.persistence.PersistenceException;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.utils.KeycloakSessionUtil;

/**
 * The data keys of CONDUIT_DATA_KEY (changelog 0012) as {@link TokenCipher}'s source: a realm's key seals its rows,
 * an organization's own key its rows when {@code data-key-per-organization} is on, the parked scope's key the pending
 * revocations that outlive their realm. A key that opens a row is read by id from this node's row cache
 * ({@link RowCaches}, the wrapped form as stored) or else from the database (in the transaction of the session working
 * on this thread); every write of a data key (rewrap, retire, destroy) drops it from every node's cache before the
 * writing request returns, so a deleted key stops opening at once on every node. The unwrapped key comes from
 * {@link DataKeys}' cache or the key provider. The ACTIVE key that seals is always read from the database.
 *
 * <p>A scope's first key is made in a transaction of its own, committed at once; two nodes making it together end with
 * one, the unique ACTIVE_SCOPE column refusing the second, which then reads the winner.
 */
public final class StoredDataKeys implements DataKeySource, RealmKeys {

    /** The realm id of the parked revocations' scope: no realm has it ('#' is not in realm ids Keycloak makes). */
    public static final String PARKED_REALM = "#parked";
    private static final Logger LOG = Logger.getLogger(StoredDataKeys.class);

    private final KeycloakSessionFactory factory;
    private final DataKeys keys;
    private final boolean perOrganization;
    private final RowCaches rowCaches;

    public StoredDataKeys(KeycloakSessionFactory factory, DataKeys keys, boolean perOrganization, RowCaches rowCaches) {
        this.factory = factory;
        this.keys = keys;
        this.perOrganization = perOrganization;
        this.rowCaches = rowCaches;
    }

    /** An organization's rows have their own key only when configured so; any other kind (REALM too) is the realm's. */
    String organizationOf(TokenOwner owner) {
        return perOrganization && owner.kind() == TokenOwner.Kind.ORGANIZATION ? owner.ownerId() : null;
    }

    @Override
    public SealingKey active(TokenOwner owner) {
        return activeIn(owner.realmId(), organizationOf(owner));
    }

    @Override
    public SealingKey parked() {
        return activeIn(PARKED_REALM, null);
    }

    private SealingKey activeIn(String realmId, String organizationId) {
        DataKeyEntity row = inSession(s -> DataKeyStore.of(VaultStore.of(s)).active(realmId, organizationId));
        if (row == null) {
            row = create(realmId, organizationId);
        }
        return new SealingKey(row.getId(), unwrapped(row));
    }

    @Override
    public SecretKey opening(String dataKeyId, TokenOwner owner) {
        RowCaches.SealedKeyRow row = keyRow(dataKeyId);
        if (row == null) {
            throw new TokenDecryptionException("data key '" + dataKeyId + "' does not exist (destroyed with its organization"
                    + " or realm, or never made here)");
        }
        boolean parked = PARKED_REALM.equals(row.realmId()) && row.organizationId() == null;
        boolean realmMatches = row.realmId().equals(owner.realmId());
        boolean organizationMatches = row.organizationId() == null
                || owner.kind() == TokenOwner.Kind.ORGANIZATION && row.organizationId().equals(owner.ownerId());
        if (!parked && !(realmMatches && organizationMatches)) {
            throw new TokenDecryptionException("data key '" + dataKeyId + "' is not this owner's");
        }
        return unwrapped(row.id(), sealed(row.id(), row.realmId(), row.organizationId(), row.wrapped()));
    }

    /** The data key's row as stored, from this node's row cache or else the database (then kept); null when none. */
    private RowCaches.SealedKeyRow keyRow(String dataKeyId) {
        RowCaches.SealedKeyRow cached = rowCaches.dataKey(dataKeyId).orElse(null);
        if (cached != null) {
            return cached;
        }
        GenerationCache.Ticket ticket = rowCaches.dataKeyTicket(dataKeyId);
        DataKeyEntity stored = inSession(s -> DataKeyStore.of(VaultStore.of(s)).byId(dataKeyId));
        if (stored == null) {
            return null;
        }
        RowCaches.SealedKeyRow row = new RowCaches.SealedKeyRow(stored.getId(), stored.getRealmId(),
                stored.getOrganizationId(), stored.getWrapped());
        rowCaches.keepDataKey(ticket, row);
        return row;
    }

    @Override
    public SealingKey realmActive(String realmId) {
        return activeIn(realmId, null);
    }

    @Override
    public java.util.List<SealingKey> realmKeys(String realmId) {
        return inSession(s -> DataKeyStore.of(VaultStore.of(s)).ofRealmOwnScope(realmId)).stream()
                .map(row -> new SealingKey(row.getId(), unwrapped(row))).toList();
    }

    @Override
    public SecretKey realmOpening(String dataKeyId, String realmId) {
        RowCaches.SealedKeyRow row = keyRow(dataKeyId);
        if (row == null || !row.realmId().equals(realmId) || row.organizationId() != null) {
            throw new TokenDecryptionException("data key '" + dataKeyId + "' is not a key of this realm (destroyed with it,"
                    + " or another realm's or an organization's)");
        }
        return unwrapped(row.id(), sealed(row.id(), realmId, null, row.wrapped()));
    }

    private SecretKey unwrapped(DataKeyEntity row) {
        return unwrapped(row.getId(), sealed(row));
    }

    private SecretKey unwrapped(String id, SealedDataKey sealed) {
        try {
            return keys.key(sealed);
        } catch (WrappedKeyRefusedException e) {
            throw new TokenDecryptionException("data key '" + id + "' does not open: " + e.getMessage());
        }
    }

    static SealedDataKey sealed(DataKeyEntity row) {
        return sealed(row.getId(), row.getRealmId(), row.getOrganizationId(), row.getWrapped());
    }

    private static SealedDataKey sealed(String id, String realmId, String organizationId, String wrapped) {
        DataKeyScope scope = organizationId == null ? DataKeyScope.realm(realmId, id)
                : DataKeyScope.organization(realmId, organizationId, id);
        return new SealedDataKey(scope, WrappedKey.parse(wrapped));
    }

    /**
     * Makes the scope's ACTIVE key in its own committed transaction, or reads the one another node made first.
     *
     * @throws dev.conduit.vault.keys.KeyUnavailableException when the key provider cannot wrap: nothing is written
     */
    private DataKeyEntity create(String realmId, String organizationId) {
        DataKeyEntity made = entity(keys.create(realmId, organizationId), DataKeyEntity.ACTIVE);
        try {
            KeycloakModelUtils.runJobInTransaction(factory, s -> DataKeyStore.of(VaultStore.of(s)).insert(made));
            LOG.infof("Data key %s made for realm %s%s, wrapped under KEK '%s'", made.getId(), realmId,
                    organizationId == null ? "" : " organization " + organizationId, made.getKekId());
            return made;
        } catch (ModelDuplicateException | PersistenceException e) {
            DataKeyEntity winner = KeycloakModelUtils.runJobInTransactionWithResult(factory,
                    s -> DataKeyStore.of(VaultStore.of(s)).active(realmId, organizationId));
            if (winner == null) {
                throw e;
            }
            LOG.debugf("Data key of realm %s%s: another transaction made it first (%s); using %s", realmId,
                    organizationId == null ? "" : " organization " + organizationId, e.getClass().getSimpleName(),
                    winner.getId());
            return winner;
        }
    }

    private static DataKeyEntity entity(SealedDataKey sealed, String state) {
        DataKeyEntity row = new DataKeyEntity();
        row.setId(sealed.scope().dataKeyId());
        row.setRealmId(sealed.scope().realmId());
        row.setOrganizationId(sealed.scope().organizationId());
        row.setWrapped(sealed.wrapped().stored());
        row.setKekId(sealed.wrapped().kekId());
        row.setState(state);
        row.setCreatedAt(Time.currentTime());
        row.setActiveScope(DataKeyEntity.ACTIVE.equals(state)
                ? DataKeyEntity.scope(sealed.scope().realmId(), sealed.scope().organizationId()) : null);
        return row;
    }

    /**
     * Data-key rotation of a realm, in the caller's transaction: its ACTIVE keys (its organizations' too) become
     * RETIRED and each scope gets a new ACTIVE key; the rows are re-sealed by the background rotation, and a RETIRED key
     * is deleted once no row uses it. Answers the new keys' ids.
     *
     * @throws dev.conduit.vault.keys.KeyUnavailableException when the key provider cannot wrap: nothing was changed
     */
    public java.util.List<String> rotate(KeycloakSession session, String realmId) {
        DataKeyStore store = DataKeyStore.of(VaultStore.of(session));
        java.util.Set<String> organizations = new java.util.LinkedHashSet<>();
        organizations.add(null); // the realm's own key, even if it had none yet
        for (DataKeyEntity key : store.ofRealm(realmId)) {
            if (DataKeyEntity.ACTIVE.equals(key.getState()) && key.getOrganizationId() != null) {
                organizations.add(key.getOrganizationId());
            }
        }
        // every new key wrapped first: with the key provider away nothing is retired
        java.util.List<DataKeyEntity> made = new java.util.ArrayList<>();
        for (String organizationId : organizations) {
            made.add(entity(keys.create(realmId, organizationId), DataKeyEntity.ACTIVE));
        }
        store.retireActive(realmId);
        for (DataKeyEntity row : made) {
            store.insert(row);
        }
        return made.stream().map(DataKeyEntity::getId).toList();
    }

    /**
     * KEK rotation: every data key not wrapped under the active KEK is rewrapped under it, each in its own transaction;
     * no connection row is touched. Answers how many were rewrapped.
     *
     * @throws dev.conduit.vault.keys.KeyUnavailableException when the key provider cannot be reached (retried later)
     */
    public int rewrapAll() {
        String active = keys.activeKekId();
        java.util.List<String> ids = KeycloakModelUtils.runJobInTransactionWithResult(factory,
                s -> DataKeyStore.of(VaultStore.of(s)).idsNotWrappedUnder(active));
        int rewrapped = 0;
        for (String id : ids) {
            Boolean done = KeycloakModelUtils.runJobInTransactionWithResult(factory, s -> {
                DataKeyEntity row = VaultStore.of(s).entityManager().find(DataKeyEntity.class, id,
                        jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                if (row == null || active.equals(row.getKekId())) {
                    return false;
                }
                SealedDataKey under = keys.rewrap(sealed(row));
                row.setWrapped(under.wrapped().stored());
                row.setKekId(under.wrapped().kekId());
                return true;
            });
            if (done) {
                rewrapped++;
            }
        }
        if (rewrapped > 0) {
            LOG.infof("Rewrapped %d data key(s) under KEK '%s'", rewrapped, active);
        }
        return rewrapped;
    }

    /** The KEK that wraps new data keys. */
    public String activeKekId() {
        return keys.activeKekId();
    }

    /** In the transaction of the session working on this thread (a request, a background job), or in one of its own. */
    private <T> T inSession(Function<KeycloakSession, T> work) {
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        if (session != null && session.getTransactionManager().isActive()) {
            return work.apply(session);
        }
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }

}
