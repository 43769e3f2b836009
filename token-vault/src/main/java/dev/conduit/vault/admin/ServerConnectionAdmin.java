package dev.conduit.vault.admin;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conduit.api.grant.ConduitBroker;
import dev.conduit.api.grant.ConduitBrokers;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.support.StorageOutage;
import dev.conduit.api.server.ServerField;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.server.ServerConnectionRefusal;
import dev.conduit.vault.server.ServerConnections;
import dev.conduit.vault.server.ServerCredentials;
import dev.conduit.vault.service.ConnectionVault;
import dev.conduit.vault.store.ConnectionEntity;
import dev.conduit.vault.store.VaultStore;
import jakarta.persistence.PersistenceException;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.organization.OrganizationProvider;

/**
 * The admin API's server connections (issue 15), behind {@link VaultAdminResource}'s endpoints, which check the
 * admin's permissions first: the kinds each Conduit broker offers, creating an organization's connection or the realm's
 * own (owner kind {@code REALM}, for the realm's own integrations), replacing
 * its credential, its certificate. Refusals are {@link ServerConnectionRefusal}s (400 with the kind's words, 404,
 * 409), never an echo of what was sent.
 */
final class ServerConnectionAdmin {

    /** The largest request body read: an 8192-bit key's PEM and the other fields fit many times. */
    static final int MAX_BODY_CHARS = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One kind as the admin API lists it. */
    record Kind(String id, String description, List<ServerField> fields, boolean served) {
    }

    /** The kinds of one Conduit identity provider. */
    record ProviderKinds(String alias, String providerId, List<Kind> kinds) {
    }

    private final KeycloakSession session;
    private final RealmModel realm;
    private final ConnectionVault vault;
    private final ServerConnections connections;

    ServerConnectionAdmin(KeycloakSession session, RealmModel realm, ConnectionVault vault) {
        this.session = session;
        this.realm = realm;
        this.vault = vault;
        this.connections = new ServerConnections(vault.seal());
    }

    List<ProviderKinds> kinds() {
        List<ProviderKinds> out = new ArrayList<>();
        for (ConduitBrokers.Listed listed : ConduitBrokers.enabled(session)) {
            IdentityProviderModel model = session.identityProviders().getByAlias(listed.alias());
            ConduitBroker broker = ConduitBrokers.of(session, model).orElse(null);
            if (broker == null || broker.serverGrantKinds().isEmpty()) {
                continue;
            }
            out.add(new ProviderKinds(model.getAlias(), model.getProviderId(), broker.serverGrantKinds().stream()
                    .map(kind -> new Kind(kind.id(), kind.description(), kind.fields(),
                            ServerConnections.notServed(kind.id()).isEmpty()))
                    .toList()));
        }
        return out;
    }

    /** A request body: {@code {"alias":..., "kind":..., "input":{...}}} with string values. */
    record Request(String alias, String kind, Map<String, String> input) {
    }

    static Request read(String body, boolean needsAliasAndKind) throws ServerConnectionRefusal {
        if (body == null || body.isBlank()) {
            throw new ServerConnectionRefusal(400, "The request has no JSON body");
        }
        if (body.length() > MAX_BODY_CHARS) {
            throw new ServerConnectionRefusal(400, "The request is larger than " + MAX_BODY_CHARS / 1024 + " KB");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new ServerConnectionRefusal(400, "The request is not JSON");
        }
        if (json == null || !json.isObject()) {
            throw new ServerConnectionRefusal(400, "The request is not a JSON object");
        }
        String alias = text(json, "alias");
        String kind = text(json, "kind");
        if (needsAliasAndKind && (alias == null || kind == null)) {
            throw new ServerConnectionRefusal(400, "alias and kind are required");
        }
        JsonNode input = json.get("input");
        if (input == null || !input.isObject()) {
            throw new ServerConnectionRefusal(400, "input is required: an object of the kind's fields (GET server-kinds)");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        var names = input.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode value = input.get(name);
            if (!value.isTextual()) {
                throw new ServerConnectionRefusal(400, "input." + (name.matches("[a-z_]{1,64}") ? name : "?")
                        + " must be a string");
            }
            fields.put(name, value.asText());
        }
        return new Request(alias, kind, fields);
    }

    private static String text(JsonNode json, String name) {
        JsonNode node = json.get(name);
        return node == null || !node.isTextual() || node.asText().isBlank() ? null : node.asText().trim();
    }

    /** Creates the organization's connection and persists it; the caller records the admin event. */
    ConnectionEntity create(String organizationId, Request request, String adminUserId) throws ServerConnectionRefusal {
        OrganizationModel organization = organization(organizationId);
        IdentityProviderModel model = enabledBroker(request.alias());
        if (model == null || !ConduitBrokers.servesOrganization(model, organization.getId())) {
            throw new ServerConnectionRefusal(400, "alias names no enabled Conduit identity provider this organization may use");
        }
        return create(TokenOwner.Kind.ORGANIZATION, organization.getId(), "The organization", model, request, adminUserId);
    }

    /**
     * Creates the realm's own connection (for the realm's own integrations, owned by the realm) and persists it; any
     * enabled Conduit identity provider may serve one. The caller records the admin event.
     */
    ConnectionEntity createForRealm(Request request, String adminUserId) throws ServerConnectionRefusal {
        IdentityProviderModel model = enabledBroker(request.alias());
        if (model == null) {
            throw new ServerConnectionRefusal(400, "alias names no enabled Conduit identity provider of this realm");
        }
        return create(TokenOwner.Kind.REALM, realm.getId(), "The realm", model, request, adminUserId);
    }

    /** The enabled Conduit broker of that alias, or null. */
    private IdentityProviderModel enabledBroker(String alias) {
        IdentityProviderModel model = alias.length() > 255 ? null : session.identityProviders().getByAlias(alias);
        return model != null && model.isEnabled() && ConduitBrokers.of(session, model).isPresent() ? model : null;
    }

    /** @param owner the owner in the 409's words ("The organization", "The realm") */
    private ConnectionEntity create(TokenOwner.Kind ownerKind, String ownerId, String owner, IdentityProviderModel model,
            Request request, String adminUserId) throws ServerConnectionRefusal {
        ConduitBroker broker = ConduitBrokers.of(session, model).orElseThrow();
        ServerGrantKind kind = kind(broker, model, request.kind());
        VaultStore store = VaultStore.of(session);
        Optional<ConnectionEntity> existing = store.find(realm.getId(), ownerKind.name(), ownerId, model.getAlias());
        if (existing.isPresent()) {
            throw new ServerConnectionRefusal(409, existing.get().isServer()
                    ? owner + " has a server connection through " + model.getAlias() + " already: change its"
                            + " credential (PUT connections/" + existing.get().getId() + "/credential) or disconnect it first"
                    : owner + " has a consent connection through " + model.getAlias() + ": disconnect it first");
        }
        ConnectionEntity row = connections.create(realm.getId(), ownerKind, ownerId, model, kind, request.input(),
                adminUserId, Instant.now());
        try {
            store.persist(row);
            store.flush();
        } catch (PersistenceException e) {
            if (StorageOutage.causedBy(e)) {
                throw e;
            }
            // another admin's create for the same owner and alias committed first: the unique key refused ours
            throw new ServerConnectionRefusal(409, owner + " got a connection through " + model.getAlias()
                    + " at the same moment: change its credential or disconnect it first");
        }
        vault.connected(session, realm, row, false);
        return row;
    }

    /** Replaces a server connection's credential; answers what is shown of the new one. */
    ServerCredential replace(ConnectionEntity row, Request request) throws ServerConnectionRefusal {
        if (!row.isServer()) {
            throw new ServerConnectionRefusal(400, "Not a server connection: its credential is the provider's consent");
        }
        IdentityProviderModel model = session.identityProviders().getByAlias(row.getProviderAlias());
        ConduitBroker broker = ConduitBrokers.of(session, model)
                .orElseThrow(() -> new ServerConnectionRefusal(400, "The connection's identity provider is missing or not"
                        + " a Conduit broker"));
        ServerGrantKind kind = kind(broker, model, row.getGrantKind());
        VaultStore.of(session).lockAndRefresh(row);
        ServerCredential credential = connections.replace(row, model, kind, request.input(), Instant.now());
        VaultStore.of(session).flush();
        return credential;
    }

    /** Drops the previous key of a rotation; false when there was none. */
    boolean dropPreviousKey(ConnectionEntity row) throws ServerConnectionRefusal {
        if (!row.isServer()) {
            throw new ServerConnectionRefusal(400, "Not a server connection");
        }
        VaultStore.of(session).lockAndRefresh(row);
        boolean dropped = ServerConnections.dropPreviousKey(vault.seal(), row);
        VaultStore.of(session).flush();
        return dropped;
    }

    /** The connection's certificate (PEM), to upload at the provider. */
    static Optional<String> certificate(ConnectionEntity row) {
        return row.isServer() ? Optional.ofNullable(ServerCredentials.shown(row.getShown()).get("certificate")) : Optional.empty();
    }

    private ServerGrantKind kind(ConduitBroker broker, IdentityProviderModel model, String id) throws ServerConnectionRefusal {
        return broker.serverGrantKind(id).orElseThrow(() -> new ServerConnectionRefusal(400, "kind is not one "
                + model.getAlias() + " offers (GET server-kinds lists them)"));
    }

    private OrganizationModel organization(String id) throws ServerConnectionRefusal {
        OrganizationProvider organizations = session.getProvider(OrganizationProvider.class);
        OrganizationModel organization = organizations == null || !realm.isOrganizationsEnabled() || !AdminQuery.plausibleId(id)
                ? null : organizations.getById(id);
        if (organization == null) {
            throw new ServerConnectionRefusal(404, "Organization not found");
        }
        return organization;
    }
}
