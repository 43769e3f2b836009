package dev.conduit.it.support;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/** The vault's admin API, {@code /admin/realms/{realm}/conduit-vault}. */
public final class VaultApi {

    /** The listing's largest page. */
    static final int PAGE = 500;
    private final AdminApi admin;
    private final String base;

    public VaultApi(ConduitEnvironment env) {
        this(env.admin());
    }

    /** The demo realm's vault through this admin API (another Keycloak, e.g. a node of {@link KeycloakCluster}). */
    public VaultApi(AdminApi admin) {
        this(admin, ConduitEnvironment.REALM);
    }

    private VaultApi(AdminApi admin, String realm) {
        this.admin = admin;
        this.base = realm + "/conduit-vault";
    }

    /** The same admin API on another realm's vault endpoints (master's key rotation, say). */
    public VaultApi inRealm(String realm) {
        return new VaultApi(admin, realm);
    }

    /** The owner's connections (every page). */
    public JsonNode connectionsOf(String ownerKind, String ownerId) {
        return everyPage("ownerKind=" + ownerKind + "&ownerId=" + ownerId);
    }

    /** Disconnects each of the owner's connections and waits until its revocation was sent and the row is gone. */
    public void disconnectAll(String ownerKind, String ownerId) {
        for (JsonNode connection : connectionsOf(ownerKind, ownerId)) {
            String id = connection.get("id").asText();
            disconnect(id);
            Await.until("the disconnect of " + id + " sent", () -> connection(id) == null);
        }
    }

    /** The owner's connection to this provider, or null. */
    public JsonNode connection(String ownerKind, String ownerId, String alias) {
        for (JsonNode connection : connectionsOf(ownerKind, ownerId)) {
            if (alias.equals(connection.get("providerAlias").asText())) {
                return connection;
            }
        }
        return null;
    }

    public JsonNode connection(String id) {
        HttpResponse<String> response = admin.call("GET", base + "/connections/" + id, null);
        return response.statusCode() == 404 ? null : AppTokens.json(response);
    }

    /** Every connection of the realm, page after page. */
    public JsonNode all() {
        return everyPage("");
    }

    /** Rows parked for revocation (owner kind REVOKING) of one provider alias, every page. */
    public JsonNode parked(String alias) {
        return everyPage("ownerKind=REVOKING&provider=" + alias);
    }

    /**
     * The listing is paged ({@code first}, {@code max} at most {@value #PAGE}): reads pages until one comes back short,
     * so no caller sees only the first page. The order (provider, owner, id) is total, so pages do not overlap.
     */
    private ArrayNode everyPage(String filters) {
        ArrayNode rows = AdminApi.mapper().createArrayNode();
        for (int first = 0; ; first += PAGE) {
            JsonNode page = admin.get(base + "/connections?" + filters + (filters.isEmpty() ? "" : "&")
                    + "first=" + first + "&max=" + PAGE);
            page.forEach(rows::add);
            if (page.size() < PAGE) {
                return rows;
            }
        }
    }

    /**
     * Drops the realm's cached rows on every node (the sealed-row cache, issue 17): after a test changed the vault's
     * tables by SQL, which Keycloak does not see.
     */
    public void invalidateRowCache() {
        expect(204, admin.call("POST", base + "/row-cache/invalidate", null));
    }

    public void expireAccessToken(String connectionId) {
        expect(204, admin.call("POST", base + "/connections/" + connectionId + "/expire-access-token", null));
    }

    public JsonNode refresh(String connectionId) {
        return AppTokens.json(expect(200, admin.call("POST", base + "/connections/" + connectionId + "/refresh", null)));
    }

    public JsonNode refreshDue() {
        return AppTokens.json(expect(200, admin.call("POST", base + "/refresh-due", null)));
    }

    /**
     * Starts the realm's key rotation (202, its progress) and waits until it is no longer RUNNING; answers the final
     * progress: {@code state}, {@code done}, {@code left}, {@code undecryptable}, {@code undecryptableIds}.
     */
    public JsonNode rotateKey() {
        JsonNode started = AppTokens.json(expect(202, admin.call("POST", base + "/rotate-key", null)));
        long giveUp = System.currentTimeMillis() + 60_000;
        JsonNode progress = started;
        while ("RUNNING".equals(progress.get("state").asText())) {
            if (System.currentTimeMillis() > giveUp) {
                throw new AssertionError("key rotation still running after 60 s: " + progress);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            progress = rotateKeyProgress();
        }
        return progress;
    }

    /**
     * Rotates the realm's data keys (POST data-keys/rotate: new ACTIVE keys, the old RETIRED), then waits for the
     * background re-sealing as {@link #rotateKey} does; answers the run's final progress.
     */
    public JsonNode rotateDataKeys() {
        expect(202, admin.call("POST", base + "/data-keys/rotate", null));
        return rotateKey();
    }

    /** GET keys: the KEK id, the connections per key id and the realm's data keys. */
    public JsonNode keys() {
        return AppTokens.json(expect(200, admin.call("GET", base + "/keys", null)));
    }

    /** The realm's latest key rotation: GET rotate-key. */
    public JsonNode rotateKeyProgress() {
        return AppTokens.json(expect(200, admin.call("GET", base + "/rotate-key", null)));
    }

    /**
     * How many revocations of removed identity providers are pending in {@code realm} (in master: in every realm,
     * removed realms included).
     */
    public long pendingRevocations(String realm) {
        return admin.get(realm + "/conduit-vault/pending-revocations").get("pending").asLong();
    }

    /**
     * Sends the due pending revocations of {@code realm} (in master: of every realm), as the scheduled task does;
     * answers {@code due}, {@code sent}, {@code failed}, {@code gaveUp}, {@code left}, {@code millis}.
     */
    public JsonNode sendPendingRevocations(String realm) {
        return AppTokens.json(expect(200, admin.call("POST", realm + "/conduit-vault/pending-revocations/send", null)));
    }

    public HttpResponse<String> disconnect(String connectionId) {
        return admin.call("DELETE", base + "/connections/" + connectionId, null);
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new AssertionError("expected " + status + ", got " + response.statusCode() + ": " + response.body());
        }
        return response;
    }
}
