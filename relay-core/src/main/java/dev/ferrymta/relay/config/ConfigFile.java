package dev.ferrymta.relay.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the {@code key: value} file format of MailerQ: one setting a line, split at the first
 * colon (values such as URLs keep theirs), {@code #} starting a comment line, blank lines ignored.
 * A key given twice is an error rather than a silent override, since the first one is usually the
 * one the operator is looking at.
 */
public final class ConfigFile {

    static final Pattern KEY = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    private ConfigFile() {
    }

    /** Reads a file; a missing or unreadable file is a {@link ConfigException} naming the path. */
    public static List<ConfigValue> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("", "cannot read config file %s: %s".formatted(file, describe(e)));
        }
        return parse(text, file.toString());
    }

    /** Parses file content; {@code name} is used in error messages and origins. */
    public static List<ConfigValue> parse(String text, String name) {
        var values = new ArrayList<ConfigValue>();
        var firstLine = new HashMap<String, Integer>();
        var lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            var line = lines[i].strip();
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new ConfigException("", "%s line %d: '%s' is not a 'key: value' line"
                        .formatted(name, lineNumber, ConfigException.printable(line)));
            }
            var key = line.substring(0, colon).strip();
            if (!KEY.matcher(key).matches()) {
                throw new ConfigException(key, "%s line %d: '%s' is not a valid key: expected lower-case words joined by '-', such as rabbitmq-address"
                        .formatted(name, lineNumber, ConfigException.printable(key)));
            }
            var previous = firstLine.putIfAbsent(key, lineNumber);
            if (previous != null) {
                throw new ConfigException(key, "%s: set twice in %s, on line %d and line %d; keep one"
                        .formatted(key, name, previous, lineNumber));
            }
            values.add(new ConfigValue(key, line.substring(colon + 1).strip(), name + " line " + lineNumber));
        }
        return values;
    }

    private static String describe(Exception e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.toString();
    }
}
