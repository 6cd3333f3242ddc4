package dev.ferrymta.db.write;

import dev.ferrymta.relay.settings.IpRange;
import dev.ferrymta.relay.settings.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The rows of each kind of shared settings as the API and the console show them: one map per row,
 * its {@code id} and {@code revision}, then the fields named as the kind's {@code *Input} record
 * names them (so what is read can be written back). DKIM private keys are never shown.
 */
final class SettingsRows {

    private SettingsRows() {
    }

    private static Map<String, Object> row(long id, int revision) {
        var row = new LinkedHashMap<String, Object>();
        row.put("id", id);
        row.put("revision", revision);
        return row;
    }

    private static String range(Optional<IpRange> range) {
        return range.map(IpRange::toString).orElse(null);
    }

    static List<Map<String, Object>> pools(Settings settings) {
        return settings.pools().stream().map(pool -> {
            var row = row(pool.id(), pool.revision());
            row.put("name", pool.name());
            row.put("ips", pool.ips().stream().map(ip -> ip.getHostAddress()).toList());
            return row;
        }).toList();
    }

    static List<Map<String, Object>> throttles(Settings settings) {
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

    static List<Map<String, Object>> routes(Settings settings) {
        return settings.routes().stream().map(route -> {
            var row = row(route.id(), route.revision());
            row.put("domain", route.domain().name());
            row.put("kind", route.kind().name().toLowerCase(Locale.ROOT));
            row.put("host", route.host());
            row.put("port", route.port());
            return row;
        }).toList();
    }

    static List<Map<String, Object>> pauses(Settings settings) {
        return settings.pauses().stream().map(pause -> {
            var row = row(pause.id(), pause.revision());
            row.put("localIp", range(pause.localIp()));
            row.put("domain", pause.domain().map(domain -> domain.name()).orElse(null));
            row.put("until", pause.until().map(Object::toString).orElse(null));
            row.put("reason", pause.reason());
            row.put("tag", pause.tag().orElse(null));
            row.put("provider", pause.provider().orElse(null));
            row.put("since", pause.since().map(Object::toString).orElse(null));
            return row;
        }).toList();
    }

    static List<Map<String, Object>> ehloNames(Settings settings) {
        return settings.ehloNames().stream().map(ehlo -> {
            var row = row(ehlo.id(), ehlo.revision());
            row.put("localIp", ehlo.localIp().getHostAddress());
            row.put("name", ehlo.name());
            return row;
        }).toList();
    }

    static List<Map<String, Object>> dkimKeys(Settings settings) {
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

    static List<Map<String, Object>> responseRules(Settings settings) {
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

    static List<Map<String, Object>> backOffs(Settings settings) {
        return settings.backOffs().stream().map(backOff -> {
            var row = row(backOff.id(), backOff.revision());
            row.put("localIp", backOff.localIp().toString());
            row.put("domain", backOff.domain().map(domain -> domain.name()).orElse(null));
            row.put("until", backOff.until().toString());
            row.put("messagesPerMinute", optional(backOff.messagesPerMinute()));
            row.put("maxConnections", optional(backOff.maxConnections()));
            row.put("reason", backOff.reason());
            row.put("provider", backOff.provider().orElse(null));
            row.put("since", backOff.since().map(Object::toString).orElse(null));
            return row;
        }).toList();
    }

    static List<Map<String, Object>> providers(Settings settings) {
        return settings.providerRows().stream().map(provider -> {
            var row = row(provider.id(), provider.revision());
            row.put("name", provider.name());
            row.put("mxPatterns", provider.mxPatterns());
            return row;
        }).toList();
    }
}
