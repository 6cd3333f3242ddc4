package dev.ferrymta.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferrymta.db.write.FieldError;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.outbox.RecentResult;
import dev.ferrymta.relay.outbox.RecentResults;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.StatusCodes;
import java.net.InetAddress;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The most recent outcomes this instance published, as JSON: {@code GET /api/results}, newest
 * first, as {@code {"results": [...]}}. Query parameters, each optional and given at most once
 * (an empty one is no filter): {@code domain} (the recipient's domain, any case), {@code state}
 * (the step the last attempt ended at: {@code process}, {@code dns}, {@code connect}, ...),
 * {@code outcome} ({@code delivered}, {@code failed}, {@code retry}, {@code invalid},
 * {@code forwarded}) and {@code limit} (1 to 1,000, default {@value #DEFAULT_LIMIT}).
 *
 * <p>Each result has every key, {@code null} where it does not apply: {@code time} (ISO-8601,
 * UTC), {@code recipient}, {@code domain}, {@code outcome}, {@code state}, {@code result},
 * {@code sourceIp}, {@code remoteIp}, {@code mta}, {@code code}, {@code status},
 * {@code description}, {@code attempts}. A parameter that is unknown, repeated or not valid is a
 * 400 with {@code "fields"}; while the relay is not running the answer is 503.
 */
public final class ResultsApi {

    static final int DEFAULT_LIMIT = 100;

    private static final List<String> PARAMETERS = List.of("domain", "state", "outcome", "limit");

    private final Supplier<Optional<RecentResults>> results;

    /** @param results the relay's recent results; empty until the relay runs ({@code Relay::recentResults}) */
    public ResultsApi(Supplier<Optional<RecentResults>> results) {
        this.results = results;
    }

    /** Adds {@code GET /api/results}, behind {@code protect}. */
    public RoutingHandler routes(RoutingHandler routes, Function<HttpHandler, HttpHandler> protect) {
        return routes.get("/api/results", protect.apply(this::list));
    }

    private void list(HttpServerExchange exchange) throws JsonProcessingException {
        var errors = new ArrayList<FieldError>();
        var query = query(exchange.getQueryParameters(), errors);
        if (!errors.isEmpty()) {
            Responses.invalid(exchange, "the query is not valid: ", errors);
            return;
        }
        var recent = results.get();
        if (recent.isEmpty()) {
            Responses.error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "not ready", "the relay is not running yet");
            return;
        }
        var list = recent.get().find(query).stream().map(ResultsApi::json).toList();
        Responses.json(exchange, StatusCodes.OK, Map.of("results", list));
    }

    /** Reads the query parameters, adding an error for each that is wrong. */
    static RecentResults.Query query(Map<String, Deque<String>> parameters, List<FieldError> errors) {
        for (var name : parameters.keySet()) {
            if (!PARAMETERS.contains(name)) {
                errors.add(new FieldError(name, "no such parameter; parameters: " + String.join(", ", PARAMETERS)));
            } else if (parameters.get(name).size() > 1) {
                errors.add(new FieldError(name, "give it once"));
            }
        }
        var domain = single(parameters, "domain").flatMap(text -> {
            try {
                return Optional.of(Domain.parse(text));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("domain", "not a domain name"));
                return Optional.empty();
            }
        });
        var state = single(parameters, "state").flatMap(text -> named(text, AttemptState.values(), AttemptState::json, "state", errors));
        var outcome = single(parameters, "outcome").flatMap(text -> named(text, RecentResult.Outcome.values(),
                RecentResult.Outcome::json, "outcome", errors));
        int limit = single(parameters, "limit").map(text -> {
            try {
                int value = Integer.parseInt(text);
                if (value >= 1 && value <= RecentResults.MAX_LIMIT) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // Said below, as for a number out of range.
            }
            errors.add(new FieldError("limit", "must be a whole number from 1 to " + RecentResults.MAX_LIMIT));
            return DEFAULT_LIMIT;
        }).orElse(DEFAULT_LIMIT);
        return new RecentResults.Query(domain, state, outcome, limit);
    }

    /** A parameter's first value, stripped; empty when absent or blank. */
    private static Optional<String> single(Map<String, Deque<String>> parameters, String name) {
        return Optional.ofNullable(parameters.get(name)).map(Deque::peekFirst).map(String::strip).filter(text -> !text.isEmpty());
    }

    /** The constant named {@code text} (any case), or an error listing the names. */
    private static <E> Optional<E> named(String text, E[] values, Function<E, String> name, String field, List<FieldError> errors) {
        var wanted = text.toLowerCase(Locale.ROOT);
        var found = Arrays.stream(values).filter(value -> name.apply(value).equals(wanted)).findFirst();
        if (found.isEmpty()) {
            errors.add(new FieldError(field, "no such " + field + "; one of: "
                    + Arrays.stream(values).map(name).collect(Collectors.joining(", "))));
        }
        return found;
    }

    /** One result as the API and the results page show it. */
    static Map<String, Object> json(RecentResult result) {
        var entry = new LinkedHashMap<String, Object>();
        entry.put("time", result.time().truncatedTo(ChronoUnit.MILLIS).toString());
        entry.put("recipient", result.recipient().orElse(null));
        entry.put("domain", result.domain().map(Domain::name).orElse(null));
        entry.put("outcome", result.outcome().json());
        entry.put("state", result.state().map(AttemptState::json).orElse(null));
        entry.put("result", result.result().map(AttemptResult::json).orElse(null));
        entry.put("sourceIp", result.sourceIp().map(InetAddress::getHostAddress).orElse(null));
        entry.put("remoteIp", result.remoteIp().map(InetAddress::getHostAddress).orElse(null));
        entry.put("mta", result.mta().orElse(null));
        entry.put("code", result.code().isPresent() ? result.code().getAsInt() : null);
        entry.put("status", result.status().orElse(null));
        entry.put("description", result.description());
        entry.put("attempts", result.attempts());
        return entry;
    }
}
