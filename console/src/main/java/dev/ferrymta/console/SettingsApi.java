package dev.ferrymta.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.relay.dkim.DkimPublicationChecks;
import dev.ferrymta.db.write.FieldError;
import dev.ferrymta.db.write.InvalidSettingsException;
import dev.ferrymta.db.write.SettingsKind;
import dev.ferrymta.db.write.SettingsKinds;
import dev.ferrymta.db.write.SettingsWriter;
import dev.ferrymta.db.write.WriteOutcome;
import dev.ferrymta.relay.settings.Settings;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared settings as JSON, under {@code /api/settings}: read them all or one kind, create,
 * replace and delete rows. Kinds: {@code pools}, {@code throttles}, {@code routes},
 * {@code pauses}, {@code ehlo-names}, {@code dkim-keys}, {@code response-rules}, {@code back-offs},
 * {@code providers}. Field names are those of the
 * {@code *Input} records of {@code dev.ferrymta.db.write}.
 *
 * <ul>
 * <li>{@code GET /api/settings}, {@code GET /api/settings/KIND}: the rows in force here, each with
 *     its {@code id} and {@code revision} (DKIM private keys are never sent back).
 * <li>{@code POST /api/settings/KIND} with a JSON object: 201 and {@code {"id","revision","configVersion"}}.
 * <li>{@code PUT /api/settings/KIND/ID} with the whole row and the {@code revision} it was read at: 200.
 * <li>{@code DELETE /api/settings/KIND/ID?revision=N}: 200.
 * </ul>
 *
 * Errors are JSON {@code {"error": ..., "message": ...}}: 400 with {@code "fields": [{"field",
 * "message"}]} for bad input (wrong JSON types included; nothing is changed), 404 for a row that
 * is not there, 409 when the row was changed since it was read, 415 for a write that is not
 * {@code application/json}, 503 while the database cannot be written. A successful write is
 * broadcast to the cluster before the answer ({@link SettingsEditor}).
 */
final class SettingsApi {

    private static final Logger log = LoggerFactory.getLogger(SettingsApi.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;

    /** Strict about JSON types: "5" is not a number, 5 is not a domain, 1.5 is not a whole number. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Supplier<Optional<SettingsEditor>> editor;
    private final Optional<DkimPublicationChecks> dkimChecks;

    /**
     * @param dkimChecks whether each DKIM key is published and matches, for its rows; empty: not checked
     */
    SettingsApi(Supplier<Optional<SettingsEditor>> editor, Optional<DkimPublicationChecks> dkimChecks) {
        this.dkimChecks = dkimChecks;
        this.editor = editor;
    }

    /** Adds the routes; writes run on a worker thread, since they read a body and wait for the database. */
    RoutingHandler routes(RoutingHandler routes, Function<io.undertow.server.HttpHandler, io.undertow.server.HttpHandler> protect) {
        return routes
                .get("/api/settings", protect.apply(this::all))
                .get("/api/settings/{kind}", protect.apply(this::list))
                .post("/api/settings/{kind}", protect.apply(new BlockingHandler(this::create)))
                .put("/api/settings/{kind}/{id}", protect.apply(new BlockingHandler(this::update)))
                .delete("/api/settings/{kind}/{id}", protect.apply(new BlockingHandler(this::delete)));
    }

    private void all(HttpServerExchange exchange) throws JsonProcessingException {
        var current = editor.get();
        if (current.isEmpty()) {
            notReady(exchange);
            return;
        }
        var settings = current.get().current();
        var body = new LinkedHashMap<String, Object>();
        body.put("configVersion", settings.version());
        for (var kind : SettingsKinds.ALL) {
            body.put(kind.path(), rowsOf(kind, settings));
        }
        Responses.json(exchange, StatusCodes.OK, body);
    }

    private void list(HttpServerExchange exchange) throws JsonProcessingException {
        var kind = kind(exchange);
        var current = editor.get();
        if (kind.isEmpty()) {
            Responses.error(exchange, StatusCodes.NOT_FOUND, "not found", "no such kind of settings; kinds: " + kindNames());
        } else if (current.isEmpty()) {
            notReady(exchange);
        } else {
            var settings = current.get().current();
            var body = new LinkedHashMap<String, Object>();
            body.put("configVersion", settings.version());
            body.put(kind.get().path(), rowsOf(kind.get(), settings));
            Responses.json(exchange, StatusCodes.OK, body);
        }
    }

    private void create(HttpServerExchange exchange) throws IOException {
        write(exchange, StatusCodes.CREATED, true, (kind, id, body) -> createWith(kind, body));
    }

    private void update(HttpServerExchange exchange) throws IOException {
        write(exchange, StatusCodes.OK, true, (kind, id, body) -> updateWith(kind, id, revision(body), body));
    }

    private void delete(HttpServerExchange exchange) throws IOException {
        write(exchange, StatusCodes.OK, false, (kind, id, body) -> {
            var revision = exchange.getQueryParameters().get("revision");
            int parsed;
            try {
                parsed = Integer.parseInt(revision == null ? "" : revision.getFirst());
            } catch (NumberFormatException e) {
                throw new InvalidSettingsException(List.of(new FieldError("revision",
                        "the revision the row was read at is needed: ?revision=N")));
            }
            return writer -> kind.delete(writer, id, parsed);
        });
    }

    @FunctionalInterface
    private interface WritePlan {
        Function<SettingsWriter, WriteOutcome> plan(SettingsKind<?> kind, long id, ObjectNode body) throws JsonProcessingException;
    }

    /** The body bound to the kind's input record, strictly (Jackson's errors name the field), and its create. */
    private static <I extends Record> Function<SettingsWriter, WriteOutcome> createWith(SettingsKind<I> kind, ObjectNode body)
            throws JsonProcessingException {
        var input = JSON.treeToValue(body, kind.input());
        return writer -> kind.create(writer, input);
    }

    private static <I extends Record> Function<SettingsWriter, WriteOutcome> updateWith(SettingsKind<I> kind, long id, int revision,
            ObjectNode body) throws JsonProcessingException {
        var input = JSON.treeToValue(body, kind.input());
        return writer -> kind.update(writer, id, revision, input);
    }

    /** Checks, parses, writes and answers; every refusal is one of the documented errors. */
    private void write(HttpServerExchange exchange, int success, boolean hasBody, WritePlan plan) throws IOException {
        var kind = kind(exchange);
        if (kind.isEmpty()) {
            Responses.error(exchange, StatusCodes.NOT_FOUND, "not found", "no such kind of settings; kinds: " + kindNames());
            return;
        }
        long id = 0;
        var idText = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("id");
        if (idText != null) {
            try {
                id = Long.parseLong(idText);
            } catch (NumberFormatException e) {
                Responses.error(exchange, StatusCodes.NOT_FOUND, "not found", "no " + kind.get().path() + " row " + idText);
                return;
            }
        }
        var current = editor.get();
        if (current.isEmpty()) {
            notReady(exchange);
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        if (hasBody) {
            var contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
            if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                // Also what keeps a plain HTML form on another site from writing here.
                Responses.error(exchange, StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported media type",
                        "send the row as JSON, with Content-Type: application/json");
                return;
            }
            var bytes = exchange.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                Responses.error(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE, "too large",
                        "a settings row is at most " + MAX_BODY_BYTES + " bytes of JSON");
                return;
            }
            try {
                if (!(JSON.readTree(bytes) instanceof ObjectNode object)) {
                    Responses.error(exchange, StatusCodes.BAD_REQUEST, "invalid JSON", "the body must be a JSON object");
                    return;
                }
                body = object;
            } catch (JsonProcessingException e) {
                Responses.error(exchange, StatusCodes.BAD_REQUEST, "invalid JSON",
                        "the body is not valid JSON: " + e.getOriginalMessage());
                return;
            }
        }
        switch (apply(current.get(), kind.get(), plan, id, body)) {
            case WriteOutcome.Written written -> {
                var answer = new LinkedHashMap<String, Object>();
                answer.put("id", written.result().id());
                answer.put("revision", written.result().revision());
                answer.put("configVersion", written.result().version());
                Responses.json(exchange, success, answer);
            }
            case WriteOutcome.Invalid invalid -> invalid(exchange, invalid.errors());
            case WriteOutcome.NotFound notFound -> Responses.error(exchange, StatusCodes.NOT_FOUND, "not found", notFound.message());
            case WriteOutcome.Conflict conflict -> {
                var answer = new LinkedHashMap<String, Object>();
                answer.put("error", "conflict");
                answer.put("message", conflict.message());
                answer.put("currentRevision", conflict.currentRevision());
                Responses.json(exchange, StatusCodes.CONFLICT, answer);
            }
            case WriteOutcome.Unavailable unavailable ->
                    Responses.error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "database unavailable", unavailable.message());
        }
    }

    /** What a form of the settings page asks for. */
    enum Operation { CREATE, UPDATE, DELETE }

    /**
     * Makes a write the settings page's form asked for: {@code body} holds the row's fields as the
     * API names them ({@code revision} too, for an update or a delete).
     */
    WriteOutcome submit(String kindPath, Operation operation, long id, ObjectNode body) {
        var kind = SettingsKinds.byPath(kindPath);
        var current = editor.get();
        if (kind.isEmpty()) {
            return new WriteOutcome.NotFound("no such kind of settings: " + kindPath);
        }
        if (current.isEmpty()) {
            return new WriteOutcome.Unavailable("the settings are not loaded yet");
        }
        WritePlan plan = switch (operation) {
            case CREATE -> (k, i, b) -> createWith(k, b);
            case UPDATE -> (k, i, b) -> updateWith(k, i, revision(b), b);
            case DELETE -> (k, i, b) -> {
                int revision = revision(b);
                return writer -> k.delete(writer, i, revision);
            };
        };
        return apply(current.get(), kind.get(), plan, id, body);
    }

    private static int revision(ObjectNode body) {
        var revision = body.remove("revision");
        if (revision == null || !revision.canConvertToInt() || !revision.isIntegralNumber()) {
            throw new InvalidSettingsException(List.of(new FieldError("revision",
                    "the revision the row was read at is needed, a whole number")));
        }
        return revision.intValue();
    }

    /** Binds, writes, broadcasts: every way it can end is a {@link WriteOutcome}. */
    private static WriteOutcome apply(SettingsEditor editor, SettingsKind<?> kind, WritePlan plan, long id, ObjectNode body) {
        Function<SettingsWriter, WriteOutcome> write;
        try {
            write = plan.plan(kind, id, body);
        } catch (MismatchedInputException e) {
            return new WriteOutcome.Invalid(List.of(fieldError(e)));
        } catch (JsonProcessingException e) {
            return new WriteOutcome.Invalid(List.of(new FieldError("body", "cannot be read as a " + kind.path() + " row: "
                    + e.getOriginalMessage())));
        } catch (InvalidSettingsException e) {
            // The revision of an update or a delete, missing or not a whole number.
            return new WriteOutcome.Invalid(e.errors());
        }
        var outcome = editor.apply(write);
        if (outcome instanceof WriteOutcome.Unavailable unavailable) {
            log.warn("console: a settings write failed: {}", unavailable.message());
        }
        return outcome;
    }

    private static void invalid(HttpServerExchange exchange, List<FieldError> errors) throws JsonProcessingException {
        Responses.invalid(exchange, "nothing was changed: ", errors);
    }

    /** Names the field Jackson could not bind, as the API names it ({@code ips[2]}), and what it needs. */
    static FieldError fieldError(MismatchedInputException e) {
        var field = new StringBuilder();
        for (var reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                field.append('[').append(reference.getIndex()).append(']');
            }
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new FieldError(unknown.getPropertyName(), "no such field");
        }
        var target = e.getTargetType();
        String needs;
        if (target == null) {
            needs = "has the wrong type";
        } else if (target == Integer.class || target == int.class) {
            needs = "must be a whole number";
        } else if (target == String.class) {
            needs = "must be text";
        } else if (List.class.isAssignableFrom(target)) {
            needs = "must be a list";
        } else {
            needs = "has the wrong type";
        }
        return new FieldError(field.isEmpty() ? "body" : field.toString(), needs);
    }

    /** The kinds, as the API and the settings page name them, in display order. */
    static List<String> kinds() {
        return SettingsKinds.ALL.stream().map(SettingsKind::path).toList();
    }

    /** One kind's rows as the API shows them (DKIM private keys left out). */
    List<Map<String, Object>> rows(String kindPath, Settings settings) {
        return SettingsKinds.byPath(kindPath).map(kind -> rowsOf(kind, settings)).orElse(List.of());
    }

    /**
     * A kind's rows; a DKIM key's with whether it is published and matches ({@code publication}:
     * "published, matches", "published, does not match this key", "not published", "lookup
     * failed", or "checking" until the first answer) and the TXT record to publish ({@code record}).
     */
    private List<Map<String, Object>> rowsOf(SettingsKind<?> kind, Settings settings) {
        var rows = kind.rows(settings);
        if (!kind.path().equals("dkim-keys") || dkimChecks.isEmpty()) {
            return rows;
        }
        var checks = dkimChecks.get();
        for (var row : rows) {
            long id = ((Number) row.get("id")).longValue();
            settings.dkimKeys().stream().filter(key -> key.id() == id).findFirst().ifPresent(key -> {
                var status = checks.status(key);
                row.put("publication", status.map(check -> check.state().label()
                        + (check.detail().isEmpty() ? "" : ": " + check.detail())).orElse("checking"));
                checks.record(key).ifPresent(record -> row.put("record", record));
            });
        }
        return rows;
    }

    private static void notReady(HttpServerExchange exchange) throws JsonProcessingException {
        Responses.error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "not ready", "the settings are not loaded yet");
    }

    private static Optional<SettingsKind<?>> kind(HttpServerExchange exchange) {
        var name = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("kind");
        return SettingsKinds.byPath(name);
    }

    private static String kindNames() {
        return String.join(", ", kinds());
    }
}
