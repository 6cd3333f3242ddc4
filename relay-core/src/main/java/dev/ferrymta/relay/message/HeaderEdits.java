package dev.ferrymta.relay.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MailerQ's {@code "headers"} property: changes to the message's header fields, made before the
 * message is fitted to the server and DKIM-signed, so the signature covers them.
 *
 * <pre>{"headers": {"remove": ["x-remove-me"], "prepend": {"X-Added": "yes"}, "append": {"X-Tag": ["a", "b"]},
 *              "replace": {"From": "news@example.com"}, "update": {"Reply-To": "help@example.com"}}}</pre>
 *
 * Applied in this order, each name matched without regard to case:
 * <ul>
 * <li>{@code remove}: a name or an array of names; every field of that name goes;</li>
 * <li>{@code replace}: the first field of the name gets the value, the others go; a name not
 *     present is appended;</li>
 * <li>{@code update}: as replace, but a name not present is left absent;</li>
 * <li>{@code prepend}: fields put first, in the order given; a value may be an array for several
 *     fields of one name;</li>
 * <li>{@code append} (or {@code add}): fields put last, as prepend.</li>
 * </ul>
 * Names must be RFC 5322 field names (printable ASCII without colon, section 2.2); values must not
 * hold CR or LF, so an edit can never add a field it does not name nor end the header section.
 *
 * @param remove  names to remove, lower case
 * @param replace name and value pairs for replace
 * @param update  name and value pairs for update
 * @param prepend fields to put first
 * @param append  fields to put last
 */
public record HeaderEdits(List<String> remove, List<Field> replace, List<Field> update, List<Field> prepend, List<Field> append) {

    /** No {@code "headers"} property. */
    public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of(), List.of(), List.of(), List.of());

    /** One header field: its name as given, and its value. */
    public record Field(String name, String value) {
        String line() {
            return name + ": " + value + "\r\n";
        }
    }

    public HeaderEdits {
        remove = List.copyOf(remove);
        replace = List.copyOf(replace);
        update = List.copyOf(update);
        prepend = List.copyOf(prepend);
        append = List.copyOf(append);
    }

    /** Whether there is anything to change. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * The message with the edits made; the body is untouched. New fields end in CRLF; the line
     * ends of the rest are left as they are (they are made CRLF on the way out).
     *
     * @param mime the whole message, header section and body
     */
    public String apply(String mime) {
        if (isEmpty()) {
            return mime;
        }
        int end = headerEnd(mime);
        var fields = fields(mime.substring(0, end));
        var rest = mime.substring(end);
        fields.removeIf(f -> remove.contains(nameOf(f)));
        for (var field : replace) {
            if (!set(fields, field)) {
                fields.add(field.line());
            }
        }
        for (var field : update) {
            set(fields, field);
        }
        var out = new StringBuilder(mime.length() + 256);
        prepend.forEach(f -> out.append(f.line()));
        fields.forEach(out::append);
        append.forEach(f -> out.append(f.line()));
        if (rest.isEmpty()) {
            out.append("\r\n");
        }
        return out.append(rest).toString();
    }

    /** Gives the first field of the name the value and removes the others; false when there is none. */
    private static boolean set(List<String> fields, Field field) {
        var name = field.name().toLowerCase(Locale.ROOT);
        boolean found = false;
        for (var it = fields.listIterator(); it.hasNext();) {
            if (nameOf(it.next()).equals(name)) {
                if (found) {
                    it.remove();
                } else {
                    it.set(field.line());
                    found = true;
                }
            }
        }
        return found;
    }

    /** Where the header section ends: at the start of the empty line that ends it, or the end of the text. */
    private static int headerEnd(String mime) {
        int pos = 0;
        while (pos < mime.length()) {
            int newline = mime.indexOf('\n', pos);
            if (newline < 0) {
                return mime.length();
            }
            if (newline == pos || (newline == pos + 1 && mime.charAt(pos) == '\r')) {
                return pos;
            }
            pos = newline + 1;
        }
        return mime.length();
    }

    /** The header section's fields, each with its continuation lines and its line end. */
    private static List<String> fields(String header) {
        var fields = new ArrayList<String>();
        int start = 0;
        while (start < header.length()) {
            int end = start;
            do {
                int newline = header.indexOf('\n', end);
                end = newline < 0 ? header.length() : newline + 1;
            } while (end < header.length() && (header.charAt(end) == ' ' || header.charAt(end) == '\t'));
            var field = header.substring(start, end);
            fields.add(field.endsWith("\n") ? field : field + "\r\n");
            start = end;
        }
        return fields;
    }

    private static String nameOf(String field) {
        int colon = field.indexOf(':');
        return (colon < 0 ? field : field.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads the property.
     *
     * @throws IllegalArgumentException naming the field at fault ({@code "headers.prepend.X-A"} ...)
     */
    static HeaderEdits parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"headers\" must be an object with remove, prepend, append, replace or update, not "
                    + MessageParser.kind(node));
        }
        var remove = new ArrayList<String>();
        var replace = new ArrayList<Field>();
        var update = new ArrayList<Field>();
        var prepend = new ArrayList<Field>();
        var append = new ArrayList<Field>();
        for (var it = node.fields(); it.hasNext();) {
            var entry = it.next();
            var value = entry.getValue();
            switch (entry.getKey()) {
                case "remove" -> names(value).forEach(remove::add);
                case "replace" -> replace.addAll(fieldsOf("replace", value, false));
                case "update" -> update.addAll(fieldsOf("update", value, false));
                case "prepend" -> prepend.addAll(fieldsOf("prepend", value, true));
                case "append", "add" -> append.addAll(fieldsOf(entry.getKey(), value, true));
                default -> throw new IllegalArgumentException("\"headers." + entry.getKey()
                        + "\" is not a header edit Ferry knows (remove, prepend, append, add, replace, update)");
            }
        }
        return new HeaderEdits(remove, replace, update, prepend, append);
    }

    private static List<String> names(JsonNode value) {
        var names = new ArrayList<String>();
        if (value.isTextual()) {
            names.add(name("remove", value.textValue()).toLowerCase(Locale.ROOT));
        } else if (value.isArray()) {
            for (var element : value) {
                if (!element.isTextual()) {
                    throw new IllegalArgumentException("\"headers.remove\" must hold header names, not " + MessageParser.kind(element));
                }
                names.add(name("remove", element.textValue()).toLowerCase(Locale.ROOT));
            }
        } else if (!value.isNull()) {
            throw new IllegalArgumentException("\"headers.remove\" must be a header name or an array of them, not "
                    + MessageParser.kind(value));
        }
        return names;
    }

    private static List<Field> fieldsOf(String edit, JsonNode value, boolean several) {
        if (value.isNull()) {
            return List.of();
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("\"headers." + edit + "\" must be an object of header names and values, not "
                    + MessageParser.kind(value));
        }
        var fields = new ArrayList<Field>();
        for (var it = value.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            var where = "headers." + edit + "." + entry.getKey();
            var name = name(edit, entry.getKey());
            var v = entry.getValue();
            if (v.isTextual()) {
                fields.add(new Field(name, value(where, v.textValue())));
            } else if (several && v.isArray()) {
                for (var element : v) {
                    if (!element.isTextual()) {
                        throw new IllegalArgumentException("\"" + where + "\" must hold strings, not " + MessageParser.kind(element));
                    }
                    fields.add(new Field(name, value(where, element.textValue())));
                }
            } else {
                throw new IllegalArgumentException("\"" + where + "\" must be a string" + (several ? " or an array of strings" : "")
                        + ", not " + MessageParser.kind(v));
            }
        }
        return fields;
    }

    private static String name(String edit, String name) {
        if (name.isEmpty() || name.length() > 200 || !name.chars().allMatch(c -> c >= 33 && c <= 126 && c != ':')) {
            throw new IllegalArgumentException("\"headers." + edit + "\": '" + shorten(name)
                    + "' is not a header field name (printable ASCII without ':' or spaces, RFC 5322 section 2.2)");
        }
        return name;
    }

    private static String value(String where, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("\"" + where + "\" must not hold CR, LF or NUL (it would add or end header fields)");
        }
        return value.strip();
    }

    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
