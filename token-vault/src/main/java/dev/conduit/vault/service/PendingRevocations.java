package dev.conduit.vault.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.store.PendingRevocationEntity;
import dev.conduit.vault.store.PendingStore;
import dev.conduit.vault.store.RefreshAttempts;
import dev.conduit.vault.store.RevocationClientEntity;
import dev.conduit.vault.store.VaultStore;
import dev.conduit.vault.upstream.RevokeAnswer;
import dev.conduit.vault.upstream.UpstreamTokenCalls;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Revocations that outlive their identity provider or realm (issue 13). {@link #park} runs in the removal's
 * transaction and does database work only: the provider's revocation settings, its client secret resolved now, sealed
 * into one row, and the alias's connections copied set-based (one aggregate query picks one row per refresh token,
 * then one INSERT ... SELECT per thousand of them copies their sealed columns as they are). {@link #sendDue} is the scheduled task's: each due revocation is claimed under a lease in a
 * short transaction, sent with no transaction open, and deleted when done, or kept with the failure backoff until
 * {@value #MAX_ATTEMPTS} attempts failed (then deleted, logged with its id and the last reason). No sharing check: every
 * connection of a removed alias is gone, so no connection that still serves can hold these tokens.
 */
public final class PendingRevocations {

    private static final Logger LOG = Logger.getLogger(PendingRevocations.class);
    /** Attempts of one pending revocation; with the failure backoff (30 s doubling to an hour) about half a day. */
    static final int MAX_ATTEMPTS = 12;
    private static final int PAGE = 200;
    /** Connections copied per INSERT ... SELECT (bound ids; databases limit a statement's parameters). */
    private static final int PARK_CHUNK = 1000;

    private final KeycloakSessionFactory factory;
    private final PendingSeal seal;
    private final Revocations revocations;
    private final VaultSettings settings;
    private final ExecutorService workers;

    PendingRevocations(KeycloakSessionFactory factory, PendingSeal seal, Revocations revocations, VaultSettings settings,
            ExecutorService workers) {
        this.factory = factory;
        this.seal = seal;
        this.revocations = revocations;
        this.settings = settings;
        this.workers = workers;
    }

    /**
     * What a revocation needs of this provider after it is gone, its client secret resolved now through Keycloak's vault
     * (the realm in the session's context); empty when the secret names a vault entry that does not exist (nothing could
     * authenticate the revocations).
     */
    public Optional<RevocationSettings> settingsOf(KeycloakSession session, UpstreamClient client) {
        try {
            return Optional.of(RevocationSettings.of(client, new UpstreamTokenCalls(session, 0, 0).revocationSecret(client)));
        } catch (UpstreamTokenCalls.MissingSecretException e) {
            return Optional.empty();
        }
    }

    /**
     * Parks every connection of the realm's alias for revocation with {@code settings}, in the caller's transaction,
     * database work only; the caller then purges the alias's connections. Answers how many revocations were parked.
     */
    public int park(KeycloakSession session, String realmId, RevocationSettings settings, String why) {
        long now = Time.currentTime();
        RevocationClientEntity row = new RevocationClientEntity();
        row.setId(UUID.randomUUID().toString());
        row.setRealmId(realmId);
        row.setProviderAlias(settings.alias());
        row.setCreatedAt(now);
        seal.sealSettings(row, settings.toJson());
        PendingStore store = PendingStore.of(VaultStore.of(session));
        store.persist(row);
        List<String> ids = store.revocableIds(realmId, settings.alias());
        int parked = 0;
        for (int from = 0; from < ids.size(); from += PARK_CHUNK) {
            parked += store.parkConnections(ids.subList(from, Math.min(ids.size(), from + PARK_CHUNK)), row.getId(), why, now);
        }
        VaultMetrics.revocation(settings.alias(), "pending");
        return parked;
    }

    private enum Result { SENT, FAILED, GAVE_UP, SKIPPED }

    /** A claimed pending revocation: this run's lease owner and what to send. */
    private record Claimed(Result decided, String owner, Revocations.Send send) {
        static Claimed decided(Result result) {
            return new Claimed(result, null, null);
        }
    }

    /**
     * Sends the pending revocations that are due, up to {@code refresh-batch}, on the factory's workers; {@code realmId}
     * null for every realm (removed ones included).
     */
    public PendingReport sendDue(String realmId) {
        long started = System.nanoTime();
        long now = Time.currentTime();
        List<String> due = inOwnTransaction(s -> PendingStore.of(VaultStore.of(s)).dueIds(now, realmId, settings.refreshBatch()));
        int[] counts = new int[Result.values().length];
        if (!due.isEmpty()) {
            List<Future<Result>> results = new ArrayList<>();
            for (String id : due) {
                results.add(workers.submit(() -> sendOne(id)));
            }
            for (int i = 0; i < results.size(); i++) {
                counts[outcome(results.get(i), due.get(i)).ordinal()]++;
            }
            int unused = inOwnTransaction(s -> PendingStore.of(VaultStore.of(s)).deleteUnusedClients());
            LOG.infof("Pending revocations: %d due, %d sent, %d failed (kept for a later attempt), %d given up; %d"
                    + " settings of removed providers no longer needed", due.size(), counts[Result.SENT.ordinal()],
                    counts[Result.FAILED.ordinal()], counts[Result.GAVE_UP.ordinal()], unused);
        }
        long left = inOwnTransaction(s -> PendingStore.of(VaultStore.of(s)).count(realmId));
        return new PendingReport(due.size(), counts[Result.SENT.ordinal()], counts[Result.FAILED.ordinal()],
                counts[Result.GAVE_UP.ordinal()], left, (System.nanoTime() - started) / 1_000_000);
    }

    private static Result outcome(Future<Result> result, String id) {
        try {
            return result.get();
        } catch (ExecutionException e) {
            LOG.warnf("Pending revocation %s failed: %s", id, e.getCause().getClass().getName());
            return Result.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.SKIPPED;
        }
    }

    private Result sendOne(String id) {
        String owner = RefreshAttempts.NODE + "/" + UUID.randomUUID();
        Claimed claimed = inOwnTransaction(s -> claim(s, id, owner));
        if (claimed.decided() != null) {
            return claimed.decided();
        }
        RevokeAnswer answer = revocations.send(factory, claimed.send());
        return inOwnTransaction(s -> record(s, id, owner, answer));
    }

    private Claimed claim(KeycloakSession session, String id, String owner) {
        PendingStore store = PendingStore.of(VaultStore.of(session));
        PendingRevocationEntity pending = store.locked(id);
        long now = Time.currentTime();
        if (pending == null || (pending.getLeaseOwner() != null && pending.getLeaseUntil() > now)) {
            return Claimed.decided(Result.SKIPPED);
        }
        RevocationClientEntity client = store.client(pending.getClientId());
        RevocationSettings opened;
        String refreshToken;
        String accessToken;
        try {
            if (client == null || !client.getRealmId().equals(pending.getRealmId())
                    || !client.getProviderAlias().equals(pending.getProviderAlias())) {
                throw new TokenDecryptionException("its provider's settings are missing");
            }
            opened = RevocationSettings.fromJson(seal.settings(client));
            refreshToken = seal.refreshToken(pending);
            accessToken = seal.accessToken(pending);
        } catch (TokenDecryptionException | IllegalArgumentException e) {
            store.remove(pending);
            VaultMetrics.revocation(pending.getProviderAlias(), "undecryptable");
            LOG.warnf("Pending revocation %s (%s) cannot be opened with this server's keys and is dropped: %s", id,
                    pending.getProviderAlias(), e.getMessage());
            return Claimed.decided(Result.GAVE_UP);
        }
        UpstreamClient upstream = opened.client();
        String token = Revocations.revocableToken(Optional.of(upstream), refreshToken, accessToken);
        if (token == null) {
            store.remove(pending);
            VaultMetrics.revocation(pending.getProviderAlias(), "nothing_to_revoke");
            return Claimed.decided(Result.SENT);
        }
        pending.setLeaseOwner(owner);
        pending.setLeaseUntil(now + settings.leaseSeconds());
        return new Claimed(null, owner, new Revocations.Send(upstream, opened.clientSecret(), token, token.equals(refreshToken)));
    }

    private Result record(KeycloakSession session, String id, String owner, RevokeAnswer answer) {
        PendingStore store = PendingStore.of(VaultStore.of(session));
        PendingRevocationEntity pending = store.locked(id);
        if (pending == null || !owner.equals(pending.getLeaseOwner())) {
            return answer.done() ? Result.SENT : Result.FAILED; // its lease ran out: the one that took it over records
        }
        if (answer.done()) {
            store.remove(pending);
            VaultMetrics.revocation(pending.getProviderAlias(), "revoked");
            return Result.SENT;
        }
        pending.setAttempts(pending.getAttempts() + 1);
        pending.setLastError(answer.reason());
        pending.setLeaseOwner(null);
        pending.setLeaseUntil(0);
        if (pending.getAttempts() >= MAX_ATTEMPTS) {
            store.remove(pending);
            VaultMetrics.revocation(pending.getProviderAlias(), "gave_up");
            LOG.warnf("Gave up the pending revocation %s at %s (%s) after %d attempts: %s", id, pending.getProviderAlias(),
                    pending.getWhy(), pending.getAttempts(), answer.reason());
            return Result.GAVE_UP;
        }
        pending.setNextAttemptAt(settings.nextRetryAt(Time.currentTime(), pending.getAttempts()));
        VaultMetrics.revocation(pending.getProviderAlias(), "failed");
        return Result.FAILED;
    }

    /** How many revocations are pending, in the caller's transaction; {@code realmId} null for every realm. */
    public long count(KeycloakSession session, String realmId) {
        return PendingStore.of(VaultStore.of(session)).count(realmId);
    }

    /**
     * Re-seals under the active key the realm's pending revocations and removed providers' settings, and with
     * {@code orphans} those of realms that no longer exist; each row in its own transaction. Answers how many rows
     * were re-sealed; those that cannot be opened are left (they are dropped when sent).
     */
    int reseal(String realmId, boolean orphans) {
        int resealed = 0;
        for (boolean clients : new boolean[] {true, false}) {
            String after = null;
            while (true) {
                String from = after;
                List<String> page = inOwnTransaction(s -> PendingStore.of(VaultStore.of(s))
                        .idsAfter(clients, realmId, orphans, from, PAGE));
                if (page.isEmpty()) {
                    break;
                }
                for (String id : page) {
                    if (inOwnTransaction(s -> resealOne(s, clients, id))) {
                        resealed++;
                    }
                }
                after = page.get(page.size() - 1);
            }
        }
        return resealed;
    }

    /**
     * Before a realm's (or, with {@code organizationId}, an organization's) data keys are destroyed: re-seals its
     * pending revocations (and the realm's removed providers' settings) under the parked revocations' data key, in the
     * caller's transaction, so they are still sent. Answers how many rows were re-sealed; a row that cannot be opened is
     * left as it is (nothing could send it anyway).
     */
    public int resealParked(KeycloakSession session, String realmId, String organizationId) {
        PendingStore store = PendingStore.of(VaultStore.of(session));
        List<PendingRevocationEntity> pendingRows = store.ofRealm(realmId, organizationId);
        List<RevocationClientEntity> clients = organizationId == null ? store.clientsOfRealm(realmId) : List.of();
        if (pendingRows.isEmpty() && clients.isEmpty()) {
            return 0;
        }
        dev.conduit.vault.crypto.TokenCipher.Sealer parked = seal.parkedSealer();
        int resealed = 0;
        for (PendingRevocationEntity row : pendingRows) {
            resealed += resealKept(row.getId(), () -> seal.reseal(row, parked));
        }
        for (RevocationClientEntity row : clients) {
            resealed += resealKept(row.getId(), () -> seal.reseal(row, parked));
        }
        return resealed;
    }

    private static int resealKept(String id, java.util.function.BooleanSupplier reseal) {
        try {
            return reseal.getAsBoolean() ? 1 : 0;
        } catch (TokenDecryptionException e) {
            LOG.warnf("Pending revocation %s cannot be opened with this server's keys (%s); left as it is", id, e.getMessage());
            return 0;
        }
    }

    private boolean resealOne(KeycloakSession session, boolean client, String id) {
        PendingStore store = PendingStore.of(VaultStore.of(session));
        try {
            if (client) {
                RevocationClientEntity row = store.lockedClient(id);
                return row != null && seal.reseal(row);
            }
            PendingRevocationEntity row = store.locked(id);
            return row != null && seal.reseal(row);
        } catch (TokenDecryptionException e) {
            LOG.warnf("Key rotation skipped pending revocation %s: it cannot be opened with this server's keys (%s)", id,
                    e.getMessage());
            return false;
        }
    }

    private <T> T inOwnTransaction(Function<KeycloakSession, T> work) {
        return KeycloakModelUtils.runJobInTransactionWithResult(factory, work::apply);
    }
}
