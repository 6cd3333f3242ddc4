package dev.ferrymta.relay.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;

/**
 * MailerQ's {@code "dsn"} property: what the message asks of delivery status notifications, sent
 * as the parameters of RFC 3461 when the server offers {@code DSN} and left off when it does not.
 *
 * <pre>{"dsn": {"notify": "FAILURE,DELAY", "ret": "HDRS", "envid": "e-1", "orcpt": "rfc822;orig@example.test"}}</pre>
 *
 * @param notifyOn {@code NOTIFY=} on RCPT TO (RFC 3461 section 4.1): {@code NEVER}, or some of
 *               {@code SUCCESS}, {@code FAILURE}, {@code DELAY}, comma-separated, upper case
 * @param ret    {@code RET=} on MAIL FROM (section 4.3): {@code FULL} or {@code HDRS}
 * @param envid  {@code ENVID=} on MAIL FROM (section 4.4), as given (xtext-encoded on the wire)
 * @param orcpt  {@code ORCPT=} on RCPT TO (section 4.2) as {@code addr-type;address}; a bare
 *               address, as MailerQ's documentation writes it, is taken as {@code rfc822;address}
 */
public record DsnRequest(Optional<String> notifyOn, Optional<String> ret, Optional<String> envid, Optional<String> orcpt) {

    /** No DSN property: nothing asked, no parameters. */
    public static final DsnRequest NONE = new DsnRequest(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** RFC 3461 section 4.4: ENVID is at most 100 characters. */
    static final int MAX_ENVID = 100;

    /** Whether the message asked for anything. */
    public boolean asked() {
        return !equals(NONE);
    }

    /** The MAIL FROM parameters, each with its leading space: {@code " RET=HDRS ENVID=e-1"}. */
    public String mailParameters() {
        var out = new StringBuilder();
        ret.ifPresent(r -> out.append(" RET=").append(r));
        envid.ifPresent(e -> out.append(" ENVID=").append(xtext(e)));
        return out.toString();
    }

    /** The RCPT TO parameters, each with its leading space: {@code " NOTIFY=FAILURE ORCPT=rfc822;a+40b"}. */
    public String rcptParameters() {
        var out = new StringBuilder();
        notifyOn.ifPresent(n -> out.append(" NOTIFY=").append(n));
        orcpt.ifPresent(o -> {
            int semicolon = o.indexOf(';');
            out.append(" ORCPT=").append(o, 0, semicolon + 1).append(xtext(o.substring(semicolon + 1)));
        });
        return out.toString();
    }

    /**
     * Reads the property.
     *
     * @throws IllegalArgumentException naming the field at fault ({@code "dsn.notify"} ...)
     */
    static DsnRequest parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"dsn\" must be an object {\"notify\", \"ret\", \"envid\", \"orcpt\"}, not "
                    + MessageParser.kind(node));
        }
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        for (var name : names) {
            if (!name.equals("notify") && !name.equals("ret") && !name.equals("envid") && !name.equals("orcpt")) {
                throw new IllegalArgumentException("\"dsn." + name + "\" is not a DSN setting Ferry knows (notify, ret, envid, orcpt)");
            }
        }
        return new DsnRequest(text(node, "notify").map(DsnRequest::notifyValue), text(node, "ret").map(DsnRequest::retValue),
                text(node, "envid").map(DsnRequest::envidValue), text(node, "orcpt").map(DsnRequest::orcptValue));
    }

    private static Optional<String> text(JsonNode dsn, String field) {
        var node = dsn.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"dsn." + field + "\" must be a string, not " + MessageParser.kind(node));
        }
        var text = node.textValue().strip();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    private static String notifyValue(String text) {
        var values = new LinkedHashSet<String>();
        for (var part : text.split(",")) {
            var value = part.strip().toUpperCase(Locale.ROOT);
            if (!value.equals("NEVER") && !value.equals("SUCCESS") && !value.equals("FAILURE") && !value.equals("DELAY")) {
                throw new IllegalArgumentException("\"dsn.notify\" must be NEVER or some of SUCCESS, FAILURE, DELAY (RFC 3461), not '"
                        + shorten(text) + "'");
            }
            values.add(value);
        }
        if (values.contains("NEVER") && values.size() > 1) {
            throw new IllegalArgumentException("\"dsn.notify\": NEVER cannot be combined with other values (RFC 3461 section 4.1)");
        }
        return String.join(",", values);
    }

    private static String retValue(String text) {
        var value = text.toUpperCase(Locale.ROOT);
        if (!value.equals("FULL") && !value.equals("HDRS")) {
            throw new IllegalArgumentException("\"dsn.ret\" must be FULL or HDRS (RFC 3461), not '" + shorten(text) + "'");
        }
        return value;
    }

    private static String envidValue(String text) {
        if (text.length() > MAX_ENVID || !printableAscii(text)) {
            throw new IllegalArgumentException("\"dsn.envid\" must be at most " + MAX_ENVID
                    + " printable ASCII characters (RFC 3461 section 4.4)");
        }
        return text;
    }

    private static String orcptValue(String text) {
        int semicolon = text.indexOf(';');
        var typed = semicolon > 0 ? text : "rfc822;" + text;
        semicolon = typed.indexOf(';');
        var type = typed.substring(0, semicolon);
        var address = typed.substring(semicolon + 1);
        if (!type.matches("[A-Za-z0-9][A-Za-z0-9-]*") || address.isEmpty() || !printableAscii(address) || typed.length() > 500) {
            throw new IllegalArgumentException("\"dsn.orcpt\" must be an address or addr-type;address in printable ASCII "
                    + "(RFC 3461 section 4.2), not '" + shorten(text) + "'");
        }
        return type.toLowerCase(Locale.ROOT) + ";" + address;
    }

    private static boolean printableAscii(String text) {
        return text.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    /** RFC 3461 section 4: "+", "=", controls and space as "+XX". */
    static String xtext(String text) {
        var out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            if (b >= '!' && b <= '~' && b != '+' && b != '=') {
                out.append((char) b);
            } else {
                out.append('+').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
