package dev.ferrymta.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.db.write.BackOffInput;
import dev.ferrymta.db.write.DkimKeyInput;
import dev.ferrymta.relay.dkim.DkimPublicationChecks;
import dev.ferrymta.db.write.EhloNameInput;
import dev.ferrymta.db.write.FieldError;
import dev.ferrymta.db.write.InvalidSettingsException;
import dev.ferrymta.db.write.PauseInput;
import dev.ferrymta.db.write.PoolInput;
import dev.ferrymta.db.write.ProviderInput;
import dev.ferrymta.db.write.ResponseRuleInput;
import dev.ferrymta.db.write.RouteInput;
import dev.ferrymta.db.write.SettingsConflictException;
import dev.ferrymta.db.write.SettingsNotFoundException;
import dev.ferrymta.db.write.SettingsWriteFailedException;
import dev.ferrymta.db.write.SettingsWriter;
import dev.ferrymta.db.write.ThrottleInput;
import dev.ferrymta.db.write.WriteResult;
import dev.ferrymta.relay.settings.IpRange;
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
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
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

    /** One kind of settings row: how it is read from the JSON and written. */
    private record Kind<I>(String path, Class<I> input, BiFunction<SettingsWriter, I, WriteResult> create,
            Updater<I> update, Deleter delete, Function<Settings, List<Map<String, Object>>> rows) {
    }

    @FunctionalInterface
    private interface Updater<I> {
        WriteResult update(SettingsWriter writer, long id, int revision, I input);
    }

    @FunctionalInterface
    private interface Deleter {
        WriteResult delete(SettingsWriter writer, long id, int revision);
    }

    private static final List<Kind<?>> KINDS = List.of(
            new Kind<>("pools", PoolInput.class, SettingsWriter::createPool, SettingsWriter::updatePool,
                    SettingsWriter::deletePool, SettingsApi::pools),
            new Kind<>("throttles", ThrottleInput.class, SettingsWriter::createThrottle, SettingsWriter::updateThrottle,
                    SettingsWriter::deleteThrottle, SettingsApi::throttles),
            new Kind<>("routes", RouteInput.class, SettingsWriter::createRoute, SettingsWriter::updateRoute,
                    SettingsWriter::deleteRoute, SettingsApi::routes),
            new Kind<>("pauses", PauseInput.class, SettingsWriter::createPause, SettingsWriter::updatePause,
                    SettingsWriter::deletePause, SettingsApi::pauses),
            new Kind<>("ehlo-names", EhloNameInput.class, SettingsWriter::createEhloName, SettingsWriter::updateEhloName,
                    SettingsWriter::deleteEhloName, SettingsApi::ehloNames),
            new Kind<>("dkim-keys", DkimKeyInput.class, SettingsWriter::createDkimKey, SettingsWriter::updateDkimKey,
                    SettingsWriter::deleteDkimKey, SettingsApi::dkimKeys),
            new Kind<>("response-rules", ResponseRuleInput.class, SettingsWriter::createResponseRule, SettingsWriter::updateResponseRule,
                    SettingsWriter::deleteResponseRule, SettingsApi::responseRules),
            new Kind<>("back-offs", BackOffInput.class, SettingsWriter::createBackOff, SettingsWriter::updateBackOff,
                    SettingsWriter::deleteBackOff, SettingsApi::backOffs),
            new Kind<>("providers", ProviderInput.class, SettingsWriter::createProvider, SettingsWriter::updateProvider,
                    SettingsWriter::deleteProvider, SettingsApi::providers));

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
        for (var kind : KINDS) {
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
            return writer -> kind.delete().delete(writer, id, parsed);
        });
    }

    @FunctionalInterface
    private interface WritePlan {
        Function<SettingsWriter, WriteResult> plan(Kind<?> kind, long id, ObjectNode body) throws JsonProcessingException;
    }

    private static <I> Function<SettingsWriter, WriteResult> createWith(Kind<I> kind, ObjectNode body)
            throws JsonProcessingException {
        var input = JSON.treeToValue(body, kind.input());
        return writer -> kind.create().apply(writer, input);
    }

    private static <I> Function<SettingsWriter, WriteResult> updateWith(Kind<I> kind, long id, int revision, ObjectNode body)
            throws JsonProcessingException {
        var input = JSON.treeToValue(body, kind.input());
        return writer -> kind.update().update(writer, id, revision, input);
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
            case Outcome.Written written -> {
                var answer = new LinkedHashMap<String, Object>();
                answer.put("id", written.result().id());
                answer.put("revision", written.result().revision());
                answer.put("configVersion", written.result().version());
                Responses.json(exchange, success, answer);
            }
            case Outcome.Invalid invalid -> invalid(exchange, invalid.errors());
            case Outcome.NotFound notFound -> Responses.error(exchange, StatusCodes.NOT_FOUND, "not found", notFound.message());
            case Outcome.Conflict conflict -> {
                var answer = new LinkedHashMap<String, Object>();
                answer.put("error", "conflict");
                answer.put("message", conflict.message());
                answer.put("currentRevision", conflict.currentRevision());
                Responses.json(exchange, StatusCodes.CONFLICT, answer);
            }
            case Outcome.Unavailable unavailable ->
                    Responses.error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "database unavailable", unavailable.message());
        }
    }

    /** How a write ended, for the API and for the settings page's forms alike. */
    sealed interface Outcome {
        record Written(WriteResult result) implements Outcome {
        }

        record Invalid(List<FieldError> errors) implements Outcome {
        }

        record NotFound(String message) implements Outcome {
        }

        record Conflict(String message, int currentRevision) implements Outcome {
        }

        record Unavailable(String message) implements Outcome {
        }
    }

    /** What a form of the settings page asks for. */
    enum Operation { CREATE, UPDATE, DELETE }

    /**
     * Makes a write the settings page's form asked for: {@code body} holds the row's fields as the
     * API names them ({@code revision} too, for an update or a delete).
     */
    Outcome submit(String kindPath, Operation operation, long id, ObjectNode body) {
        var kind = KINDS.stream().filter(k -> k.path().equals(kindPath)).findFirst();
        var current = editor.get();
        if (kind.isEmpty()) {
            return new Outcome.NotFound("no such kind of settings: " + kindPath);
        }
        if (current.isEmpty()) {
            return new Outcome.Unavailable("the settings are not loaded yet");
        }
        WritePlan plan = switch (operation) {
            case CREATE -> (k, i, b) -> createWith(k, b);
            case UPDATE -> (k, i, b) -> updateWith(k, i, revision(b), b);
            case DELETE -> (k, i, b) -> {
                int revision = revision(b);
                return writer -> k.delete().delete(writer, i, revision);
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

    private static Outcome apply(SettingsEditor editor, Kind<?> kind, WritePlan plan, long id, ObjectNode body) {
        try {
            return new Outcome.Written(editor.write(plan.plan(kind, id, body)));
        } catch (MismatchedInputException e) {
            return new Outcome.Invalid(List.of(fieldError(e)));
        } catch (JsonProcessingException e) {
            return new Outcome.Invalid(List.of(new FieldError("body", "cannot be read as a " + kind.path() + " row: "
                    + e.getOriginalMessage())));
        } catch (InvalidSettingsException e) {
            return new Outcome.Invalid(e.errors());
        } catch (SettingsNotFoundException e) {
            return new Outcome.NotFound(e.getMessage());
        } catch (SettingsConflictException e) {
            return new Outcome.Conflict(e.getMessage(), e.currentRevision());
        } catch (SettingsWriteFailedException e) {
            log.warn("console: a settings write failed: {}", e.getMessage());
            return new Outcome.Unavailable(e.getMessage());
        }
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
        return KINDS.stream().map(Kind::path).toList();
    }

    /** One kind's rows as the API shows them (DKIM private keys left out). */
    List<Map<String, Object>> rows(String kindPath, Settings settings) {
        return KINDS.stream().filter(kind -> kind.path().equals(kindPath)).findFirst()
                .map(kind -> rowsOf(kind, settings)).orElse(List.of());
    }

    /**
     * A kind's rows; a DKIM key's with whether it is published and matches ({@code publication}:
     * "published, matches", "published, does not match this key", "not published", "lookup
     * failed", or "checking" until the first answer) and the TXT record to publish ({@code record}).
     */
    private List<Map<String, Object>> rowsOf(Kind<?> kind, Settings settings) {
        var rows = kind.rows().apply(settings);
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

    private static Optional<Kind<?>> kind(HttpServerExchange exchange) {
        var name = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("kind");
        return KINDS.stream().filter(kind -> kind.path().equals(name)).findFirst().map(kind -> (Kind<?>) kind);
    }

    private static String kindNames() {
        return KINDS.stream().map(Kind::path).collect(Collectors.joining(", "));
    }

    // --- the rows as JSON ---------------------------------------------------------------------

    private static Map<String, Object> row(long id, int revision) {
        var row = new LinkedHashMap<String, Object>();
        row.put("id", id);
        row.put("revision", revision);
        return row;
    }

    private static String range(Optional<IpRange> range) {
        return range.map(IpRange::toString).orElse(null);
    }

    private static List<Map<String, Object>> pools(Settings settings) {
        return settings.pools().stream().map(pool -> {
            var row = row(pool.id(), pool.revision());
            row.put("name", pool.name());
            row.put("ips", pool.ips().stream().map(ip -> ip.getHostAddress()).toList());
            return row;
        }).toList();
    }

    private static List<Map<String, Object>> throttles(Settings settings) {
        return settings.throttles().stream().map(throttle -> {
            var row = row(throttle.id(), throttle.revision());
            row.put("localIp", range(throttle.localIp()));
            row.put("domain", throttle.domain().map(domain -> domain.name()).orElse(null));
            row.put("maxConnections", throttle.maxConnections().isPresent() ? throttle.maxConnections().getAsInt() : null);
            row.put("messagesPerMinute", throttle.messagesPerMinute().isPresent() ? throttle.messagesPerMinute().getAsInt() : null);
            row.put("messagesPerConnection",
                    throttle.messagesPerConnection().isPresent() ? throttle.messagesPerConnection().getAsInt() : null);
            row.put("idleTimeoutSeconds", throttle.idleTimeout().map(timeout -> timeout.toSeconds()).orElse(null));
            row.put("provider", throttle.provider().orElse(null));
            return row;
        }).toList();
    }

    private static List<Map<String, Object>> routes(Settings settings) {
        return settings.routes().stream().map(route -> {
            var row = row(route.id(), route.revision());
            row.put("domain", route.domain().name());
            row.put("kind", route.kind().name().toLowerCase(Locale.ROOT));
            row.put("host", route.host());
            row.put("port", route.port());
            return row;
        }).toList();
    }

    private static List<Map<String, Object>> pauses(Settings settings) {
        return settings.pauses().stream().map(pause -> {
            var row = row(pause.id(), pause.revision());
            row.put("localIp", range(pause.localIp()));
            row.put("domain", pause.domain().map(domain -> domain.name()).orElse(null));
            row.put("until", pause.until().map(Object::toString).orElse(null));
            row.put("reason", pause.reason());
            row.put("tag", pause.tag().orElse(null));
            row.put("provider", pause.provider().orElse(null));
            return row;
        }).toList();
    }

    private static List<Map<String, Object>> ehloNames(Settings settings) {
        return settings.ehloNames().stream().map(ehlo -> {
            var row = row(ehlo.id(), ehlo.revision());
            row.put("localIp", ehlo.localIp().getHostAddress());
            row.put("name", ehlo.name());
            return row;
        }).toList();
    }

    private static List<Map<String, Object>> dkimKeys(Settings settings) {
        return settings.dkimKeys().stream().map(key -> {
            var row = row(key.id(), key.revision());
            row.put("domain", key.domain().name());
            row.put("selector", key.selector());
            return row;
        }).toList();
    }

    private static Integer optional(java.util.OptionalInt value) {
        return value.isPresent() ? value.getAsInt() : null;
    }

    private static List<Map<String, Object>> responseRules(Settings settings) {
        return settings.responseRuleSettings().stream().map(setting -> {
            var rule = setting.rule();
            var row = row(setting.id(), setting.revision());
            row.put("name", rule.name());
            row.put("code", rule.match().code());
            row.put("status", rule.match().status());
            row.put("text", rule.match().text().map(java.util.regex.Pattern::pattern).orElse(""));
            row.put("domain", rule.domain().map(domain -> domain.name()).orElse(null));
            row.put("action", rule.action().text());
            row.put("scope", rule.scope().text());
            row.put("minutes", rule.action().lasts() ? rule.duration().toMinutes() : null);
            row.put("messagesPerMinute", optional(rule.messagesPerMinute()));
            row.put("maxConnections", optional(rule.maxConnections()));
            row.put("category", rule.category().map(category -> category.json()).orElse(null));
            row.put("note", setting.note());
            row.put("provider", rule.provider().orElse(null));
            return row;
        }).toList();
    }

    private static List<Map<String, Object>> backOffs(Settings settings) {
        return settings.backOffs().stream().map(backOff -> {
            var row = row(backOff.id(), backOff.revision());
            row.put("localIp", backOff.localIp().toString());
            row.put("domain", backOff.domain().map(domain -> domain.name()).orElse(null));
            row.put("until", backOff.until().toString());
            row.put("messagesPerMinute", optional(backOff.messagesPerMinute()));
            row.put("maxConnections", optional(backOff.maxConnections()));
            row.put("reason", backOff.reason());
            row.put("provider", backOff.provider().orElse(null));
            return row;
        }).toList();
    }

    private static List<Map<String, Object>> providers(Settings settings) {
        return settings.providerRows().stream().map(provider -> {
            var row = row(provider.id(), provider.revision());
            row.put("name", provider.name());
            row.put("mxPatterns", provider.mxPatterns());
            return row;
        }).toList();
    }
}
