package dev.ferrymta.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferrymta.db.write.FieldError;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writing the console's answers: every one with the security headers, JSON ones never cached. */
final class Responses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    private Responses() {
    }

    static void send(HttpServerExchange exchange, String contentType, String body) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        SECURITY_HEADERS.forEach((name, value) -> exchange.getResponseHeaders().put(HttpString.tryFromString(name), value));
        exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
    }

    static void json(HttpServerExchange exchange, int status, Object body) throws JsonProcessingException {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        send(exchange, "application/json", JSON.writeValueAsString(body));
    }

    /** {@code {"error": error, "message": message}}: the shape of every API error. */
    static void error(HttpServerExchange exchange, int status, String error, String message) throws JsonProcessingException {
        var body = new LinkedHashMap<String, Object>();
        body.put("error", error);
        body.put("message", message);
        json(exchange, status, body);
    }

    /**
     * 400 {@code {"error": "invalid", "message": ..., "fields": [{"field", "message"}]}}: what is
     * wrong with a request, field by field; {@code message} begins with {@code lead}.
     */
    static void invalid(HttpServerExchange exchange, String lead, List<FieldError> errors) throws JsonProcessingException {
        var body = new LinkedHashMap<String, Object>();
        body.put("error", "invalid");
        body.put("message", lead + errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        body.put("fields", errors.stream().map(error -> Map.of("field", error.field(), "message", error.message())).toList());
        json(exchange, StatusCodes.BAD_REQUEST, body);
    }
}
