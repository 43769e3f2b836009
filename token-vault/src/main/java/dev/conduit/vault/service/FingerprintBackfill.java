package dev.conduit.vault.service;

import java.util.List;
import java.util.function.Function;

import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Fills the refresh-token fingerprint of rows written before changelog 0008, a page at a time ({@value #PAGE} rows,
 * one short transaction each), at most {@code max} rows per call; the scheduled task calls it every round until none
 * is left. Each row is written only while it still holds the sealed token the fingerprint was computed from. Once a
 * call found nothing left, this node stops looking: every seal writes the fingerprint, so no new NULL appears (a row
 * an older node writes during a rolling upgrade is still handled by the sharing check's fallback, and filled on
 * the next start). A row that cannot be opened is skipped (its revocation fails the same way).
 */
final class FingerprintBackfill {

    private static final Logger LOG = Logger.getLogger(FingerprintBackfill.class);
    static final int PAGE = 200;

    /** The rows still without a fingerprint, and the filling of a page of them; each call its own short transaction. */
    interface Pages {
        /** Up to {@code max} ids of rows with a refresh token and no fingerprint, after {@code after} (null: from the start), by id. */
        List<String> unfingerprinted(String after, int max);

        /** Fingerprints those of {@code ids} that still need it and can be opened; answers how many were written. */
        int fill(List<String> ids);
    }

    private final Pages pages;
    private volatile boolean finished;
    /** The last id a call looked at: rows that cannot be opened are not looked at again in each round. */
    private volatile String after;

    FingerprintBackfill(KeycloakSessionFactory factory, RowSeal seal) {
        this(new StorePages(factory, seal));
    }

    FingerprintBackfill(Pages pages) {
        this.pages = pages;
    }

    /** Fills up to {@code max} rows; answers how many were filled. */
    int fill(int max) {
        if (finished) {
            return 0;
        }
        int filled = 0;
        int looked = 0;
        while (looked < max) {
            String from = after;
            int size = Math.min(PAGE, max - looked);
            List<String> page = pages.unfingerprinted(from, size);
            if (page.isEmpty()) {
                if (from == null) {
                    finished = true;
                    LOG.debug("Every connection's refresh token has its fingerprint");
                } else {
                    after = null; // from the start again next time: rows may have been skipped or changed meanwhile
                }
                break;
            }
            filled += pages.fill(page);
            looked += page.size();
            after = page.get(page.size() - 1);
        }
        if (filled > 0) {
            LOG.infof("Fingerprinted the refresh tokens of %d connection(s) written before changelog 0008", filled);
        }
        return filled;
    }

    /** The pages in the vault's tables, each read and each fill in its own transaction. */
    private record StorePages(KeycloakSessionFactory factory, RowSeal seal) implements Pages {

        @Override
        public List<String> unfingerprinted(String after, int max) {
            return inOwnTransaction(s -> VaultStore.of(s).unfingerprintedIds(after, max));
        }

        @Override
        public int fill(List<String> ids) {
            return inOwnTransaction(s -> fillPage(s, ids));
        }

        private int fillPage(KeycloakSession session, List<String> ids) {
            VaultStore store = VaultStore.of(session);
            int filled = 0;
            for (String id : ids) {
                ConnectionEntity row = store.byId(id);
                if (row == null || row.getRefreshToken() == null || row.getRefreshFingerprint() != null) {
                    continue;
                }
                String refreshToken;
                try {
                    refreshToken = seal.refreshToken(row);
                } catch (TokenDecryptionException e) {
                    LOG.debugf("Connection %s cannot be opened with this server's keys; not fingerprinted", id);
                    continue;
                }
                String sealed = row.getRefreshToken();
                store.entityManager().detach(row);
                if (store.fillFingerprint(id, sealed, seal.fingerprint(row, refreshToken))) {
                    filled++;
                }
            }
            return filled;
        }

        private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
            return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
        }
    }
}
