package dev.ferrymta.relay.bounce;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rule files' common form: one rule a line, tab-separated fields, blank lines and lines
 * starting with {@code #} left out; errors name the file and the line.
 */
final class RuleLines {

    /** A rule's line: its number (from 1) and its fields. */
    record Line(int number, String[] fields) {
    }

    private RuleLines() {
    }

    /**
     * The rule lines of a text.
     *
     * @param names the fields, for the error when a line has another count
     * @throws IllegalArgumentException for a line without exactly as many fields as names
     */
    static List<Line> of(List<String> lines, String origin, List<String> names) {
        var rules = new ArrayList<Line>();
        for (int i = 0; i < lines.size(); i++) {
            var line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            var fields = line.split("\t", -1);
            if (fields.length != names.size()) {
                throw new IllegalArgumentException(origin + " line " + (i + 1) + ": expected " + names.size()
                        + " tab-separated fields (" + String.join(", ", names) + "), found " + fields.length);
            }
            rules.add(new Line(i + 1, fields));
        }
        return rules;
    }

    /** The lines of a file shipped beside this class. */
    static List<String> shipped(String resource) {
        var stream = RuleLines.class.getResourceAsStream(resource);
        Objects.requireNonNull(stream, "the shipped rules " + resource + " are missing from the jar");
        try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
