package dev.ferrymta.console;

import static dev.ferrymta.console.Html.escape;

import dev.ferrymta.cluster.Peer;
import dev.ferrymta.db.write.FieldError;
import dev.ferrymta.db.write.SettingsKind;
import dev.ferrymta.db.write.SettingsKinds;
import dev.ferrymta.relay.bounce.BounceCategory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The console's HTML: plain server-rendered pages, no script, every value escaped with
 * {@link Html#escape}, usable on a phone. Each page is a function of what it shows.
 */
final class Pages {

    private Pages() {
    }

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b}
            header{background:#16324f;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
            header a{color:#fff;text-decoration:none}header a.here{text-decoration:underline}
            header form{margin-left:auto}main{padding:1rem;max-width:72rem}
            table{border-collapse:collapse;width:100%;margin-bottom:1rem}
            td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
            .scroll{overflow-x:auto}.up,.ok{color:#176f2c}.down,.lag,.error{color:#b3261e;font-weight:bold}
            .note{background:#eef4fa;padding:.5rem 1rem;border-left:4px solid #16324f}
            .errors{background:#fbeaea;padding:.5rem 1rem;border-left:4px solid #b3261e}
            form.inline{display:inline}fieldset{border:1px solid #ccc;margin-bottom:1rem;min-width:0}
            label{display:inline-block;margin:.2rem .8rem .2rem 0}input,select,textarea{font:inherit}
            label,textarea{max-width:100%}textarea{box-sizing:border-box}
            .figures{display:flex;flex-wrap:wrap;gap:1rem}.figures div{border:1px solid #ddd;padding:.5rem 1rem;min-width:9rem}
            .figures b{display:block;font-size:1.4rem}td.actions{white-space:nowrap}td{overflow-wrap:break-word}
            nav.sections{margin:.5rem 0 1rem}nav.sections a{margin-right:.8rem;white-space:nowrap}
            @media (max-width:40rem){
            table.cards thead{display:none}table.cards tr{display:block;border-bottom:1px solid #bbb;padding:.3rem 0}
            table.cards td{display:flex;gap:.6rem;border:none;padding:.1rem .3rem;overflow-wrap:anywhere}table.cards td:empty{display:none}
            table.cards td[data-label]::before{content:attr(data-label);font-weight:bold;color:#1b1b1b;flex:0 0 8rem}
            .figures{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}.figures div{min-width:0;padding:.4rem .6rem}
            fieldset label{display:block}fieldset input:not([type=hidden]),fieldset select{width:100%;box-sizing:border-box}
            main{padding:.6rem}}
            """;

    /** The frame around every page: the menu, the logout button, the content. */
    static String layout(String title, String here, String serverId, String csrfToken, boolean canLogOut, String content,
            Optional<Integer> refreshSeconds) {
        var menu = new StringBuilder();
        for (var item : List.of(Map.entry("/", "Overview"), Map.entry("/cluster", "Cluster"), Map.entry("/settings", "Settings"),
                Map.entry("/results", "Results"))) {
            menu.append("<a href=\"").append(item.getKey()).append('"').append(item.getKey().equals(here) ? " class=\"here\"" : "")
                    .append('>').append(item.getValue()).append("</a>");
        }
        var logout = canLogOut ? """
                <form method="post" action="/logout"><input type="hidden" name="csrf" value="%s"><button>Log out</button></form>"""
                .formatted(escape(csrfToken)) : "";
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">%s
                <title>%s · Ferry %s</title><style>%s</style></head><body>
                <header><strong>Ferry %s</strong>%s%s</header>
                <main>
                %s
                </main></body></html>
                """.formatted(refreshSeconds.map(s -> "\n<meta http-equiv=\"refresh\" content=\"" + s + "\">").orElse(""),
                escape(title), escape(serverId), STYLE, escape(serverId), menu, logout, content);
    }

    static String loginPage(String next, Optional<String> problem) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Log in · Ferry</title><style>%s</style></head><body>
                <header><strong>Ferry</strong></header><main>
                <h1>Log in</h1>%s
                <form method="post" action="/login">
                <input type="hidden" name="next" value="%s">
                <label>Password <input type="password" name="password" autofocus required autocomplete="current-password"></label>
                <button>Log in</button></form></main></body></html>
                """.formatted(STYLE, problem.map(p -> "<p class=\"errors\">" + escape(p) + "</p>").orElse(""), escape(next));
    }

    /** A table cell: its HTML, already escaped, and a CSS class (none when empty). */
    record Cell(String html, String cssClass) {

        /** A cell showing {@code value} as text (see {@link #show}). */
        static Cell text(Object value) {
            return new Cell(escape(show(value)), "");
        }

        Cell marked(String cssClass) {
            return new Cell(html, cssClass);
        }
    }

    /**
     * A table that turns into one card per row on a phone, each cell labelled with its column's
     * heading; {@code whenEmpty} stands in for a table without rows.
     */
    static String table(List<String> headings, List<List<Cell>> rows, String whenEmpty) {
        if (rows.isEmpty()) {
            return "<p class=\"empty\">" + escape(whenEmpty) + "</p>";
        }
        var out = new StringBuilder("<div class=\"scroll\"><table class=\"cards\"><thead><tr>");
        headings.forEach(heading -> out.append("<th>").append(escape(heading)).append("</th>"));
        out.append("</tr></thead><tbody>\n");
        for (var row : rows) {
            out.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                var cell = row.get(i);
                var heading = i < headings.size() ? headings.get(i) : "";
                out.append("<td");
                if (!heading.isEmpty()) {
                    out.append(" data-label=\"").append(escape(heading)).append('"');
                }
                if (!cell.cssClass().isEmpty()) {
                    out.append(" class=\"").append(escape(cell.cssClass())).append('"');
                }
                out.append('>').append(cell.html()).append("</td>");
            }
            out.append("</tr>\n");
        }
        return out.append("</tbody></table></div>").toString();
    }

    /** "3 min 20 s", "2 h 5 min", "4 d 1 h". */
    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
        }
        return seconds / 86_400 + " d " + seconds % 86_400 / 3600 + " h";
    }

    /** One instance on the cluster page: this one or a peer. */
    record Member(String serverId, String hostname, List<String> ips, String console, String version, long configVersion,
            Optional<Instant> lastSeen, boolean self) {
    }

    static String clusterTable(List<Member> members, Instant now) {
        long newest = members.stream().mapToLong(Member::configVersion).max().orElse(0);
        var rows = members.stream().map(member -> {
            boolean lags = member.configVersion() < newest;
            var version = Cell.text(member.configVersion() + (lags ? " (behind: " + newest + " is the newest)" : ""));
            return List.of(Cell.text(member.serverId() + (member.self() ? " (this one)" : "")), Cell.text(member.hostname()),
                    Cell.text(member.ips()), Cell.text(member.version()), lags ? version.marked("lag") : version,
                    Cell.text(member.lastSeen().map(seen -> duration(Duration.between(seen, now)) + " ago").orElse("now")),
                    new Cell("<a href=\"" + escape(member.console()) + "\">" + escape(member.console()) + "</a>", ""));
        }).toList();
        return table(List.of("Server", "Host", "IPs", "Version", "Settings version", "Last seen", "Console"), rows, "No instances.");
    }

    static String resultsFilter(String domain, String state, String outcome, List<String> states, List<String> outcomes) {
        return """
                <form method="get" action="/results"><label>Domain <input type="text" name="domain" value="%s"></label>
                <label>State %s</label><label>Outcome %s</label><button>Filter</button> <a href="/results">All</a></form>
                """.formatted(escape(domain), select("state", state, states), select("outcome", outcome, outcomes));
    }

    private static String select(String name, String chosen, List<String> options) {
        var out = new StringBuilder("<select name=\"" + name + "\"><option value=\"\">any</option>");
        for (var option : options) {
            out.append("<option").append(option.equalsIgnoreCase(chosen) ? " selected" : "").append('>').append(escape(option))
                    .append("</option>");
        }
        return out.append("</select>").toString();
    }

    static String resultsTable(List<Map<String, Object>> results) {
        var rows = results.stream().map(result -> {
            var cells = new ArrayList<Cell>();
            // "2026-11-22T04:18:48.383Z" reads better as "2026-11-22 04:18:48.383"; the API keeps ISO-8601.
            cells.add(Cell.text(show(result.get("time")).replace('T', ' ').replace("Z", "")));
            for (var key : List.of("outcome", "recipient", "sourceIp", "state", "result", "code", "description", "attempts")) {
                cells.add(Cell.text(result.get(key)));
            }
            return (List<Cell>) cells;
        }).toList();
        return table(List.of("Time (UTC)", "Outcome", "Recipient", "Source IP", "State", "Result", "Code", "Description", "Attempts"),
                rows, "No results match.");
    }

    // --- the settings page --------------------------------------------------------------------

    /** One field of a settings form. */
    record Field(String name, String label, String type, boolean required) {
    }

    /**
     * The fields of each kind's form, in the API's names (the components of the kind's input
     * record); {@code type}: text, number, list, area, or a choice "a|b". {@code PagesTest} holds
     * them to the registry: every kind has a form, every field is a component of its input, and a
     * number is an {@code Integer}, a list a {@code List}, the rest {@code String}s.
     */
    static final Map<String, List<Field>> FIELDS = Map.of(
            "pools", List.of(new Field("name", "Name", "text", true), new Field("ips", "IPs (comma-separated, in order)", "list", false)),
            "throttles", List.of(new Field("localIp", "Local IP or network", "text", false), new Field("domain", "Domain", "text", false),
                    new Field("maxConnections", "Max connections", "number", false),
                    new Field("messagesPerMinute", "Messages per minute", "number", false),
                    new Field("messagesPerConnection", "Messages per connection", "number", false),
                    new Field("idleTimeoutSeconds", "Idle timeout (s)", "number", false),
                    new Field("provider", "Or provider (all its domains)", "text", false)),
            "routes", List.of(new Field("domain", "Domain", "text", true), new Field("kind", "Kind", "mx|smarthost", true),
                    new Field("host", "Host", "text", true), new Field("port", "Port", "number", false)),
            "pauses", List.of(new Field("localIp", "Local IP or network", "text", false), new Field("domain", "Domain", "text", false),
                    new Field("until", "Until (ISO-8601, empty: until removed)", "text", false),
                    new Field("reason", "Reason", "text", false),
                    new Field("tag", "Only messages tagged (empty: all)", "text", false),
                    new Field("provider", "Or provider (all its domains)", "text", false)),
            "ehlo-names", List.of(new Field("localIp", "Local IP", "text", true), new Field("name", "EHLO name", "text", true)),
            "dkim-keys", List.of(new Field("domain", "Domain", "text", true), new Field("selector", "Selector", "text", true),
                    new Field("privateKey", "Private key (PKCS#8 PEM)", "area", true)),
            "response-rules", List.of(new Field("name", "Name", "text", true), new Field("code", "Code prefix", "text", false),
                    new Field("status", "Status prefix", "text", false), new Field("text", "Text (regular expression)", "text", false),
                    new Field("domain", "Only domain", "text", false),
                    new Field("action", "Action", "suspend|backoff|temporary|permanent|classify", true),
                    new Field("provider", "Only provider", "text", false),
                    new Field("scope", "Scope", "ip+domain|ip+provider|ip", false), new Field("minutes", "Minutes", "number", false),
                    new Field("messagesPerMinute", "Back-off: messages per minute", "number", false),
                    new Field("maxConnections", "Back-off: connections", "number", false),
                    new Field("category", "Category", "|" + String.join("|", Arrays.stream(BounceCategory.values()).map(BounceCategory::json).toList()), false),
                    new Field("note", "Note", "text", false)),
            "back-offs", List.of(new Field("localIp", "Local IP or network", "text", true), new Field("domain", "Domain", "text", false),
                    new Field("until", "Until (ISO-8601)", "text", true),
                    new Field("messagesPerMinute", "Messages per minute", "number", false),
                    new Field("maxConnections", "Connections", "number", false), new Field("reason", "Reason", "text", false),
                    new Field("provider", "Or provider (all its domains)", "text", false)),
            "providers", List.of(new Field("name", "Name", "text", true),
                    new Field("mxPatterns", "MX host patterns (*.example.net or a host, comma-separated)", "list", true)));

    /** Each kind's heading, from the registry. */
    static final Map<String, String> TITLES = SettingsKinds.ALL.stream()
            .collect(Collectors.toUnmodifiableMap(SettingsKind::path, SettingsKind::title));

    /** The row whose form is open for a change. */
    record EditTarget(String kind, long id) {
    }

    /** One row of each kind in words, from the registry. */
    static final Map<String, String> SINGULAR = SettingsKinds.ALL.stream()
            .collect(Collectors.toUnmodifiableMap(SettingsKind::path, SettingsKind::singular));

    /** A form that failed, shown again with what was typed and what is wrong. */
    record FailedForm(String kind, long id, Map<String, String> values, List<FieldError> errors, String message) {
    }

    /**
     * One kind's rows on the settings page: all of them, those the search matched (all when it is
     * empty), and those shown: the first {@link #SHOWN} matches unless all were asked for, so that a
     * cluster with thousands of throttles still gets a page a phone can load.
     */
    record Listing(String kind, List<Map<String, Object>> rows, List<Map<String, Object>> matched, List<Map<String, Object>> shown,
            String find) {

        static final int SHOWN = 100;

        /** {@code find}: text that a shown column must contain, any case; empty matches every row. */
        static Listing of(String kind, List<Map<String, Object>> rows, String find, boolean all) {
            var columns = columns(kind);
            var needle = find.toLowerCase(Locale.ROOT);
            var matched = needle.isEmpty() ? rows : rows.stream().filter(row -> columns.stream()
                    .anyMatch(field -> show(row.get(field.name())).toLowerCase(Locale.ROOT).contains(needle))).toList();
            var shown = all || matched.size() <= SHOWN ? matched : matched.subList(0, SHOWN);
            return new Listing(kind, rows, matched, shown, find);
        }

        /** "12", or "3 of 12" while searching. */
        String count() {
            return find.isEmpty() ? Integer.toString(rows.size()) : matched.size() + " of " + rows.size();
        }
    }

    /** Columns a kind's table shows that no form edits: what the console found out about a row. */
    static final Map<String, List<Field>> FOUND = Map.of(
            "dkim-keys", List.of(new Field("publication", "DNS", "found", false), new Field("record", "TXT record to publish", "found", false)),
            "pauses", List.of(new Field("since", "Since", "found", false)),
            "back-offs", List.of(new Field("since", "Since", "found", false)));

    /** The fields a kind's table shows: all but long text (a DKIM key), then what was found out. */
    private static List<Field> columns(String kind) {
        var columns = new ArrayList<>(FIELDS.get(kind).stream().filter(field -> !field.type().equals("area")).toList());
        columns.addAll(FOUND.getOrDefault(kind, List.of()));
        return columns;
    }

    /** The settings page's search box and the links to each kind's section, with counts. */
    static String settingsIndex(String find, Collection<Listing> listings) {
        var out = new StringBuilder("""
                <form method="get" action="/settings"><label>Find <input type="search" name="find" value="%s" \
                placeholder="domain, IP, name"></label><button>Find</button>%s</form>
                <nav class="sections">""".formatted(escape(find), find.isEmpty() ? "" : " <a href=\"/settings\">All</a>"));
        for (var listing : listings) {
            out.append("<a href=\"#").append(listing.kind()).append("\">").append(escape(TITLES.get(listing.kind()))).append(" (")
                    .append(listing.count()).append(")</a> ");
        }
        return out.append("</nav>\n").toString();
    }

    static String settingsSection(Listing listing, String csrf, Optional<Long> editing, Optional<FailedForm> failed) {
        var kind = listing.kind();
        var rows = listing.rows();
        var fields = FIELDS.get(kind);
        var shown = columns(kind);
        var headings = new ArrayList<>(shown.stream().map(Field::label).toList());
        headings.add("");
        var cells = listing.shown().stream().map(row -> {
            long id = ((Number) row.get("id")).longValue();
            var line = new ArrayList<Cell>();
            shown.forEach(field -> line.add(Cell.text(row.get(field.name()))));
            line.add(new Cell("""
                    <a href="/settings?edit=%1$s:%2$d#%1$s">Edit</a> \
                    <form class="inline" method="post" action="/settings/%1$s/%2$d/delete"><input type="hidden" name="csrf" value="%3$s">\
                    <input type="hidden" name="revision" value="%4$s"><button>Delete</button></form>""".formatted(kind, id, escape(csrf),
                    row.get("revision")), "actions"));
            return (List<Cell>) line;
        }).toList();
        var table = table(headings, cells, listing.find().isEmpty() ? "None yet." : "None match \u201c" + listing.find() + "\u201d.");
        if (listing.shown().size() < listing.matched().size()) {
            var all = "/settings?" + (listing.find().isEmpty() ? "" : "find=" + URLEncoder.encode(listing.find(), StandardCharsets.UTF_8)
                    + "&") + "all=" + kind + "#" + kind;
            table += "<p>The first " + listing.shown().size() + " of " + listing.matched().size() + " are shown. <a href=\""
                    + escape(all) + "\">Show all " + listing.matched().size() + "</a>, or narrow them with Find.</p>";
        }
        var form = new StringBuilder();
        var failedHere = failed.filter(f -> f.kind().equals(kind));
        var editRow = editing.flatMap(id -> rows.stream().filter(row -> ((Number) row.get("id")).longValue() == id).findFirst());
        long formId = failedHere.map(FailedForm::id).orElse(editRow.map(row -> ((Number) row.get("id")).longValue()).orElse(0L));
        boolean update = formId > 0;
        form.append("<form method=\"post\" action=\"/settings/").append(kind).append(update ? "/" + formId : "").append("\">")
                .append("<fieldset><legend>").append(update ? "Change " + SINGULAR.get(kind).replaceFirst("^an? ", "") + " " + formId
                        : "Add " + SINGULAR.get(kind)).append("</legend>")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(escape(csrf)).append("\">");
        failedHere.ifPresent(f -> form.append("<div class=\"errors\">").append(escape(f.message())).append("</div>"));
        if (update) {
            var revision = failedHere.map(f -> f.values().getOrDefault("revision", ""))
                    .orElse(editRow.map(row -> show(row.get("revision"))).orElse(""));
            form.append("<input type=\"hidden\" name=\"revision\" value=\"").append(escape(revision)).append("\">");
        }
        for (var field : fields) {
            var value = failedHere.map(f -> f.values().getOrDefault(field.name(), ""))
                    .orElse(editRow.map(row -> show(row.get(field.name()))).orElse(""));
            var error = failedHere.stream().flatMap(f -> f.errors().stream())
                    .filter(e -> e.field().equals(field.name()) || e.field().startsWith(field.name() + "["))
                    .map(FieldError::message).findFirst();
            form.append("<label>").append(escape(field.label())).append(' ').append(input(field, value)).append("</label>");
            error.ifPresent(e -> form.append("<span class=\"error\">").append(escape(e)).append("</span>"));
        }
        form.append("<button>").append(update ? "Save" : "Add").append("</button>");
        if (update) {
            form.append(" <a href=\"/settings#").append(kind).append("\">Cancel</a>");
        }
        form.append("</fieldset></form>");
        return "<h2 id=\"" + kind + "\">" + escape(TITLES.get(kind)) + "</h2>\n" + table + form;
    }

    private static String input(Field field, String value) {
        if (field.type().equals("area")) {
            return "<br><textarea name=\"" + field.name() + "\" rows=\"6\" cols=\"64\"" + (field.required() ? " required" : "") + ">"
                    + escape(value) + "</textarea>";
        }
        if (field.type().contains("|")) {
            var options = new StringBuilder("<select name=\"" + field.name() + "\">");
            for (var option : field.type().split("\\|")) {
                options.append("<option").append(option.equals(value) ? " selected" : "").append('>').append(option).append("</option>");
            }
            return options + "</select>";
        }
        var type = field.type().equals("number") ? "number" : "text";
        return "<input type=\"" + type + "\" name=\"" + field.name() + "\" value=\"" + escape(value) + "\""
                + (field.required() ? " required" : "") + ">";
    }

    /** A row's value as text: lists comma-separated, nothing for null. */
    static String show(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof List<?> list) {
            return String.join(", ", list.stream().map(Objects::toString).toList());
        }
        return value.toString();
    }
}
