package dev.conduit.vault.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.vault.service.ConnectionStatus;
import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.keys.KeyUnavailableException;
import dev.conduit.vault.service.KeyRotations;
import dev.conduit.vault.store.DataKeyEntity;
import dev.conduit.vault.store.DataKeyStore;
import dev.conduit.vault.service.PendingReport;
import dev.conduit.vault.service.RunReport;
import dev.conduit.vault.service.StoredTokenMigration;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import dev.conduit.vault.server.ServerConnectionRefusal;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.Config;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * {@code /admin/realms/{realm}/conduit-vault}: the realm's upstream connections (never their tokens) and the
 * vault's operations. Reading needs view-identity-providers, changing needs manage-identity-providers; every
 * change is an admin event.
 */
public final class VaultAdminResource {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(VaultAdminResource.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;
    private final ConnectionVault vault;

    VaultAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth,
            AdminEventBuilder adminEvent, ConnectionVault vault) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent.resource(ResourceType.CUSTOM);
        this.vault = vault;
    }

    /**
     * The realm's connections, filtered by owner ({@code ownerKind=USER|ORGANIZATION|REALM|REVOKING} and {@code ownerId}),
     * provider alias and stored status, ordered by provider and owner, paged with {@code first} and {@code max}
     * (at most 500).
     */
    @GET
    @Path("connections")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ConnectionView> connections(@QueryParam("ownerKind") String ownerKind, @QueryParam("ownerId") String ownerId,
            @QueryParam("provider") String provider, @QueryParam("status") String status,
            @QueryParam("first") Integer first, @QueryParam("max") Integer max) {
        auth.realm().requireViewIdentityProviders();
        Map<String, String> filters = new LinkedHashMap<>();
        try {
            filters.put("ownerKind", AdminQuery.ownerKind(ownerKind));
            filters.put("ownerId", AdminQuery.text("ownerId", ownerId));
            filters.put("providerAlias", AdminQuery.text("provider", provider));
            filters.put("status", AdminQuery.status(status));
        } catch (IllegalArgumentException refused) {
            throw new BadRequestException(refused.getMessage());
        }
        return store().connections(realm.getId(), filters, first == null || first < 0 ? 0 : first,
                        max == null || max <= 0 ? 100 : Math.min(max, 500))
                .stream().map(this::view).toList();
    }

    /** Counts by status, for a dashboard: {@code {"HEALTHY": n, "EXPIRING": n, ...}} with every status present. */
    @GET
    @Path("counts")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Long> counts() {
        auth.realm().requireViewIdentityProviders();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ConnectionStatus status : ConnectionStatus.values()) {
            counts.put(status.name(), 0L);
        }
        counts.putAll(store().countsByStatus(realm.getId()));
        return counts;
    }

    /** The realm's enabled Conduit brokers (alias, name, type): the providers a connection can be of, for a filter. */
    @GET
    @Path("providers")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ConduitBrokers.Listed> providers() {
        auth.realm().requireViewIdentityProviders();
        return ConduitBrokers.enabled(session);
    }

    /**
     * Re-encryption status: the KEK that wraps new data keys ({@code activeKeyId}), how many of the realm's connections
     * each key id seals (a data key's id, or a configured key's id for rows from before data keys), how many are under
     * no ACTIVE data key yet, and the realm's data keys (id, organization, KEK id, state, rows): never key material.
     */
    @GET
    @Path("keys")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> keys() {
        auth.realm().requireViewRealm();
        Map<String, Long> byKey = store().countsByKey(realm.getId());
        List<Map<String, Object>> dataKeys = new java.util.ArrayList<>();
        for (DataKeyEntity key : DataKeyStore.of(store()).ofRealm(realm.getId())) {
            Map<String, Object> view = new java.util.LinkedHashMap<>();
            view.put("id", key.getId());
            view.put("organizationId", key.getOrganizationId());
            view.put("kekId", key.getKekId());
            view.put("state", key.getState());
            view.put("createdAt", key.getCreatedAt());
            view.put("rows", byKey.getOrDefault(key.getId(), 0L));
            dataKeys.add(view);
        }
        List<String> active = DataKeyStore.of(store()).activeIdsOfRealm(realm.getId());
        long pending = byKey.entrySet().stream().filter(e -> !active.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        return Map.of("activeKeyId", vault.dataKeys().activeKekId(), "connectionsByKey", byKey,
                "pendingReencryption", pending, "dataKeys", dataKeys);
    }

    /**
     * Data-key rotation: the realm's ACTIVE data keys (its organizations' too) become RETIRED and new ones ACTIVE, in
     * this request's transaction; then the background rotation re-seals the rows (see {@code GET rotate-key}) and deletes
     * a RETIRED key once no row uses it. 202 with the new keys' ids and the run's progress; 503
     * {@code temporarily_unavailable} when the key provider cannot wrap a new key (nothing changed).
     */
    @POST
    @Path("data-keys/rotate")
    @Produces(MediaType.APPLICATION_JSON)
    public Response rotateDataKeys() {
        auth.realm().requireManageRealm();
        List<String> made;
        try {
            made = vault.dataKeys().rotate(session, realm.getId());
        } catch (KeyUnavailableException e) {
            session.getTransactionManager().setRollbackOnly();
            throw keyProviderUnavailable(e);
        }
        store().flush();
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri())
                .representation(Map.of("dataKeys", made)).success();
        session.getTransactionManager().enlistAfterCompletion(new org.keycloak.models.AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                vault.keyRotations().start(realm.getId(), false);
            }

            @Override
            protected void rollbackImpl() {
            }
        });
        return Response.accepted(Map.of("dataKeys", made, "progress", "GET rotate-key")).build();
    }

    private static WebApplicationException keyProviderUnavailable(KeyUnavailableException e) {
        LOG.warnf("Key provider unreachable: %s", e.getMessage());
        return new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("error", "temporarily_unavailable",
                        "error_description", "The key provider is unreachable; retry shortly")).build());
    }

    private VaultStore store() {
        return VaultStore.of(session);
    }

    @GET
    @Path("connections/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public ConnectionView connection(@PathParam("id") String id) {
        auth.realm().requireViewIdentityProviders();
        return view(row(id));
    }

    /** Opening the tokens only tells whether they open (a retired key or an altered row shows as UNDECRYPTABLE). */
    private ConnectionView view(ConnectionEntity row) {
        return ConnectionView.of(row, vault.seal().opens(row));
    }

    /** Disconnect: revoke at the provider and delete (or park for retried revocation). */
    @DELETE
    @Path("connections/{id}")
    public Response disconnect(@PathParam("id") String id) {
        auth.realm().requireManageIdentityProviders();
        ConnectionEntity row = row(id);
        vault.revocations().disconnect(session, realm, row, null, "disconnect");
        adminEvent.operation(OperationType.DELETE).resourcePath(session.getContext().getUri())
                .representation(Map.of("connection", id, "provider", row.getProviderAlias())).success();
        return Response.noContent().build();
    }

    /** The server-to-server kinds each enabled Conduit identity provider offers: id, description, input fields. */
    @GET
    @Path("server-kinds")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ServerConnectionAdmin.ProviderKinds> serverKinds() {
        auth.realm().requireViewIdentityProviders();
        return servers().kinds();
    }

    /**
     * Creates an organization's server connection: {@code {"alias", "kind", "input": {...}}}; 201 with the connection's
     * view, whose {@code shown} holds what may be shown of the credential (for a generated key pair, its certificate).
     */
    @POST
    @Path("organizations/{orgId}/server-connections")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response createServerConnection(@PathParam("orgId") String organizationId, String body) {
        auth.realm().requireManageIdentityProviders();
        try {
            ServerConnectionAdmin.Request request = ServerConnectionAdmin.read(body, true);
            return created(servers().create(organizationId, request, auth.adminAuth().getUser().getId()));
        } catch (ServerConnectionRefusal refused) {
            throw refusal(refused);
        }
    }

    /**
     * Creates the realm's own server connection (owner kind {@code REALM}, for the realm's own integrations), with the
     * same body and answer as an organization's; only service accounts of clients an admin allowed
     * ({@code conduit.exchange.realm-connections}) get its tokens.
     */
    @POST
    @Path("server-connections")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response createRealmServerConnection(String body) {
        auth.realm().requireManageIdentityProviders();
        try {
            ServerConnectionAdmin.Request request = ServerConnectionAdmin.read(body, true);
            return created(servers().createForRealm(request, auth.adminAuth().getUser().getId()));
        } catch (ServerConnectionRefusal refused) {
            throw refusal(refused);
        }
    }

    private Response created(ConnectionEntity row) {
        adminEvent.operation(OperationType.CREATE).resourcePath(session.getContext().getUri())
                .representation(Map.of("connection", row.getId(), "provider", row.getProviderAlias(),
                        "kind", row.getGrantKind(), "ownerKind", row.getOwnerKind()))
                .success();
        return Response.status(Response.Status.CREATED).entity(view(row)).build();
    }

    /**
     * Replaces a server connection's credential with a new input (a new secret, token or key pair; for a key pair the
     * previous key keeps minting until the new one did); answers the connection's view. A connection the provider
     * refused serves again: the next use mints with the new credential.
     */
    @PUT
    @Path("connections/{id}/credential")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public ConnectionView replaceCredential(@PathParam("id") String id, String body) {
        auth.realm().requireManageIdentityProviders();
        ConnectionEntity row = row(id);
        try {
            servers().replace(row, ServerConnectionAdmin.read(body, false));
        } catch (ServerConnectionRefusal refused) {
            throw refusal(refused);
        }
        adminEvent.operation(OperationType.UPDATE).resourcePath(session.getContext().getUri())
                .representation(Map.of("connection", id, "provider", row.getProviderAlias(), "kind", row.getGrantKind()))
                .success();
        return view(row);
    }

    /** Ends a key rotation's overlap now: the previous key is dropped (204), or there was none (404). */
    @DELETE
    @Path("connections/{id}/previous-key")
    public Response dropPreviousKey(@PathParam("id") String id) {
        auth.realm().requireManageIdentityProviders();
        ConnectionEntity row = row(id);
        try {
            if (!servers().dropPreviousKey(row)) {
                throw new NotFoundException("The connection holds no previous key");
            }
        } catch (ServerConnectionRefusal refused) {
            throw refusal(refused);
        }
        adminEvent.operation(OperationType.DELETE).resourcePath(session.getContext().getUri())
                .representation(Map.of("connection", id)).success();
        return Response.noContent().build();
    }

    /** The server connection's certificate (PEM) for upload at the provider; 404 for a connection without one. */
    @GET
    @Path("connections/{id}/certificate")
    @Produces("application/x-pem-file")
    public Response certificate(@PathParam("id") String id) {
        auth.realm().requireViewIdentityProviders();
        String pem = ServerConnectionAdmin.certificate(row(id))
                .orElseThrow(() -> new NotFoundException("The connection has no certificate"));
        return Response.ok(pem, "application/x-pem-file")
                .header("Content-Disposition", "attachment; filename=\"conduit-" + id + ".crt\"").build();
    }

    private ServerConnectionAdmin servers() {
        return new ServerConnectionAdmin(session, realm, vault);
    }

    private static WebApplicationException refusal(ServerConnectionRefusal refused) {
        return refusal(Response.Status.fromStatusCode(refused.status()), refused.getMessage());
    }

    /** Makes the next use refresh, for when the provider is known to have dropped the access token. */
    @POST
    @Path("connections/{id}/expire-access-token")
    public Response expire(@PathParam("id") String id) {
        auth.realm().requireManageIdentityProviders();
        vault.expireAccessToken(session, row(id));
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri()).success();
        return Response.noContent().build();
    }

    /** Refreshes now (also a health check of the refresh token); answers what happened. */
    @POST
    @Path("connections/{id}/refresh")
    @Produces(MediaType.APPLICATION_JSON)
    public RunReport refresh(@PathParam("id") String id) {
        auth.realm().requireManageIdentityProviders();
        row(id);
        RunReport report = vault.refreshNow(id);
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri()).success();
        return report;
    }

    /**
     * Drops the realm's cached rows (and every data-key row) on every node, once this request commits: for an operator
     * who changed CONDUIT_CONNECTION or CONDUIT_DATA_KEY by SQL outside Keycloak, which the sealed-row cache does not see
     * before {@code row-cache-max-age-seconds} otherwise. Changes made through Keycloak need no call.
     */
    @POST
    @Path("row-cache/invalidate")
    public Response invalidateRowCache() {
        auth.realm().requireManageRealm();
        dev.conduit.vault.store.RowChanges.realmChangedOutsideKeycloak(session, realm.getId());
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri()).success();
        return Response.noContent().build();
    }

    /** Runs the proactive refresh for this realm's connections now, on this node, synchronously; answers its figures. */
    @POST
    @Path("refresh-due")
    @Produces(MediaType.APPLICATION_JSON)
    public RunReport refreshDue() {
        auth.realm().requireManageIdentityProviders();
        return vault.refreshDue(realm.getId());
    }

    /**
     * Sends the pending revocations of the realm's removed identity providers that are due, now, on this node (what the
     * scheduled task does); in the administration realm (master) those of every realm, removed realms included.
     * Answers the run's figures.
     */
    @POST
    @Path("pending-revocations/send")
    @Produces(MediaType.APPLICATION_JSON)
    public PendingReport sendPendingRevocations() {
        auth.realm().requireManageIdentityProviders();
        PendingReport report = vault.pendingRevocations().sendDue(isAdminRealm() ? null : realm.getId());
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri())
                .representation(Map.of("due", report.due(), "sent", report.sent())).success();
        return report;
    }

    /** How many revocations are pending (of the realm's removed identity providers; in master, of every realm). */
    @GET
    @Path("pending-revocations")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Long> pendingRevocations() {
        auth.realm().requireViewIdentityProviders();
        return Map.of("pending", vault.pendingRevocations().count(session, isAdminRealm() ? null : realm.getId()));
    }

    private boolean isAdminRealm() {
        return Config.getAdminRealm().equals(realm.getName());
    }

    /**
     * KEK rotation and migration: rewraps every data key not under the active KEK (no connection row touched; 503
     * {@code temporarily_unavailable} when the key provider is unreachable), then starts re-sealing the realm's
     * connections not under their scope's ACTIVE data key in the background (see docs/operations.md, key management):
     * 202 with the run's progress, the same as {@code GET rotate-key}; a run already going on is not started twice.
     */
    @POST
    @Path("rotate-key")
    @Produces(MediaType.APPLICATION_JSON)
    public Response rotateKey() {
        auth.realm().requireManageRealm();
        try {
            vault.dataKeys().rewrapAll();
        } catch (KeyUnavailableException e) {
            throw keyProviderUnavailable(e);
        }
        Map.Entry<Boolean, KeyRotations.Progress> started = vault.keyRotations().start(realm.getId(), isAdminRealm());
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri())
                .representation(Map.of("started", started.getKey(), "left", started.getValue().left()))
                .success();
        return Response.accepted(started.getValue()).build();
    }

    /**
     * The progress of the realm's latest key rotation on this node: RUNNING, FINISHED or FAILED, rows re-encrypted
     * ({@code done}), still under another key ({@code left}), and those that cannot be opened; 404 when none ran.
     */
    @GET
    @Path("rotate-key")
    @Produces(MediaType.APPLICATION_JSON)
    public KeyRotations.Progress rotateKeyProgress() {
        auth.realm().requireManageRealm();
        return vault.keyRotations().progress(realm.getId())
                .orElseThrow(() -> new NotFoundException("No key rotation ran in this realm on this node"));
    }

    /**
     * Starts moving the tokens Keycloak's Store Tokens kept in clear for this Conduit broker into the vault (see README,
     * coming from Keycloak's stored tokens), in the background, in batches of their own transactions: 202 with the
     * run's figures so far and the {@code Location} of {@code GET stored-tokens/{alias}}. A run going on (on any node)
     * answers 409 with its figures; a run whose node died is taken over and continued.
     */
    @POST
    @Path("stored-tokens/{alias}/migrate")
    @Produces(MediaType.APPLICATION_JSON)
    public Response migrateStoredTokens(@PathParam("alias") String alias) {
        auth.realm().requireManageIdentityProviders();
        IdentityProviderModel model = conduitBroker(alias);
        StoredTokenMigration.Started started;
        try {
            started = vault.storedTokens().start(realm.getId(), model.getAlias(), model.getProviderId());
        } catch (StoredTokenMigration.AlreadyRunning running) {
            throw new WebApplicationException(Response.status(Response.Status.CONFLICT).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("error", "invalid_request", "error_description", running.getMessage(),
                            "progress", running.progress()))
                    .build());
        }
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri())
                .representation(Map.of("provider", model.getAlias(), "tookOver", started.tookOver(),
                        "remaining", started.progress().remaining()))
                .success();
        return Response.accepted(started.progress()).location(session.getContext().getUri().getBaseUriBuilder()
                .path("admin/realms/{realm}/conduit-vault/stored-tokens/{alias}").build(realm.getName(), model.getAlias()))
                .build();
    }

    /**
     * The latest migration's figures, the same on every node: NOT_STARTED, RUNNING, FINISHED, FAILED (with why) or
     * INTERRUPTED (its node stopped; a new start continues it).
     */
    @GET
    @Path("stored-tokens/{alias}")
    @Produces(MediaType.APPLICATION_JSON)
    public StoredTokenMigration.Progress storedTokensProgress(@PathParam("alias") String alias) {
        auth.realm().requireViewIdentityProviders();
        return vault.storedTokens().progress(realm.getId(), conduitBroker(alias).getAlias());
    }

    /**
     * Switches an OAuth 2 / OpenID Connect identity provider to the Conduit broker {@code providerId} with {@code config},
     * keeping its alias, internal id and federated identities, Store Tokens off (see README, coming from Keycloak's stored
     * tokens, and {@link BrokerSwitch}). Answers what changed; refused 404 (no such alias), 400 (not a Conduit broker, not
     * an OAuth 2 source, invalid settings, naming the field), 409 (already a Conduit broker), 403 without manage-realm.
     */
    @POST
    @Path("identity-providers/{alias}/switch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> switchToConduitBroker(@PathParam("alias") String alias, JsonNode body) {
        auth.realm().requireManageRealm();
        BrokerSwitch.Switched switched;
        try {
            switched = new BrokerSwitch(session, realm).run(alias, BrokerSwitchRequest.parse(body));
        } catch (IllegalArgumentException invalid) {
            throw refusal(Response.Status.BAD_REQUEST, invalid.getMessage());
        } catch (BrokerSwitch.Refused refused) {
            throw refusal(refused.status(), refused.getMessage());
        }
        adminEvent.resource(ResourceType.IDENTITY_PROVIDER).operation(OperationType.UPDATE)
                .resourcePath(session.getContext().getUri()).representation(switched.asMap()).success();
        return switched.asMap();
    }

    private IdentityProviderModel conduitBroker(String alias) {
        IdentityProviderModel model = alias == null ? null : session.identityProviders().getByAlias(alias);
        if (model == null) {
            throw refusal(Response.Status.NOT_FOUND, "Identity provider not found");
        }
        if (ConduitBrokers.of(session, model).isEmpty()) {
            throw refusal(Response.Status.BAD_REQUEST, "The identity provider is not a Conduit broker; switch it first"
                    + " (README, coming from Keycloak's stored tokens)");
        }
        return model;
    }

    private static WebApplicationException refusal(Response.Status status, String description) {
        return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", "invalid_request", "error_description", description)).build());
    }

    private ConnectionEntity row(String id) {
        if (!AdminQuery.plausibleId(id)) {
            throw new NotFoundException("Connection not found");
        }
        ConnectionEntity row = store().byId(id);
        if (row == null || !realm.getId().equals(row.getRealmId())) {
            throw new NotFoundException("Connection not found");
        }
        return row;
    }
}
