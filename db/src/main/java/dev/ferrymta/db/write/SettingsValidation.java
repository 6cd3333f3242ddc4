package dev.ferrymta.db.write;

import dev.ferrymta.relay.bounce.BounceCategory;
import dev.ferrymta.relay.bounce.ReplyMatch;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.config.ValueType;
import dev.ferrymta.relay.settings.Provider;
import dev.ferrymta.relay.settings.IpLiteral;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Checks settings inputs before anything touches the database: pure functions of the input (and,
 * for a pause, of the current time). Each returns the canonical values or throws
 * {@link InvalidSettingsException} with every problem of the input. The bounds are sanity limits
 * that catch typos (a zero too many), not tuning advice.
 */
final class SettingsValidation {

    static final int MAX_CONNECTIONS = 1_000;
    static final int MAX_MESSAGES_PER_MINUTE = 1_000_000;
    static final int MAX_MESSAGES_PER_CONNECTION = 100_000;
    static final int MAX_IDLE_TIMEOUT_SECONDS = 3_600;
    static final int MAX_REASON_LENGTH = 500;
    static final int DEFAULT_PORT = 25;
    static final int MAX_PATTERN_LENGTH = 1_000;

    /** As the schema's check on {@code ip_pools.name}. */
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** As the schema's check on {@code dkim_keys.selector}: dot-separated DNS labels. */
    private static final Pattern SELECTOR =
            Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private SettingsValidation() {
    }

    static Validated.Pool pool(PoolInput input) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var name = poolName(checks, "name", input.name());
        var ips = new ArrayList<String>();
        var seen = new HashSet<InetAddress>();
        var given = input.ips() == null ? List.<String>of() : input.ips();
        for (int i = 0; i < given.size(); i++) {
            var field = "ips[" + i + "]";
            var ip = checks.singleIp(field, given.get(i));
            if (ip == null) {
                continue;
            }
            // Compared as addresses, so 2001:db8::1 and 2001:DB8:0::1 are the same one.
            if (!seen.add(IpLiteral.parse(ip))) {
                checks.add(field, FieldChecks.quote(given.get(i).strip()) + " is already in the list");
                continue;
            }
            ips.add(ip);
        }
        checks.throwIfAny();
        return new Validated.Pool(name, ips);
    }

    static Validated.PoolIp poolIp(String pool, String ip) {
        var checks = new FieldChecks();
        var name = checks.required("pool", pool);
        var address = checks.singleIp("ip", ip);
        checks.throwIfAny();
        return new Validated.PoolIp(name, address);
    }

    static Validated.Throttle throttle(ThrottleInput input) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var localIp = checks.ipOrNetwork("localIp", input.localIp());
        var throttle = new Validated.Throttle(
                localIp,
                checks.optionalDomain("domain", input.domain()),
                checks.limit("maxConnections", input.maxConnections(), MAX_CONNECTIONS),
                checks.limit("messagesPerMinute", input.messagesPerMinute(), MAX_MESSAGES_PER_MINUTE),
                checks.limit("messagesPerConnection", input.messagesPerConnection(), MAX_MESSAGES_PER_CONNECTION),
                checks.limit("idleTimeoutSeconds", input.idleTimeoutSeconds(), MAX_IDLE_TIMEOUT_SECONDS),
                provider(checks, input.domain(), input.provider()));
        checks.throwIfAny();
        return throttle;
    }

    static Validated.Route route(RouteInput input) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var domain = checks.domain("domain", input.domain());
        var kind = routeKind(checks, input.kind());
        var host = routeHost(checks, input.host());
        var port = input.port() == null ? Integer.valueOf(DEFAULT_PORT) : checks.between("port", input.port(), 1, 65535);
        checks.throwIfAny();
        return new Validated.Route(domain, kind, host, port);
    }

    /** @param now the clock's time: {@code until} must be after it */
    static Validated.Pause pause(PauseInput input, Instant now) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var localIp = checks.ipOrNetwork("localIp", input.localIp());
        var domain = checks.optionalDomain("domain", input.domain());
        var until = until(checks, input.until(), now);
        var reason = input.reason() == null ? "" : input.reason().strip();
        int length = reason.codePointCount(0, reason.length());
        if (length > MAX_REASON_LENGTH) {
            checks.add("reason", "is %d characters long; at most %d".formatted(length, MAX_REASON_LENGTH));
        }
        String tag = input.tag() == null || input.tag().isBlank() ? null : input.tag().strip();
        if (tag != null && (tag.codePointCount(0, tag.length()) > 200 || tag.chars().anyMatch(Character::isISOControl))) {
            checks.add("tag", "must be at most 200 characters, without control characters");
        }
        var provider = provider(checks, input.domain(), input.provider());
        checks.throwIfAny();
        return new Validated.Pause(localIp, domain, until, reason, tag, provider);
    }

    static Validated.EhloName ehloName(EhloNameInput input) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var ehlo = new Validated.EhloName(checks.singleIp("localIp", input.localIp()), checks.hostName("name", input.name()));
        checks.throwIfAny();
        return ehlo;
    }

    static Validated.DkimKey dkimKey(DkimKeyInput input) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var domain = checks.domain("domain", input.domain());
        var selector = checks.required("selector", input.selector());
        if (selector != null && !SELECTOR.matcher(selector).matches()) {
            checks.add("selector", FieldChecks.quote(selector) + " is not a selector: DNS labels of letters, digits and '-', such as mail2024");
            selector = null;
        }
        String key = null;
        if (checks.required("privateKey", input.privateKey()) != null) {
            try {
                key = PrivateKeyPem.canonical(input.privateKey());
            } catch (IllegalArgumentException e) {
                checks.add("privateKey", e.getMessage());
            }
        }
        checks.throwIfAny();
        return new Validated.DkimKey(domain, selector, key);
    }

    /**
     * A response rule: each field checked on its own, the regular expression compiled, then the
     * whole as relay-core's {@link dev.ferrymta.relay.bounce.ResponseRule} takes it.
     */
    static Validated.ResponseRule responseRule(ResponseRuleInput input) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var name = checks.required("name", input.name());
        if (name != null && (name.codePointCount(0, name.length()) > 100 || name.chars().anyMatch(Character::isISOControl))) {
            checks.add("name", "must be 1 to 100 characters, without control characters");
            name = null;
        }
        var code = blankToEmpty(input.code());
        var status = blankToEmpty(input.status());
        var text = input.text() == null || input.text().isBlank() ? "" : input.text();
        if (text.length() > MAX_PATTERN_LENGTH) {
            checks.add("text", "is %d characters long; at most %d".formatted(text.length(), MAX_PATTERN_LENGTH));
        }
        ReplyMatch match = null;
        for (var part : List.of("code", "status", "text")) {
            try {
                ReplyMatch.of(part.equals("code") ? code : "", part.equals("status") ? status : "", part.equals("text") ? text : "");
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().startsWith("a rule needs")) {
                    checks.add(part, afterField(e.getMessage()));
                }
            }
        }
        if (code.isEmpty() && status.isEmpty() && text.isEmpty()) {
            checks.add("text", "a rule needs a code, a status or a text to match");
        }
        var domain = checks.optionalDomain("domain", input.domain());
        var provider = provider(checks, input.domain(), input.provider());
        ResponseRule.Action action = null;
        if (checks.required("action", input.action()) != null) {
            try {
                action = ResponseRule.Action.parse(input.action());
            } catch (IllegalArgumentException e) {
                checks.add("action", afterField(e.getMessage()));
            }
        }
        var scope = ResponseRule.Scope.IP_DOMAIN;
        if (input.scope() != null && !input.scope().isBlank()) {
            try {
                scope = ResponseRule.Scope.parse(input.scope());
            } catch (IllegalArgumentException e) {
                checks.add("scope", afterField(e.getMessage()));
            }
        }
        Integer minutes = null;
        Integer perMinute = null;
        Integer connections = null;
        if (action != null && action.lasts()) {
            if (input.minutes() == null) {
                checks.add("minutes", "a " + action.text() + " needs a duration: 1 to 10080 minutes");
            } else {
                minutes = checks.between("minutes", input.minutes(), 1, 10_080);
            }
        }
        if (action != null && !action.lasts() && input.minutes() != null) {
            // Saved and then ignored would be worse than refused.
            checks.add("minutes", "only a suspend or a backoff lasts; a " + action.text() + " rule takes no minutes");
        }
        if (action == ResponseRule.Action.BACKOFF) {
            perMinute = checks.limit("messagesPerMinute", input.messagesPerMinute(), MAX_MESSAGES_PER_MINUTE);
            connections = checks.limit("maxConnections", input.maxConnections(), MAX_CONNECTIONS);
            if (input.messagesPerMinute() == null && input.maxConnections() == null) {
                checks.add("messagesPerMinute", "a backoff caps messages per minute, connections or both");
            }
        } else if (action != null) {
            for (var cap : List.of("messagesPerMinute", "maxConnections")) {
                if ((cap.equals("messagesPerMinute") ? input.messagesPerMinute() : input.maxConnections()) != null) {
                    checks.add(cap, "only a backoff caps; a " + action.text() + " rule takes no " + cap);
                }
            }
        }
        String category = null;
        if (input.category() != null && !input.category().isBlank()) {
            category = input.category().strip().toLowerCase(Locale.ROOT);
            if (BounceCategory.ofJson(category).isEmpty()) {
                checks.add("category", FieldChecks.quote(input.category()) + " is not a bounce category: one of "
                        + String.join(", ", Arrays.stream(BounceCategory.values()).map(BounceCategory::json).toList()));
                category = null;
            }
        } else if (action == ResponseRule.Action.CLASSIFY) {
            checks.add("category", "a classify rule sets a category");
        }
        var note = input.note() == null ? "" : input.note().strip();
        if (note.codePointCount(0, note.length()) > MAX_REASON_LENGTH) {
            checks.add("note", "is %d characters long; at most %d".formatted(note.codePointCount(0, note.length()), MAX_REASON_LENGTH));
        }
        checks.throwIfAny();
        try {
            match = ReplyMatch.of(code, status, text);
            new ResponseRule(name, match, Optional.empty(), action, scope,
                    Duration.ofMinutes(minutes == null ? 0 : minutes), optional(perMinute), optional(connections),
                    Optional.ofNullable(category).flatMap(BounceCategory::ofJson));
        } catch (IllegalArgumentException e) {
            var message = e.getMessage();
            int colon = message.indexOf(": ");
            checks.add(colon > 0 && !message.substring(0, colon).contains(" ") ? message.substring(0, colon) : "name", afterField(message));
            checks.throwIfAny();
        }
        return new Validated.ResponseRule(name, code, status, text, domain, action.text(), scope.text(), minutes, perMinute,
                connections, category, note, provider);
    }

    /** @param now the clock's time: {@code until} must be after it */
    static Validated.BackOff backOff(BackOffInput input, Instant now) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        String localIp = null;
        if (checks.required("localIp", input.localIp()) != null) {
            localIp = checks.ipOrNetwork("localIp", input.localIp());
        }
        var domain = checks.optionalDomain("domain", input.domain());
        Instant until = null;
        if (checks.required("until", input.until()) != null) {
            until = until(checks, input.until(), now);
        }
        var perMinute = checks.limit("messagesPerMinute", input.messagesPerMinute(), MAX_MESSAGES_PER_MINUTE);
        var connections = checks.limit("maxConnections", input.maxConnections(), MAX_CONNECTIONS);
        if (input.messagesPerMinute() == null && input.maxConnections() == null) {
            checks.add("messagesPerMinute", "a back-off caps messages per minute, connections or both");
        }
        var reason = input.reason() == null ? "" : input.reason().strip();
        if (reason.codePointCount(0, reason.length()) > MAX_REASON_LENGTH) {
            checks.add("reason", "is %d characters long; at most %d".formatted(reason.codePointCount(0, reason.length()), MAX_REASON_LENGTH));
        }
        var provider = provider(checks, input.domain(), input.provider());
        checks.throwIfAny();
        return new Validated.BackOff(localIp, domain, until, perMinute, connections, reason, provider);
    }

    /** A provider group: its name and MX host patterns, as relay-core's {@link Provider} takes them. */
    static Validated.Provider provider(ProviderInput input) {
        Objects.requireNonNull(input, "input");
        var checks = new FieldChecks();
        var name = checks.required("name", input.name());
        if (name != null && !Provider.NAME.matcher(name).matches()) {
            checks.add("name", FieldChecks.quote(name) + " is not a provider name: 1 to 63 lower-case letters, digits or '-'");
            name = null;
        }
        var patterns = new ArrayList<String>();
        var given = input.mxPatterns() == null ? List.<String>of() : input.mxPatterns();
        for (int i = 0; i < given.size(); i++) {
            var pattern = given.get(i) == null ? "" : given.get(i).strip().toLowerCase(Locale.ROOT);
            if (!Provider.isPattern(pattern)) {
                checks.add("mxPatterns[" + i + "]", FieldChecks.quote(given.get(i) == null ? "" : given.get(i))
                        + " is neither a host name nor *. and a domain, such as *.google.com");
            } else if (!patterns.contains(pattern)) {
                patterns.add(pattern);
            }
        }
        if (given.isEmpty()) {
            checks.add("mxPatterns", "a provider needs at least one MX host pattern, such as *.google.com");
        }
        var joined = String.join(" ", patterns);
        if (joined.length() > 2000) {
            checks.add("mxPatterns", "are " + joined.length() + " characters together; at most 2000");
        }
        checks.throwIfAny();
        return new Validated.Provider(name, joined);
    }

    /**
     * A provider group's name where a scope may name one instead of a domain; null when blank.
     * Whether such a provider exists is the writer's to check.
     */
    private static String provider(FieldChecks checks, String domain, String value) {
        var name = FieldChecks.blankToNull(value);
        if (name == null) {
            return null;
        }
        if (!Provider.NAME.matcher(name).matches()) {
            checks.add("provider", FieldChecks.quote(name) + " is not a provider name: 1 to 63 lower-case letters, digits or '-'");
            return null;
        }
        if (FieldChecks.blankToNull(domain) != null) {
            checks.add("provider", "a scope names a domain or a provider, not both");
            return null;
        }
        return name;
    }

    private static String blankToEmpty(String value) {
        return value == null ? "" : value.strip();
    }

    /** The message of an {@code IllegalArgumentException} of relay-core's rules, without its leading {@code "field: "}. */
    private static String afterField(String message) {
        int colon = message.indexOf(": ");
        return colon > 0 && !message.substring(0, colon).contains(" ") ? message.substring(colon + 2) : message;
    }

    private static OptionalInt optional(Integer value) {
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }

    private static String poolName(FieldChecks checks, String field, String value) {
        var name = checks.required(field, value);
        if (name != null && !POOL_NAME.matcher(name).matches()) {
            checks.add(field, FieldChecks.quote(name)
                    + " is not a pool name: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            return null;
        }
        return name;
    }

    private static String routeKind(FieldChecks checks, String value) {
        var kind = checks.required("kind", value);
        if (kind == null) {
            return null;
        }
        var lower = kind.toLowerCase(Locale.ROOT);
        if (!lower.equals("mx") && !lower.equals("smarthost")) {
            checks.add("kind", FieldChecks.quote(kind) + " is not a route kind: 'mx' or 'smarthost'");
            return null;
        }
        return lower;
    }

    private static String routeHost(FieldChecks checks, String value) {
        var host = checks.required("host", value);
        if (host == null) {
            return null;
        }
        try {
            return IpLiteral.parse(host).getHostAddress();
        } catch (IllegalArgumentException notAnAddress) {
            // Not an address literal: it must be a host name.
        }
        var name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (!ValueType.isHostName(name) || FieldChecks.NUMERIC_TOP_LABEL.matcher(name).matches()) {
            checks.add("host", FieldChecks.quote(host) + " is not a host name or IP address such as smtp.example.net or 192.0.2.25");
            return null;
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static Instant until(FieldChecks checks, String value, Instant now) {
        var text = FieldChecks.blankToNull(value);
        if (text == null) {
            return null;
        }
        Instant until;
        try {
            until = Instant.parse(text);
        } catch (DateTimeParseException e) {
            checks.add("until", FieldChecks.quote(text) + " is not an ISO-8601 time such as 2030-01-31T18:00:00Z");
            return null;
        }
        if (!until.isAfter(now)) {
            checks.add("until", "%s is not in the future (it is %s now)".formatted(until, now));
            return null;
        }
        return until;
    }
}
