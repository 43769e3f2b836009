package dev.conduit.demoapp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One browser's session, found by its random cookie: the person's Keycloak tokens (server side only), the CSRF
 * token its forms carry, the authorizations under way, and what to show next.
 */
public final class DemoSession {

    /** Authorizations one session may have under way at once; the oldest is dropped beyond that. */
    static final int MAX_PENDING = 5;
    /** An authorization that has not come back within this is forgotten. */
    static final long PENDING_MILLIS = 10 * 60 * 1000L;

    private final String id;
    private final String csrfToken = Text.random(32);
    private final Map<String, Authorization> pending = new LinkedHashMap<>();
    private volatile long lastSeenMillis;
    private KeycloakTokens tokens;
    private SignedInPerson person;
    private String message;
    private FetchResult lastFetch;

    DemoSession(String id, long nowMillis) {
        this.id = id;
        this.lastSeenMillis = nowMillis;
    }

    /** Who is signed in: from the ID token Keycloak gave this app over the back channel. */
    public record SignedInPerson(String subject, String name, String username, java.util.List<String> organizations) {
    }

    String id() {
        return id;
    }

    public String csrfToken() {
        return csrfToken;
    }

    void seen(long nowMillis) {
        lastSeenMillis = nowMillis;
    }

    long lastSeenMillis() {
        return lastSeenMillis;
    }

    synchronized void addPending(Authorization authorization) {
        pending.values().removeIf(a -> authorization.startedAtMillis() - a.startedAtMillis() > PENDING_MILLIS);
        while (pending.size() >= MAX_PENDING) {
            pending.remove(pending.keySet().iterator().next());
        }
        pending.put(authorization.state(), authorization);
    }

    /** The authorization this {@code state} belongs to, removed (a state is good once), or null. */
    synchronized Authorization takePending(String state, long nowMillis) {
        if (state == null) {
            return null;
        }
        Authorization found = pending.remove(state);
        if (found == null || nowMillis - found.startedAtMillis() > PENDING_MILLIS) {
            return null;
        }
        return found;
    }

    synchronized KeycloakTokens tokens() {
        return tokens;
    }

    synchronized SignedInPerson person() {
        return person;
    }

    synchronized void signedIn(KeycloakTokens newTokens, SignedInPerson who) {
        if (person != null && !person.subject().equals(who.subject())) {
            lastFetch = null;
        }
        tokens = newTokens;
        person = who;
    }

    synchronized void tokensRefreshed(KeycloakTokens newTokens) {
        tokens = newTokens;
    }

    synchronized void signedOut() {
        tokens = null;
        person = null;
        lastFetch = null;
        pending.clear();
    }

    synchronized void message(String text) {
        message = text;
    }

    /** The one-time message for the next page, cleared. */
    synchronized String takeMessage() {
        String text = message;
        message = null;
        return text;
    }

    synchronized void lastFetch(FetchResult result) {
        lastFetch = result;
    }

    synchronized FetchResult lastFetch() {
        return lastFetch;
    }
}
