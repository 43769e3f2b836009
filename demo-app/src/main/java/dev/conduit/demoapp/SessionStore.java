package dev.conduit.demoapp;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions of this process, in memory only, by cookie value; idle ones go after a while, and there is a cap. */
final class SessionStore {

    static final long IDLE_MILLIS = 2 * 60 * 60 * 1000L;
    static final int MAX_SESSIONS = 10_000;

    private final Map<String, DemoSession> sessions = new ConcurrentHashMap<>();

    DemoSession create(long nowMillis) {
        evict(nowMillis);
        String id = Text.random(32);
        DemoSession session = new DemoSession(id, nowMillis);
        sessions.put(id, session);
        return session;
    }

    /** The live session of this cookie value, or null. */
    DemoSession find(String id, long nowMillis) {
        if (id == null) {
            return null;
        }
        DemoSession session = sessions.get(id);
        if (session == null) {
            return null;
        }
        if (nowMillis - session.lastSeenMillis() > IDLE_MILLIS) {
            sessions.remove(id);
            return null;
        }
        session.seen(nowMillis);
        return session;
    }

    void remove(DemoSession session) {
        sessions.remove(session.id());
    }

    int size() {
        return sessions.size();
    }

    private void evict(long nowMillis) {
        sessions.values().removeIf(s -> nowMillis - s.lastSeenMillis() > IDLE_MILLIS);
        while (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min(Comparator.comparingLong(DemoSession::lastSeenMillis))
                    .ifPresent(oldest -> sessions.remove(oldest.id()));
        }
    }
}
