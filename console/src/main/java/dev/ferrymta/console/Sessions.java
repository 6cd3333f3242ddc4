package dev.ferrymta.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The console's sessions, in memory: a random id (the cookie) and a CSRF token each, ended
 * after {@link #IDLE} without use or {@link #LIFETIME} after the login. At most
 * {@link #MAX_SESSIONS}, the least recently used going first. A restart logs everyone out.
 * Thread-safe.
 */
final class Sessions {

    static final Duration IDLE = Duration.ofHours(2);
    static final Duration LIFETIME = Duration.ofHours(12);
    static final int MAX_SESSIONS = 1_000;

    /** One session; {@code csrfToken} must come with every write made in it. */
    record Session(String id, String csrfToken, Instant created) {

        /** Whether {@code token} is this session's CSRF token, compared in constant time. */
        boolean acceptsCsrf(String token) {
            return token != null && MessageDigest.isEqual(csrfToken.getBytes(), token.getBytes());
        }
    }

    private record Entry(Session session, Instant lastUsed) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true);

    Sessions(Clock clock) {
        this.clock = clock;
    }

    /** Starts a new session. */
    synchronized Session start() {
        var now = clock.instant();
        var session = new Session(token(), token(), now);
        sessions.put(session.id(), new Entry(session, now));
        if (sessions.size() > MAX_SESSIONS) {
            var oldest = sessions.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return session;
    }

    /** The live session with this id, marked as used now; empty when unknown or expired. */
    synchronized Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        var entry = sessions.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        var now = clock.instant();
        if (now.isAfter(entry.lastUsed().plus(IDLE)) || now.isAfter(entry.session().created().plus(LIFETIME))) {
            sessions.remove(id);
            return Optional.empty();
        }
        sessions.put(id, new Entry(entry.session(), now));
        return Optional.of(entry.session());
    }

    /** Ends a session. */
    synchronized void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private String token() {
        var bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
