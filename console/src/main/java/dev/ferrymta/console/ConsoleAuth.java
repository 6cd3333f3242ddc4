package dev.ferrymta.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.server.handlers.form.FormData;
import io.undertow.server.handlers.form.FormParserFactory;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the console, and which writes are really theirs.
 *
 * <ul>
 * <li>With {@code www-password} set, everything {@link #protect protected} needs a session,
 *     started by logging in ({@code /login}: a form, or JSON {@code {"password": ...}} for
 *     scripts). The password is compared in constant time; each failure in a row doubles the
 *     wait before the next try from that address (1 s, 2 s, 4 s, ... up to a minute).
 * <li>Without a password (the console then listens on loopback only) a visitor gets a session
 *     at once, so the CSRF rule below holds all the same.
 * <li>The session cookie is {@code HttpOnly}, {@code SameSite=Strict}, and {@code Secure} when
 *     {@code www-url} is https.
 * <li>Every request other than GET or HEAD must carry the session's CSRF token, in the header
 *     {@value #CSRF_HEADER} or the form field {@value #CSRF_FIELD}; without it: 403.
 * </ul>
 */
final class ConsoleAuth {

    /** The session cookie's name before the server id: consoles on one host must not share cookies. */
    static final String COOKIE_PREFIX = "ferry_session_";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CSRF_FIELD = "csrf";

    private static final Logger log = LoggerFactory.getLogger(ConsoleAuth.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttachmentKey<Sessions.Session> SESSION = AttachmentKey.create(Sessions.Session.class);
    private static final FormParserFactory FORMS = FormParserFactory.builder().build();

    private final Optional<byte[]> passwordDigest;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final boolean secureCookie;
    private final String cookieName;

    /** @param serverId names the session cookie: browsers share cookies between ports of one host */
    ConsoleAuth(ConsoleConfig config, String serverId, Clock clock) {
        this.cookieName = COOKIE_PREFIX + serverId;
        this.passwordDigest = config.password().map(ConsoleAuth::digest);
        this.sessions = new Sessions(clock);
        this.throttle = new LoginThrottle(clock);
        this.secureCookie = config.tls().isPresent() || "https".equalsIgnoreCase(config.url().getScheme());
    }

    /** Whether a password protects the console. */
    boolean hasPassword() {
        return passwordDigest.isPresent();
    }

    /** The session of a request that passed {@link #protect}. */
    static Sessions.Session session(HttpServerExchange exchange) {
        var session = exchange.getAttachment(SESSION);
        if (session == null) {
            throw new IllegalStateException("not a protected request: " + exchange.getRequestPath());
        }
        return session;
    }

    /** The form a protected write sent, already read; empty for a JSON or empty body. */
    static Optional<FormData> form(HttpServerExchange exchange) {
        return Optional.ofNullable(exchange.getAttachment(io.undertow.server.handlers.form.FormDataParser.FORM_DATA));
    }

    /** Wraps {@code next}: a session is needed (see the class comment), and a CSRF token for writes. */
    HttpHandler protect(HttpHandler next) {
        return new BlockingHandler(exchange -> {
            var session = sessions.find(cookie(exchange));
            if (session.isEmpty()) {
                if (passwordDigest.isPresent()) {
                    askToLogIn(exchange);
                    return;
                }
                if (isSafe(exchange) && isApiRead(exchange)) {
                    // A script reading the API without a cookie jar needs no session, and must not
                    // push people's sessions out of the bounded store by starting one per request.
                    next.handleRequest(exchange);
                    return;
                }
                session = Optional.of(startSession(exchange));
            }
            if (!isSafe(exchange) && !session.get().acceptsCsrf(csrfToken(exchange))) {
                Responses.error(exchange, StatusCodes.FORBIDDEN, "forbidden",
                        "a write needs the session's CSRF token (header " + CSRF_HEADER + " or form field " + CSRF_FIELD
                                + "); reload the page, or GET /api/session for it");
                return;
            }
            exchange.putAttachment(SESSION, session.get());
            next.handleRequest(exchange);
        });
    }

    /**
     * For what monitoring reads ({@code /metrics}): open without a password (no session is started
     * for each scrape); with one, a session or the password by HTTP Basic (any user name), which
     * Prometheus' {@code basic_auth} sends. Read-only, so no CSRF question arises.
     */
    HttpHandler protectForMonitoring(HttpHandler next) {
        return exchange -> {
            if (passwordDigest.isEmpty() || sessions.find(cookie(exchange)).isPresent()
                    || MessageDigest.isEqual(digest(basicPassword(exchange)), passwordDigest.get())) {
                next.handleRequest(exchange);
                return;
            }
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Basic realm=\"Ferry\", charset=\"UTF-8\"");
            Responses.error(exchange, StatusCodes.UNAUTHORIZED, "unauthorized", "send the www-password by HTTP Basic authentication");
        };
    }

    private static String basicPassword(HttpServerExchange exchange) {
        var header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "";
        }
        try {
            var decoded = new String(java.util.Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? "" : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** {@code GET /login}: the form; {@code POST /login}: the check. */
    HttpHandler login() {
        return new BlockingHandler(exchange -> {
            if (passwordDigest.isEmpty()) {
                redirect(exchange, "/");
            } else if (Methods.POST.equals(exchange.getRequestMethod())) {
                checkLogin(exchange);
            } else {
                Responses.send(exchange, "text/html; charset=utf-8",
                        Pages.loginPage(safeNext(exchange.getQueryParameters().getOrDefault("next", new java.util.ArrayDeque<>()).peekFirst()),
                                Optional.empty()));
            }
        });
    }

    /** {@code POST /logout} (protected): ends the session. */
    void logout(HttpServerExchange exchange) {
        var session = session(exchange);
        sessions.end(session.id());
        var expired = cookie(session.id());
        expired.setMaxAge(0);
        exchange.setResponseCookie(expired);
        redirect(exchange, passwordDigest.isPresent() ? "/login" : "/");
    }

    /** {@code GET /api/session} (protected): the CSRF token, for scripts. */
    void sessionInfo(HttpServerExchange exchange) throws IOException {
        Responses.json(exchange, StatusCodes.OK, Map.of("csrfToken", session(exchange).csrfToken()));
    }

    /**
     * Reads the login's body (already buffered: a slow client holds no worker), reserves the
     * address's next turn ({@link LoginThrottle}) and checks the password when it comes, the wait
     * spent off the worker threads. A correct password succeeds after its wait, whoever else
     * guesses from the same address.
     */
    private void checkLogin(HttpServerExchange exchange) throws IOException {
        var address = clientAddress(exchange);
        boolean json = isJson(exchange);
        String password;
        String next = "/";
        if (json) {
            JsonNode body;
            try {
                body = JSON.readTree(exchange.getInputStream().readNBytes(4096));
            } catch (IOException e) {
                body = null;
            }
            password = body != null && body.path("password").isTextual() ? body.path("password").asText() : "";
        } else {
            var parser = FORMS.createParser(exchange);
            var form = parser == null ? new FormData(0) : parser.parseBlocking();
            password = form.contains("password") ? form.getFirst("password").getValue() : "";
            next = safeNext(form.contains("next") ? form.getFirst("next").getValue() : null);
        }
        var turn = throttle.reserve(address);
        if (turn.isEmpty()) {
            refuse(exchange, json, next, StatusCodes.TOO_MANY_REQUESTS, LoginThrottle.MAX_WAIT,
                    "Too many logins are waiting from your address.");
            return;
        }
        var target = next;
        var wait = turn.get();
        if (wait.isZero()) {
            decide(exchange, address, json, target, password);
            return;
        }
        // Wait off the worker threads: the I/O thread's timer, then back to a worker for the answer.
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> exchange.getIoThread().executeAfter(
                () -> exchange.dispatch(() -> {
                    try {
                        decide(exchange, address, json, target, password);
                    } catch (IOException | RuntimeException e) {
                        throttle.abandoned(address);
                        log.debug("console: a delayed login could not be answered: {}", e.toString());
                    }
                    exchange.endExchange();
                }),
                wait.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** The turn has come: the password is checked. */
    private void decide(HttpServerExchange exchange, String address, boolean json, String next, String password) throws IOException {
        if (!MessageDigest.isEqual(digest(password), passwordDigest.orElseThrow())) {
            throttle.failed(address);
            log.warn("console: failed login from {}", address);
            refuse(exchange, json, next, StatusCodes.UNAUTHORIZED, LoginThrottle.penalty(1), "Wrong password.");
            return;
        }
        throttle.succeeded(address);
        sessions.end(cookie(exchange));
        var session = startSession(exchange);
        log.info("console: login from {}", address);
        if (json) {
            Responses.json(exchange, StatusCodes.OK, Map.of("csrfToken", session.csrfToken()));
        } else {
            redirect(exchange, next);
        }
    }

    private void refuse(HttpServerExchange exchange, boolean json, String next, int status, Duration wait, String why)
            throws IOException {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(seconds));
        var message = why + " Try again in " + seconds + (seconds == 1 ? " second." : " seconds.");
        if (json) {
            Responses.error(exchange, status, status == StatusCodes.UNAUTHORIZED ? "unauthorized" : "too many requests", message);
        } else {
            exchange.setStatusCode(status);
            Responses.send(exchange, "text/html; charset=utf-8", Pages.loginPage(next, Optional.of(message)));
        }
    }

    private void askToLogIn(HttpServerExchange exchange) throws IOException {
        var accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        if (isSafe(exchange) && accept != null && accept.contains("text/html")) {
            var target = exchange.getRequestURI() + (exchange.getQueryString().isEmpty() ? "" : "?" + exchange.getQueryString());
            redirect(exchange, "/login?next=" + java.net.URLEncoder.encode(target, StandardCharsets.UTF_8));
            return;
        }
        Responses.error(exchange, StatusCodes.UNAUTHORIZED, "unauthorized",
                "log in first: POST /login with {\"password\": ...}, then send the session cookie");
    }

    private Sessions.Session startSession(HttpServerExchange exchange) {
        var session = sessions.start();
        exchange.setResponseCookie(cookie(session.id()));
        exchange.putAttachment(SESSION, session);
        return session;
    }

    private CookieImpl cookie(String value) {
        var cookie = new CookieImpl(cookieName, value);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSiteMode("Strict");
        cookie.setSecure(secureCookie);
        return cookie;
    }

    private String cookie(HttpServerExchange exchange) {
        var cookie = exchange.getRequestCookie(cookieName);
        return cookie == null ? null : cookie.getValue();
    }

    private static String csrfToken(HttpServerExchange exchange) throws IOException {
        var header = exchange.getRequestHeaders().getFirst(CSRF_HEADER);
        if (header != null) {
            return header;
        }
        var parser = FORMS.createParser(exchange);
        if (parser == null) {
            return null;
        }
        var form = parser.parseBlocking();
        return form.contains(CSRF_FIELD) ? form.getFirst(CSRF_FIELD).getValue() : null;
    }

    private static boolean isSafe(HttpServerExchange exchange) {
        return Methods.GET.equals(exchange.getRequestMethod()) || Methods.HEAD.equals(exchange.getRequestMethod());
    }

    private static boolean isApiRead(HttpServerExchange exchange) {
        var path = exchange.getRequestPath();
        return path.startsWith("/api/") && !path.equals("/api/session");
    }

    private static boolean isJson(HttpServerExchange exchange) {
        var type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /** Only a path on this console: never another site ({@code //evil.example}, {@code https://...}). */
    static String safeNext(String next) {
        if (next == null || !next.matches("/[A-Za-z0-9/_.?=&%-]*") || next.startsWith("//")) {
            return "/";
        }
        return next;
    }

    private static String clientAddress(HttpServerExchange exchange) {
        var source = exchange.getSourceAddress();
        return source instanceof InetSocketAddress address && address.getAddress() != null
                ? address.getAddress().getHostAddress() : String.valueOf(source);
    }

    static void redirect(HttpServerExchange exchange, String location) {
        exchange.setStatusCode(StatusCodes.SEE_OTHER);
        exchange.getResponseHeaders().put(Headers.LOCATION, location);
        exchange.endExchange();
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
