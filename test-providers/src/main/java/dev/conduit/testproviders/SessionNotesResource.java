package dev.conduit.testproviders;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.infinispan.Cache;
import org.keycloak.connections.infinispan.InfinispanConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.sessions.infinispan.changes.SessionEntityWrapper;
import org.keycloak.models.sessions.infinispan.entities.AuthenticationSessionEntity;
import org.keycloak.models.sessions.infinispan.entities.RootAuthenticationSessionEntity;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.sessions.RootAuthenticationSessionModel;

/** See {@link SessionNotesResourceProviderFactory}. */
final class SessionNotesResource implements RealmResourceProvider {

    private final KeycloakSession session;
    private final boolean enabled;

    SessionNotesResource(KeycloakSession session, boolean enabled) {
        this.session = session;
        this.enabled = enabled;
    }

    @Override
    public Object getResource() {
        return this;
    }

    /**
     * The authentication sessions of root authentication session {@code root} as the authentication-session cache
     * holds them: tab id to its auth notes, client notes and user-session notes.
     */
    @GET
    @Path("authentication-sessions")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Map<String, Map<String, String>>> authenticationSessions(@QueryParam("root") String root) {
        RealmModel realm = requireEnabled();
        InfinispanConnectionProvider infinispan = session.getProvider(InfinispanConnectionProvider.class);
        if (root == null || infinispan == null) {
            throw new NotFoundException();
        }
        Cache<String, SessionEntityWrapper<RootAuthenticationSessionEntity>> cache =
                infinispan.getCache(InfinispanConnectionProvider.AUTHENTICATION_SESSIONS_CACHE_NAME);
        SessionEntityWrapper<RootAuthenticationSessionEntity> wrapper = cache.get(root);
        if (wrapper == null || !realm.getId().equals(wrapper.getEntity().getRealmId())) {
            throw new NotFoundException();
        }
        Map<String, Map<String, Map<String, String>>> tabs = new TreeMap<>();
        wrapper.getEntity().getAuthenticationSessions().forEach((tabId, entity) -> tabs.put(tabId, notes(entity)));
        return tabs;
    }

    /**
     * What a writer of the authentication-session cache can do: replace auth note {@code name} of tab {@code tab}
     * of root authentication session {@code root} with the request body.
     */
    @PUT
    @Path("authentication-sessions/auth-note")
    @Consumes(MediaType.TEXT_PLAIN)
    public Response setAuthNote(@QueryParam("root") String root, @QueryParam("tab") String tab,
            @QueryParam("name") String name, String value) {
        RealmModel realm = requireEnabled();
        RootAuthenticationSessionModel rootSession = root == null ? null
                : session.authenticationSessions().getRootAuthenticationSession(realm, root);
        AuthenticationSessionModel authSession = rootSession == null || tab == null ? null
                : rootSession.getAuthenticationSessions().get(tab);
        if (authSession == null || name == null) {
            throw new NotFoundException();
        }
        authSession.setAuthNote(name, value);
        return Response.noContent().build();
    }

    /** The notes of every user session of user {@code user}, by session id. */
    @GET
    @Path("user-sessions")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Map<String, String>> userSessions(@QueryParam("user") String userId) {
        RealmModel realm = requireEnabled();
        UserModel user = userId == null ? null : session.users().getUserById(realm, userId);
        if (user == null) {
            throw new NotFoundException();
        }
        Map<String, Map<String, String>> sessions = new TreeMap<>();
        session.sessions().getUserSessionsStream(realm, user)
                .forEach(s -> sessions.put(s.getId(), new TreeMap<>(s.getNotes())));
        return sessions;
    }

    private static Map<String, Map<String, String>> notes(AuthenticationSessionEntity entity) {
        Map<String, Map<String, String>> notes = new LinkedHashMap<>();
        notes.put("authNotes", copy(entity.getAuthNotes()));
        notes.put("clientNotes", copy(entity.getClientNotes()));
        notes.put("userSessionNotes", copy(entity.getUserSessionNotes()));
        return notes;
    }

    private static Map<String, String> copy(Map<String, String> values) {
        return values == null ? Map.of() : new TreeMap<>(values);
    }

    private RealmModel requireEnabled() {
        if (!enabled) {
            throw new NotFoundException();
        }
        return session.getContext().getRealm();
    }

    @Override
    public void close() {
    }
}
