package dev.conduit.vault.store;

import dev.conduit.api.vault.ConnectionKey;
import dev.conduit.vault.cache.Invalidation;
import org.keycloak.models.KeycloakSession;

/**
 * Where every write of CONDUIT_CONNECTION and CONDUIT_DATA_KEY reports what it changed, so the row caches
 * ({@code cache.RowCaches}) drop it on every node: the entities' lifecycle callbacks (any insert, update or delete
 * through the entity manager, whatever code path made it) and the bulk statements of {@link VaultStore} and
 * {@link DataKeyStore}. Every session that reaches these tables does so through {@link VaultStore#of} (or
 * {@link #watch} itself), which lets the receiver follow that session's transaction to its end: the changes are
 * applied on this node at once and sent to every node after the commit.
 *
 * <p>The receiver is the running vault's ({@code keycloak.RowCacheCluster}), set when the server starts and cleared
 * when it stops: a server-lifetime object, never a session.
 */
public final class RowChanges {

    /** The running vault's side. */
    public interface Receiver {
        /** The session is about to work on the vault's tables: follow its transaction. */
        void watch(KeycloakSession session);

        /** A change of the transaction working on this thread. */
        void changed(Invalidation change);
    }

    private static volatile Receiver receiver;

    private RowChanges() {
    }

    public static void receiveWith(Receiver running) {
        receiver = running;
    }

    public static void stopReceiving(Receiver running) {
        if (receiver == running) {
            receiver = null;
        }
    }

    /** Called by everything that hands out the vault's entity manager for a session. */
    public static void watch(KeycloakSession session) {
        Receiver running = receiver;
        if (running != null) {
            running.watch(session);
        }
    }

    /** An administrator's word that the realm's rows changed by SQL: dropped on every node after this session's commit. */
    public static void realmChangedOutsideKeycloak(KeycloakSession session, String realmId) {
        watch(session);
        realm(realmId);
    }

    static void connection(String realmId, String ownerKind, String ownerId, String alias) {
        if (realmId == null || ownerKind == null || ownerId == null || alias == null) {
            changed(Invalidation.all());
            return;
        }
        ConnectionKey.Kind kind;
        try {
            kind = ConnectionKey.Kind.valueOf(ownerKind);
        } catch (IllegalArgumentException e) {
            changed(Invalidation.all());
            return;
        }
        changed(Invalidation.row(new ConnectionKey(realmId, kind, ownerId, alias)));
    }

    static void dataKey(String id) {
        changed(id == null ? Invalidation.all() : Invalidation.dataKey(id));
    }

    static void realm(String realmId) {
        changed(realmId == null ? Invalidation.all() : Invalidation.realm(realmId));
    }

    static void all() {
        changed(Invalidation.all());
    }

    private static void changed(Invalidation change) {
        Receiver running = receiver;
        if (running != null) {
            running.changed(change);
        }
    }
}
