package dev.conduit.vault.server;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.conduit.api.grant.Scopes;
import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.service.ConnectionStatus;
import dev.conduit.vault.service.RowSeal;
import dev.conduit.vault.store.ConnectionEntity;
import org.keycloak.models.IdentityProviderModel;

/**
 * Makes and changes server connections' rows (issue 15), as plain logic on the entity: the kind checks the admin's
 * input ({@link ServerGrantKind#accept}), the credential's secret part is sealed ({@link RowSeal#sealCredential}),
 * what may be shown is kept beside it. A minted kind's row starts due (its first use, or the next proactive run,
 * mints); a static kind's token is sealed as the access token at once. Rotating a key pair keeps the previous key
 * sealed ({@link ServerMint#PREVIOUS_PRIVATE_KEY}) until the new one minted, so the old certificate keeps working
 * while the admin uploads the new one.
 */
public final class ServerConnections {

    /** Kinds Conduit does not serve yet: refused at creation, saying so. */
    static final Map<String, String> NOT_SERVED_YET = Map.of();
    static final String PREVIOUS_CERTIFICATE_SHA256 = "previous_certificate_sha256";
    static final String CERTIFICATE_SHA256 = "certificate_sha256";

    private final RowSeal seal;

    public ServerConnections(RowSeal seal) {
        this.seal = seal;
    }

    /** Whether Conduit serves connections of this kind now. */
    public static Optional<String> notServed(String kindId) {
        return Optional.ofNullable(NOT_SERVED_YET.get(kindId));
    }

    /**
     * A new server connection of {@code kind} through {@code provider}, not yet persisted, owned by an organization
     * ({@code ORGANIZATION}, its id) or by the realm for its own integrations ({@code REALM}, the realm's id): the
     * owner is sealed into the credential's ciphertext, so a row copied to another owner does not open.
     *
     * @throws ServerConnectionRefusal 400 with the kind's words for input it refuses
     */
    public ConnectionEntity create(String realmId, TokenOwner.Kind ownerKind, String ownerId, IdentityProviderModel provider,
            ServerGrantKind kind, Map<String, String> input, String connectedBy, Instant now) throws ServerConnectionRefusal {
        if (ownerKind != TokenOwner.Kind.ORGANIZATION && ownerKind != TokenOwner.Kind.REALM) {
            throw new IllegalArgumentException("A server connection is owned by an organization or the realm");
        }
        Optional<String> notServed = notServed(kind.id());
        if (notServed.isPresent()) {
            throw new ServerConnectionRefusal(400, notServed.get());
        }
        ServerCredential credential = accept(kind, provider, input, now);
        ConnectionEntity row = new ConnectionEntity();
        row.setId(UUID.randomUUID().toString());
        row.setRealmId(realmId);
        row.setOwnerKind(ownerKind.name());
        row.setOwnerId(ownerId);
        row.setProviderAlias(provider.getAlias());
        row.setProviderId(provider.getProviderId());
        row.setGrantKind(kind.id());
        row.setConnectedBy(connectedBy);
        row.setConnectedAt(now.getEpochSecond());
        row.setLastRefreshAt(now.getEpochSecond());
        row.setHealthCheckedAt(now.getEpochSecond());
        write(row, kind, credential, now);
        return row;
    }

    /**
     * Replaces the row's credential with the kind's reading of {@code input} (a new secret, token or key). For a key
     * pair, the previous private key stays sealed beside the new one until the new one mints. The row serves again:
     * an ACTION_REQUIRED status is cleared, and the next use mints with the new credential.
     */
    public ServerCredential replace(ConnectionEntity row, IdentityProviderModel provider, ServerGrantKind kind,
            Map<String, String> input, Instant now) throws ServerConnectionRefusal {
        ServerCredential fresh = accept(kind, provider, input, now);
        ServerCredential current = current(row);
        String previousKey = current.sealed(ServerMint.PRIVATE_KEY);
        if (previousKey != null && fresh.sealed(ServerMint.PRIVATE_KEY) != null
                && !previousKey.equals(fresh.sealed(ServerMint.PRIVATE_KEY)) && kind.staticToken(fresh).isEmpty()) {
            Map<String, String> sealed = new LinkedHashMap<>(fresh.sealed());
            sealed.put(ServerMint.PREVIOUS_PRIVATE_KEY, previousKey);
            Map<String, String> shown = new LinkedHashMap<>(fresh.shown());
            if (current.shown(CERTIFICATE_SHA256) != null) {
                shown.put(PREVIOUS_CERTIFICATE_SHA256, current.shown(CERTIFICATE_SHA256));
            }
            fresh = new ServerCredential(fresh.kind(), shown, sealed, fresh.scopes());
        }
        write(row, kind, fresh, now);
        return fresh;
    }

    /** The row's credential, opened. */
    public ServerCredential current(ConnectionEntity row) {
        return ServerCredentials.read(row.getGrantKind(), row.getShown(), seal.credential(row));
    }

    /** Ends a rotation's overlap: the previous key is dropped (its new key minted, or the admin said so); false when none. */
    public static boolean dropPreviousKey(RowSeal seal, ConnectionEntity row) {
        ServerCredential current = ServerCredentials.read(row.getGrantKind(), row.getShown(), seal.credential(row));
        if (current.sealed(ServerMint.PREVIOUS_PRIVATE_KEY) == null) {
            return false;
        }
        Map<String, String> sealed = new LinkedHashMap<>(current.sealed());
        sealed.remove(ServerMint.PREVIOUS_PRIVATE_KEY);
        Map<String, String> shown = new LinkedHashMap<>(current.shown());
        shown.remove(PREVIOUS_CERTIFICATE_SHA256);
        ServerCredential dropped = new ServerCredential(current.kind(), shown, sealed, current.scopes());
        row.setShown(ServerCredentials.shownJson(dropped));
        seal.sealCredential(row, ServerCredentials.sealedJson(dropped));
        return true;
    }

    private void write(ConnectionEntity row, ServerGrantKind kind, ServerCredential credential, Instant now) {
        Optional<String> staticToken = kind.staticToken(credential);
        row.setShown(ServerCredentials.shownJson(credential));
        row.setScopes(Scopes.join(credential.scopes()));
        seal.seal(row, staticToken.orElse(null), null);
        seal.sealCredential(row, ServerCredentials.sealedJson(credential));
        row.setIssuedAt(now.getEpochSecond());
        // a static token serves at once (its health run checks it); a minted kind is due now
        row.setExpiresAt(staticToken.isPresent() ? now.getEpochSecond() + ServerMint.STATIC_LIFETIME_SECONDS : 0);
        row.setStatus(ConnectionStatus.HEALTHY.name());
        row.setFailureCount(0);
        row.setLastError(null);
        row.setRefusalWindowAt(0);
        row.setRefusalRefreshes(0);
        row.setRefusalLastAt(0);
        // a per-user kind's own row mints nothing: its users' tokens are minted on use
        row.setNextRefreshAt(kind.perSubject() ? null : now.getEpochSecond());
    }

    private static ServerCredential accept(ServerGrantKind kind, IdentityProviderModel provider, Map<String, String> input,
            Instant now) throws ServerConnectionRefusal {
        try {
            return kind.accept(provider, input == null ? Map.of() : input, now);
        } catch (KeyMaterialException e) {
            throw new ServerConnectionRefusal(400, e.getMessage());
        }
    }
}
