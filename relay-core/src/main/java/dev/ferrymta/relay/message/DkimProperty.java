package dev.ferrymta.relay.message;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymta.relay.dkim.Canonicalization;
import dev.ferrymta.relay.dkim.SigningKey;
import dev.ferrymta.relay.mail.Domain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * MailerQ's {@code "dkim"} message property: an object, or an array of them, each with
 * {@code domain}, {@code selector} and {@code key} (a PKCS#8 PEM private key, RSA or Ed25519), and
 * optionally {@code headers} (names to sign, an array or a colon-separated string),
 * {@code canonicalization} ({@code relaxed}, {@code simple}, or {@code header/body}) and
 * {@code expire} (seconds the signature stays valid). These keys sign the message besides the
 * settings' own. Anything malformed is refused with the field named: the message is then
 * invalid, never sent unsigned.
 */
final class DkimProperty {

    private static final Pattern SELECTOR = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,62})");

    private DkimProperty() {
    }

    /** The keys of {@code node} ({@code "dkim"}); empty when it is absent or null. */
    static List<SigningKey> parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        var entries = new ArrayList<JsonNode>();
        if (node.isObject()) {
            entries.add(node);
        } else if (node.isArray()) {
            node.forEach(entries::add);
        } else {
            throw new IllegalArgumentException("\"dkim\" must be an object or an array of objects, not " + MessageParser.kind(node));
        }
        var keys = new ArrayList<SigningKey>();
        var seen = new HashSet<String>();
        for (int i = 0; i < entries.size(); i++) {
            var where = node.isArray() ? "\"dkim[" + i + "]\"" : "\"dkim\"";
            var key = one(entries.get(i), where);
            if (!seen.add(key.domain() + "/" + key.selector())) {
                throw new IllegalArgumentException(where + ": a second key for d=" + key.domain() + " s=" + key.selector());
            }
            keys.add(key);
        }
        return List.copyOf(keys);
    }

    private static final java.util.Set<String> FIELDS = java.util.Set.of("domain", "selector", "key", "headers", "canonicalization",
            "expire", "protocols", "report");

    private static SigningKey one(JsonNode entry, String where) {
        if (!entry.isObject()) {
            throw new IllegalArgumentException(where + " must be an object, not " + MessageParser.kind(entry));
        }
        for (var it = entry.fieldNames(); it.hasNext();) {
            var name = it.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(where + "." + name + " is not a DKIM setting Ferry knows "
                        + "(domain, selector, key, headers, canonicalization, expire)");
            }
        }
        // MailerQ's "protocols" may ask for ARC seals, and "report" for RFC 6651 failure reports:
        // neither is built, so asking for them is refused rather than signed as plain DKIM.
        var protocols = entry.get("protocols");
        if (protocols != null && !protocols.isNull()) {
            boolean dkimOnly = protocols.isArray() && protocols.size() > 0;
            for (var protocol : protocols) {
                dkimOnly &= protocol.isTextual() && protocol.textValue().equalsIgnoreCase("dkim");
            }
            if (!dkimOnly) {
                throw new IllegalArgumentException(where + ".protocols: only [\"dkim\"] is supported by Ferry; ARC signing is not");
            }
        }
        var report = entry.get("report");
        if (report != null && !report.isNull() && !(report.isBoolean() && !report.booleanValue())) {
            throw new IllegalArgumentException(where + ".report: DKIM failure reports (RFC 6651) are not supported by Ferry");
        }
        Domain domain;
        try {
            domain = Domain.parse(text(entry, "domain", where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".domain is not a domain name");
        }
        var selector = text(entry, "selector", where);
        if (!SELECTOR.matcher(selector).matches()) {
            throw new IllegalArgumentException(where + ".selector is not a DKIM selector: '" + shorten(selector) + "'");
        }
        SigningKey key;
        try {
            key = SigningKey.parse(domain, selector, text(entry, "key", where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".key: " + e.getMessage());
        }
        // MailerQ's JSON messages ("DKIM keys", "Canonicalization"): relaxed/simple unless the entry says.
        var headerCanon = Canonicalization.RELAXED;
        var bodyCanon = Canonicalization.SIMPLE;
        var canon = entry.get("canonicalization");
        if (canon != null && !canon.isNull()) {
            if (!canon.isTextual()) {
                throw new IllegalArgumentException(where + ".canonicalization must be a string");
            }
            var parts = canon.textValue().split("/", 2);
            try {
                headerCanon = Canonicalization.parse(parts[0]);
                bodyCanon = parts.length > 1 ? Canonicalization.parse(parts[1]) : Canonicalization.SIMPLE;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".canonicalization: " + e.getMessage());
            }
        }
        // MailerQ: the headers named here are signed as well as the regular ones (From, To,
        // Subject ...), for example Feedback-ID or a header of the sender's own.
        var extra = new ArrayList<String>();
        var list = entry.get("headers");
        if (list != null && !list.isNull()) {
            if (list.isTextual()) {
                extra.addAll(List.of(list.textValue().split(":")));
            } else if (list.isArray()) {
                list.forEach(h -> extra.add(h.asText()));
            } else {
                throw new IllegalArgumentException(where + ".headers must be an array of header names or a string 'x-a:x-b'");
            }
            extra.removeIf(String::isBlank);
        }
        var headers = new ArrayList<String>();
        if (!extra.isEmpty()) {
            headers.addAll(dev.ferrymta.relay.dkim.DkimSigner.DEFAULT_HEADERS);
            for (var name : extra) {
                var lower = name.strip().toLowerCase(java.util.Locale.ROOT);
                if (!headers.contains(lower)) {
                    headers.add(lower);
                }
            }
        }
        Optional<Duration> expire = Optional.empty();
        java.time.Instant expiresAt = null;
        var seconds = entry.get("expire");
        if (seconds != null && !seconds.isNull()) {
            if (seconds.isTextual()) {
                // MailerQ's form: the time the signature expires, "YYYY-MM-DD HH:MM:SS" (UTC).
                try {
                    expiresAt = java.time.LocalDateTime.parse(seconds.textValue().strip(), MessageParser.TIME)
                            .toInstant(java.time.ZoneOffset.UTC);
                } catch (java.time.format.DateTimeParseException e) {
                    throw new IllegalArgumentException(where + ".expire must be a time \"YYYY-MM-DD HH:MM:SS\" (UTC) or a number of seconds");
                }
            } else if (!seconds.canConvertToLong() || seconds.asLong() < 1) {
                throw new IllegalArgumentException(where + ".expire must be a time \"YYYY-MM-DD HH:MM:SS\" (UTC) or a number of seconds, at least 1");
            } else {
                expire = Optional.of(Duration.ofSeconds(seconds.asLong()));
            }
        }
        var configured = key.with(headerCanon, bodyCanon, headers, expire);
        return expiresAt == null ? configured : configured.expiringAt(expiresAt);
    }

    private static String text(JsonNode entry, String field, String where) {
        var value = entry.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(where + "." + field + " is missing");
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(where + "." + field + " must be a string");
        }
        return value.textValue();
    }

    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
