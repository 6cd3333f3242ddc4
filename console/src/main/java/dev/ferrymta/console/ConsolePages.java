package dev.ferrymta.console;

import static dev.ferrymta.console.Html.escape;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferrymta.db.write.FieldError;
import dev.ferrymta.db.write.WriteOutcome;
import dev.ferrymta.relay.bounce.Suspension;
import dev.ferrymta.relay.lifecycle.LinkState;
import dev.ferrymta.relay.outbox.RecentResult;
import dev.ferrymta.relay.outbox.RecentResults;
import dev.ferrymta.relay.settings.BackOff;
import dev.ferrymta.relay.attempt.AttemptState;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.form.FormData;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.StatusCodes;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The HTML pages' handlers: overview, cluster, settings (with its forms). Rendering is in {@link Pages}. */
final class ConsolePages {

    private final InstanceInfo instance;
    private final URI consoleUrl;
    private final ConsoleAuth auth;
    private final SettingsApi settingsApi;
    private final Rates rates;
    private final Clock clock;

    ConsolePages(InstanceInfo instance, URI consoleUrl, ConsoleAuth auth, SettingsApi settingsApi, Rates rates, Clock clock) {
        this.instance = instance;
        this.consoleUrl = consoleUrl;
        this.auth = auth;
        this.settingsApi = settingsApi;
        this.rates = rates;
        this.clock = clock;
    }

    /** This instance and its live peers, this one first, then by server id. */
    List<Pages.Member> members() {
        var members = new ArrayList<Pages.Member>();
        members.add(new Pages.Member(instance.serverId(), instance.hostname(), instance.ips().stream().map(ip -> ip.getHostAddress()).toList(),
                consoleUrl.toString(), instance.version(), instance.settingsVersion().getAsLong(), Optional.empty(), true));
        instance.peers().get().stream().sorted((a, b) -> a.server().value().compareTo(b.server().value()))
                .forEach(peer -> members.add(new Pages.Member(peer.server().value(), peer.hostname(),
                        peer.ips().stream().map(ip -> ip.getHostAddress()).toList(), peer.console().toString(), peer.version(),
                        peer.configVersion(), Optional.of(peer.lastSeen()), false)));
        return members;
    }

    void overview(HttpServerExchange exchange) {
        var now = clock.instant();
        var links = Pages.table(List.of("Service", "Address", "Node", "State", "Problem"), instance.links().stream()
                .map(link -> List.of(Pages.Cell.text(link.name()), Pages.Cell.text(link.address()), Pages.Cell.text(link.node().orElse("")),
                        Pages.Cell.text(link.state().name().toLowerCase(Locale.ROOT)).marked(link.state() == LinkState.UP ? "up" : "down"),
                        Pages.Cell.text(link.problem().orElse(""))))
                .toList(), "No links.");
        var relay = instance.relay().get();
        var delivery = new StringBuilder();
        if (relay.isEmpty()) {
            delivery.append("<p>The relay is not running yet.</p>");
        } else {
            var status = relay.get();
            var perMinute = rates.perMinute(now, status.counts());
            var outbox = instance.outboxDepth().get();
            delivery.append("<div class=\"figures\">");
            figure(delivery, "Delivered / min", perMinute.map(r -> format(r.delivered())).orElse(MEASURING));
            figure(delivery, "Temporary failures / min", perMinute.map(r -> format(r.temporary())).orElse(MEASURING));
            figure(delivery, "Permanent failures / min", perMinute.map(r -> format(r.permanent())).orElse(MEASURING));
            figure(delivery, "Forwarded / min", perMinute.map(r -> format(r.forwarded())).orElse(MEASURING));
            figure(delivery, "SMTP connections", Integer.toString(status.connections()));
            figure(delivery, "Outbox depth", outbox.isPresent() ? Long.toString(outbox.getAsLong()) : "unknown");
            delivery.append("</div>");
            var counts = status.counts();
            delivery.append("<p>Since the start: delivered %d, failed %d (invalid %d), retried %d, forwarded %d. Waiting in lanes %d, outbox messages in hand %d (prefetch %d).</p>"
                    .formatted(counts.delivered(), counts.failed(), counts.invalid(), counts.retried(), counts.forwarded(),
                            status.waiting(), status.unsettled(), status.prefetch()));
            if (!status.refusing().isEmpty()) {
                delivery.append("<h2>Queues refusing publishes</h2>\n<p>Outcomes for these queues are tried again with growing waits"
                        + " and parked in the parking queue if it goes on; no message is sent twice because of it.</p>\n");
                delivery.append(Pages.table(List.of("Queue", "Reason", "Refused", "Since"), status.refusing().stream()
                        .map(problem -> List.of(Pages.Cell.text(problem.queue()), Pages.Cell.text(problem.reason()).marked("down"),
                                Pages.Cell.text(problem.count()), Pages.Cell.text(problem.since().toString())))
                        .toList(), ""));
            }
            if (counts.parked() > 0 || counts.resultsLost() > 0) {
                delivery.append("<p>Parked since the start: %d (see the parking queue); results lost as too large even to park: %d.</p>"
                        .formatted(counts.parked(), counts.resultsLost()));
            }
            delivery.append("<h2>Busiest lanes</h2>\n").append(Pages.table(
                    List.of("Source IP", "Domain", "Waiting", "Connections", "Delivered", "Temporary", "Permanent",
                            "Pipelining across messages"),
                    status.lanes().stream().limit(10).map(lane -> List.of(Pages.Cell.text(lane.key().ip().getHostAddress()),
                            Pages.Cell.text(lane.key().domain().name()), Pages.Cell.text(lane.depth()), Pages.Cell.text(lane.connections()),
                            Pages.Cell.text(lane.delivered()), Pages.Cell.text(lane.temporary()), Pages.Cell.text(lane.permanent()),
                            Pages.Cell.text(lane.pipelining() ? "on" : "off: a server did not take a pipelined MAIL in turn")))
                            .toList(),
                    "No lanes: nothing is waiting or being sent now."));
        }
        var ips = instance.ips().isEmpty() ? "none" : String.join(", ", instance.ips().stream().map(ip -> ip.getHostAddress()).toList());
        var warning = new StringBuilder(instance.clusterSigned() ? ""
                : "<p class=\"down\">Warning: " + escape(ConsoleServer.UNSIGNED_WARNING) + ".</p>\n");
        var cluster = instance.cluster().get();
        cluster.conflicts().forEach(conflict -> warning.append("<p class=\"down\">Error: ").append(escape(conflict.describe()))
                .append(" (since ").append(escape(conflict.since().toString())).append(").</p>\n"));
        cluster.clocks().forEach(offset -> warning.append("<p class=\"down\">Warning: ").append(escape(offset.describe()))
                .append(".</p>\n"));
        var content = warning + """
                <h1>Overview</h1>
                <p>Version %s on %s, up %s. Source IPs: %s. Settings version %d.</p>
                %s
                <h2>Links</h2>
                %s
                <h2>Delivery</h2>
                %s
                <p><a href="/health">/health</a> · <a href="/api/status">/api/status</a> · <a href="/metrics">/metrics</a></p>
                """.formatted(escape(instance.version()), escape(instance.hostname()),
                Pages.duration(Duration.between(instance.started(), now)), escape(ips), instance.settingsVersion().getAsLong(),
                automaticActions(now), links, delivery);
        html(exchange, StatusCodes.OK, page(exchange, "Overview", "/", content, Optional.empty()));
    }

    /**
     * The automatic actions in force: the pauses (suspensions) and back-offs response rules made
     * (reason {@code automatic:}), with what, why, until when and from which instance (in the reason).
     */
    private String automaticActions(java.time.Instant now) {
        var editor = instance.editor().get();
        if (editor.isEmpty()) {
            return "";
        }
        var settings = editor.get().current();
        var rows = new ArrayList<List<Pages.Cell>>();
        settings.pauses().stream()
                .filter(p -> p.reason().startsWith(Suspension.REASON_PREFIX))
                .filter(p -> p.until().map(now::isBefore).orElse(true))
                .forEach(p -> rows.add(List.of(Pages.Cell.text("suspended"), Pages.Cell.text(p.localIp().map(Object::toString).orElse("any IP")),
                        Pages.Cell.text(p.domain().map(d -> d.name()).or(() -> p.provider().map(v -> "provider " + v)).orElse("any domain")),
                        Pages.Cell.text(p.since().map(Object::toString).orElse("")),
                        Pages.Cell.text(p.until().map(Object::toString).orElse("until lifted")),
                        Pages.Cell.text(p.reason()))));
        settings.backOffs().stream()
                .filter(b -> b.reason().startsWith(Suspension.REASON_PREFIX) && now.isBefore(b.until()))
                .forEach(b -> rows.add(List.of(Pages.Cell.text("slowed to " + caps(b)), Pages.Cell.text(b.localIp().toString()),
                        Pages.Cell.text(b.domain().map(d -> d.name()).or(() -> b.provider().map(v -> "provider " + v)).orElse("any domain")),
                        Pages.Cell.text(b.since().map(Object::toString).orElse("")), Pages.Cell.text(b.until().toString()),
                        Pages.Cell.text(b.reason()))));
        if (rows.isEmpty()) {
            return "";
        }
        return "<h2>Automatic actions</h2>\n" + Pages.table(List.of("Action", "Sending from", "To", "Since", "Until", "Why"), rows, "")
                + "<p>Lift one early by deleting its pause or back-off under <a href=\"/settings\">Settings</a>.</p>\n";
    }

    /** A back-off's caps in words: {@code 30/min, 1 connection}. */
    private static String caps(BackOff backOff) {
        var parts = new ArrayList<String>();
        backOff.messagesPerMinute().ifPresent(n -> parts.add(n + "/min"));
        backOff.maxConnections().ifPresent(n -> parts.add(n + (n == 1 ? " connection" : " connections")));
        return String.join(", ", parts);
    }

    void cluster(HttpServerExchange exchange) {
        var members = members();
        var cluster = instance.cluster().get();
        var problems = new StringBuilder();
        cluster.conflicts().forEach(conflict -> problems.append("<p class=\"down\">Error: ").append(escape(conflict.describe()))
                .append(".</p>\n"));
        cluster.clocks().forEach(offset -> problems.append("<p class=\"down\">Warning: ").append(escape(offset.describe()))
                .append(".</p>\n"));
        var queues = Pages.table(List.of("Instance", "Forward queue", "Depth", "State", "Silent since"), cluster.forwardQueues()
                .stream().map(queue -> List.of(Pages.Cell.text(queue.server()), Pages.Cell.text(queue.queue()),
                        Pages.Cell.text(queue.depth().isPresent() ? Long.toString(queue.depth().getAsLong()) : "unknown"),
                        Pages.Cell.text(queue.state()).marked(queue.state().equals("live") ? "up" : "down"),
                        Pages.Cell.text(queue.silentSince().map(Object::toString).orElse(""))))
                .toList(), "No forward queues known yet.");
        var content = problems + "<h1>Cluster</h1><p>" + members.size() + (members.size() == 1 ? " live instance" : " live instances")
                + ", as their announces say. A settings version in red lags behind the newest.</p>\n"
                + Pages.clusterTable(members, clock.instant())
                + "<h2>Forward queues</h2>\n<p>What waits for each instance. The queue of an instance gone for longer than "
                + "cluster-orphan-after is orphaned and drained by a live instance (its messages are retried, or delivered by the "
                + "IP's new owner). Since the start: " + cluster.drained() + " drained here, " + cluster.replays()
                + " replayed forwards dropped, " + cluster.refused() + " forwards refused with a failure result.</p>\n" + queues;
        html(exchange, StatusCodes.OK, page(exchange, "Cluster", "/cluster", content, Optional.empty()));
    }

    void settings(HttpServerExchange exchange) {
        var parameters = exchange.getQueryParameters();
        var editing = Optional.of(value(parameters, "edit")).flatMap(ConsolePages::editTarget);
        var saved = Optional.of(value(parameters, "saved")).flatMap(ConsolePages::number);
        renderSettings(exchange, StatusCodes.OK, editing, Optional.empty(), saved);
    }

    /** A settings form's POST: create ({@code /settings/KIND}), change ({@code /KIND/ID}) or delete ({@code /KIND/ID/delete}). */
    void settingsForm(HttpServerExchange exchange) {
        var parameters = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters();
        var kind = parameters.get("kind");
        long id = parameters.containsKey("id") ? number(parameters.get("id")).orElse(-1L) : 0;
        boolean delete = exchange.getRequestPath().endsWith("/delete");
        var form = ConsoleAuth.form(exchange).orElse(new FormData(0));
        var fields = Pages.FIELDS.get(kind);
        if (fields == null || id < 0) {
            html(exchange, StatusCodes.NOT_FOUND, page(exchange, "Not found", "/settings", "<p>No such settings row.</p>", Optional.empty()));
            return;
        }
        var values = new LinkedHashMap<String, String>();
        var body = JsonNodeFactory.instance.objectNode();
        for (var name : delete ? List.of("revision") : fields.stream().map(Pages.Field::name).toList()) {
            var value = form.contains(name) ? form.getFirst(name).getValue().strip() : "";
            values.put(name, value);
        }
        if (id > 0) {
            var revision = form.contains("revision") ? form.getFirst("revision").getValue().strip() : "";
            values.put("revision", revision);
            number(revision).ifPresentOrElse(r -> body.put("revision", r.intValue()), () -> body.put("revision", revision));
        }
        if (!delete) {
            fields.forEach(field -> put(body, field, values.get(field.name())));
        }
        var operation = delete ? SettingsApi.Operation.DELETE : id > 0 ? SettingsApi.Operation.UPDATE : SettingsApi.Operation.CREATE;
        switch (settingsApi.submit(kind, operation, id, body)) {
            case WriteOutcome.Written written -> ConsoleAuth.redirect(exchange, "/settings?saved=" + written.result().version());
            case WriteOutcome.Invalid invalid -> renderSettings(exchange, StatusCodes.BAD_REQUEST, Optional.empty(),
                    Optional.of(new Pages.FailedForm(kind, delete ? 0 : id, values, invalid.errors(), "Nothing was saved: "
                            + String.join("; ", invalid.errors().stream().map(Object::toString).toList()))), Optional.empty());
            case WriteOutcome.NotFound notFound -> renderSettings(exchange, StatusCodes.NOT_FOUND, Optional.empty(),
                    Optional.of(new Pages.FailedForm(kind, 0, values, List.of(), notFound.message())), Optional.empty());
            case WriteOutcome.Conflict conflict -> renderSettings(exchange, StatusCodes.CONFLICT, Optional.empty(),
                    Optional.of(new Pages.FailedForm(kind, 0, values, List.of(), conflict.message())), Optional.empty());
            case WriteOutcome.Unavailable unavailable -> renderSettings(exchange, StatusCodes.SERVICE_UNAVAILABLE,
                    Optional.empty(), Optional.of(new Pages.FailedForm(kind, 0, values, List.of(), unavailable.message())), Optional.empty());
        }
    }

    void results(HttpServerExchange exchange) {
        var errors = new ArrayList<FieldError>();
        var query = ResultsApi.query(exchange.getQueryParameters(), errors);
        var parameters = exchange.getQueryParameters();
        var content = new StringBuilder("<h1>Results</h1>\n<p>The most recent outcomes on this instance (at most ")
                .append(RecentResults.DEFAULT_CAPACITY).append(" kept in memory), newest first.</p>\n")
                .append(Pages.resultsFilter(value(parameters, "domain"), value(parameters, "state"), value(parameters, "outcome"),
                        Arrays.stream(AttemptState.values()).map(AttemptState::json).toList(),
                        Arrays.stream(RecentResult.Outcome.values()).map(RecentResult.Outcome::json).toList()));
        int status = StatusCodes.OK;
        var recent = instance.results().get();
        if (!errors.isEmpty()) {
            status = StatusCodes.BAD_REQUEST;
            content.append("<p class=\"errors\">").append(escape(String.join("; ", errors.stream().map(Object::toString).toList())))
                    .append("</p>");
        } else if (recent.isEmpty()) {
            content.append("<p>The relay is not running yet.</p>");
        } else {
            var found = recent.get().find(query);
            content.append(Pages.resultsTable(found.stream().map(ResultsApi::json).toList()));
            if (found.size() == query.limit() && query.limit() < RecentResults.MAX_LIMIT) {
                // There may be more: offer them all, with the same filter.
                var more = new StringBuilder("/results?limit=").append(RecentResults.MAX_LIMIT);
                for (var name : List.of("domain", "state", "outcome")) {
                    var given = value(parameters, name);
                    if (!given.isEmpty()) {
                        more.append('&').append(name).append('=').append(URLEncoder.encode(given, StandardCharsets.UTF_8));
                    }
                }
                content.append("<p>The newest ").append(query.limit()).append(" are shown. <a href=\"").append(escape(more.toString()))
                        .append("\">Show up to ").append(RecentResults.MAX_LIMIT).append("</a>.</p>");
            }
        }
        html(exchange, status, page(exchange, "Results", "/results", content.toString(), Optional.empty()));
    }

    private static String value(Map<String, Deque<String>> parameters, String name) {
        return Optional.ofNullable(parameters.get(name)).map(Deque::peekFirst).orElse("");
    }

    private void renderSettings(HttpServerExchange exchange, int status, Optional<Pages.EditTarget> editing,
            Optional<Pages.FailedForm> failed, Optional<Long> saved) {
        var editor = instance.editor().get();
        if (editor.isEmpty()) {
            html(exchange, StatusCodes.SERVICE_UNAVAILABLE, page(exchange, "Settings", "/settings",
                    "<h1>Settings</h1><p>The settings are not loaded yet.</p>", Optional.of(2)));
            return;
        }
        var settings = editor.get().current();
        var content = new StringBuilder("<h1>Settings</h1>\n<p>Shared by every instance of the cluster. Version ")
                .append(settings.version()).append(".</p>\n");
        boolean waiting = false;
        if (saved.isPresent()) {
            var members = members();
            var behind = members.stream().filter(member -> member.configVersion() < saved.get()).map(Pages.Member::serverId).toList();
            waiting = !behind.isEmpty();
            content.append("<div class=\"note\"><p>Saved as version ").append(saved.get()).append(". ")
                    .append(waiting ? "Not yet running it: " + escape(String.join(", ", behind)) + " (this page refreshes)."
                            : "All " + members.size() + " instances run it.")
                    .append("</p>").append(Pages.clusterTable(members, clock.instant())).append("</div>\n");
        }
        // What the search box asks for, and which kind to show beyond the first rows.
        var parameters = exchange.getQueryParameters();
        var find = value(parameters, "find").strip();
        if (find.length() > MAX_FIND) {
            find = find.substring(0, MAX_FIND);
        }
        var all = value(parameters, "all");
        var listings = new LinkedHashMap<String, Pages.Listing>();
        for (var kind : SettingsApi.kinds()) {
            listings.put(kind, Pages.Listing.of(kind, settingsApi.rows(kind, settings), find, kind.equals(all)));
        }
        content.append(Pages.settingsIndex(find, listings.values()));
        var csrf = ConsoleAuth.session(exchange).csrfToken();
        for (var listing : listings.values()) {
            var kind = listing.kind();
            content.append(Pages.settingsSection(listing, csrf,
                    editing.filter(target -> target.kind().equals(kind)).map(Pages.EditTarget::id), failed));
        }
        html(exchange, status, page(exchange, "Settings", "/settings", content.toString(), waiting ? Optional.of(1) : Optional.empty()));
    }

    private static void put(ObjectNode body, Pages.Field field, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        switch (field.type()) {
            case "number" -> number(value).ifPresentOrElse(n -> body.put(field.name(), n), () -> body.put(field.name(), value));
            case "list" -> {
                var list = body.putArray(field.name());
                for (var item : value.split("[,\\s]+")) {
                    if (!item.isEmpty()) {
                        list.add(item);
                    }
                }
            }
            default -> body.put(field.name(), value);
        }
    }

    private static Optional<Long> number(String text) {
        try {
            return Optional.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Pages.EditTarget> editTarget(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return number(text.substring(colon + 1)).map(id -> new Pages.EditTarget(text.substring(0, colon), id));
    }

    /** The longest search the settings page takes; longer ones are cut. */
    private static final int MAX_FIND = 100;

    /** Shown instead of a rate in the first seconds, before the samples span long enough. */
    private static final String MEASURING = "measuring";

    private static void figure(StringBuilder out, String label, String value) {
        out.append("<div>").append(escape(label)).append("<b>").append(escape(value)).append("</b></div>");
    }

    private static String format(double perMinute) {
        return perMinute >= 100 ? Long.toString(Math.round(perMinute)) : String.format(Locale.ROOT, "%.1f", perMinute);
    }

    String page(HttpServerExchange exchange, String title, String here, String content, Optional<Integer> refresh) {
        return Pages.layout(title, here, instance.serverId(), ConsoleAuth.session(exchange).csrfToken(), auth.hasPassword(), content,
                refresh);
    }

    private static void html(HttpServerExchange exchange, int status, String page) {
        exchange.setStatusCode(status);
        Responses.send(exchange, "text/html; charset=utf-8", page);
    }
}
